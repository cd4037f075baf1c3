// Package kubernetes holds the Kubernetes examples' tests: nothing here is
// compiled into the binary. kubectl cannot validate without a cluster's
// API server, which the test machines lack, so the tests do what its
// client-side checks would, and then what only this project knows: that
// the embedded llm-simulator configs load and agree with their pods.
package kubernetes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// manifest is one file's documents, by kind.
type manifest struct {
	file        string
	configMaps  map[string]*configMap
	deployments []*deployment
	services    []*service
}

// kinds are the apiVersion/kind pairs the examples may use.
var kinds = map[string]bool{"v1/ConfigMap": true, "v1/Service": true, "apps/v1/Deployment": true}

var (
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	envName  = regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`)
	portName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

func manifests(t *testing.T) []*manifest {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("want the sidecar and load-test manifests, found %v (%v)", files, err)
	}
	var out []*manifest
	for _, f := range files {
		m, err := load(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, m)
	}
	return out
}

// load decodes every document of file strictly into its kind's type.
func load(file string) (*manifest, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	m := &manifest{file: file, configMaps: map[string]*configMap{}}
	seen := map[string]bool{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 1; ; i++ {
		var node yaml.Node
		if err := dec.Decode(&node); errors.Is(err, io.EOF) {
			return m, nil
		} else if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		var head object
		if err := node.Decode(&head); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		key := head.APIVersion + "/" + head.Kind
		if !kinds[key] {
			return nil, fmt.Errorf("document %d: apiVersion %q with kind %q is not one of %v", i, head.APIVersion, head.Kind, kinds)
		}
		if !dnsLabel.MatchString(head.Metadata.Name) || len(head.Metadata.Name) > 63 {
			return nil, fmt.Errorf("document %d (%s): metadata.name %q is not a DNS label", i, head.Kind, head.Metadata.Name)
		}
		if seen[head.Kind+"/"+head.Metadata.Name] {
			return nil, fmt.Errorf("document %d: a second %s named %s", i, head.Kind, head.Metadata.Name)
		}
		seen[head.Kind+"/"+head.Metadata.Name] = true
		var into any
		switch head.Kind {
		case "ConfigMap":
			cm := &configMap{}
			m.configMaps[head.Metadata.Name], into = cm, cm
		case "Service":
			s := &service{}
			m.services, into = append(m.services, s), s
		case "Deployment":
			d := &deployment{}
			m.deployments, into = append(m.deployments, d), d
		}
		if err := strict(&node, into); err != nil {
			return nil, fmt.Errorf("document %d (%s %s): %w", i, head.Kind, head.Metadata.Name, err)
		}
	}
}

// strict decodes node into v refusing unknown fields, which yaml.v3 only
// does for a Decoder.
func strict(node *yaml.Node, v any) error {
	data, err := yaml.Marshal(node)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func TestManifestsSchema(t *testing.T) {
	for _, m := range manifests(t) {
		t.Run(m.file, func(t *testing.T) {
			if len(m.deployments) == 0 || len(m.services) == 0 || len(m.configMaps) == 0 {
				t.Errorf("want a ConfigMap, a Deployment and a Service; got %d, %d, %d", len(m.configMaps), len(m.deployments), len(m.services))
			}
			for _, d := range m.deployments {
				checkDeployment(t, m, d)
			}
			for _, s := range m.services {
				checkService(t, m, s)
			}
		})
	}
}

func checkDeployment(t *testing.T, m *manifest, d *deployment) {
	sel, tmpl := d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels
	if len(sel) == 0 {
		t.Errorf("deployment %s: no selector.matchLabels", d.Metadata.Name)
	}
	for k, v := range sel {
		if tmpl[k] != v {
			t.Errorf("deployment %s: selector %s=%s does not select its own template (labels %v): the API refuses it", d.Metadata.Name, k, v, tmpl)
		}
	}
	pod := &d.Spec.Template.Spec
	if len(pod.Containers) == 0 {
		t.Errorf("deployment %s: no containers", d.Metadata.Name)
	}
	if sc := pod.SecurityContext; sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("deployment %s: the pod does not set runAsNonRoot", d.Metadata.Name)
	}
	volumes := map[string]*volume{}
	for i := range pod.Volumes {
		v := &pod.Volumes[i]
		if volumes[v.Name] != nil {
			t.Errorf("deployment %s: two volumes named %s", d.Metadata.Name, v.Name)
		}
		volumes[v.Name] = v
		if n := countSources(v); n != 1 {
			t.Errorf("volume %s: %d sources, want exactly one", v.Name, n)
		}
		if v.ConfigMap != nil && m.configMaps[v.ConfigMap.Name] == nil {
			t.Errorf("volume %s: ConfigMap %s is not in %s: the pod would never start", v.Name, v.ConfigMap.Name, m.file)
		}
	}
	names := map[string]bool{}
	for _, c := range allContainers(pod) {
		if names[c.Name] || !dnsLabel.MatchString(c.Name) {
			t.Errorf("container name %q is repeated or not a DNS label", c.Name)
		}
		names[c.Name] = true
		checkContainer(t, c, volumes)
	}
	for _, c := range pod.Containers {
		if c.RestartPolicy != "" {
			t.Errorf("container %s: restartPolicy belongs to init containers (native sidecars) only", c.Name)
		}
	}
	for _, c := range pod.InitContainers {
		if c.RestartPolicy != "" && c.RestartPolicy != "Always" {
			t.Errorf("init container %s: restartPolicy %q; only Always (a native sidecar) is allowed", c.Name, c.RestartPolicy)
		}
	}
}

func countSources(v *volume) int {
	n := 0
	for _, set := range []bool{v.ConfigMap != nil, v.Secret != nil, v.EmptyDir != nil} {
		if set {
			n++
		}
	}
	return n
}

func allContainers(pod *podSpec) []*container {
	var out []*container
	for i := range pod.InitContainers {
		out = append(out, &pod.InitContainers[i])
	}
	for i := range pod.Containers {
		out = append(out, &pod.Containers[i])
	}
	return out
}

func checkContainer(t *testing.T, c *container, volumes map[string]*volume) {
	if c.Image == "" {
		t.Errorf("container %s: no image", c.Name)
	}
	ports := map[string]bool{}
	for _, p := range c.Ports {
		if p.ContainerPort < 1 || p.ContainerPort > 65535 || len(p.Name) > 15 || !portName.MatchString(p.Name) || ports[p.Name] {
			t.Errorf("container %s: port %s/%d is out of range, badly named or repeated", c.Name, p.Name, p.ContainerPort)
		}
		ports[p.Name] = true
	}
	env := map[string]bool{}
	for _, e := range c.Env {
		if !envName.MatchString(e.Name) || env[e.Name] {
			t.Errorf("container %s: env %q is not a valid name or is repeated", c.Name, e.Name)
		}
		env[e.Name] = true
	}
	paths := map[string]bool{}
	for _, vm := range c.VolumeMounts {
		if volumes[vm.Name] == nil {
			t.Errorf("container %s: mounts volume %s, which the pod does not declare", c.Name, vm.Name)
		}
		if !filepath.IsAbs(vm.MountPath) || paths[vm.MountPath] {
			t.Errorf("container %s: mount path %q is relative or repeated", c.Name, vm.MountPath)
		}
		paths[vm.MountPath] = true
	}
	r := c.Resources
	for _, res := range []string{"cpu", "memory"} {
		if r.Requests[res] == "" || r.Limits[res] == "" {
			t.Errorf("container %s: no %s request or limit", c.Name, res)
		}
	}
	if quantity(t, r.Requests["memory"]) > quantity(t, r.Limits["memory"]) {
		t.Errorf("container %s: memory request %s above its limit %s", c.Name, r.Requests["memory"], r.Limits["memory"])
	}
	sc := c.SecurityContext
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil ||
		!*sc.ReadOnlyRootFilesystem || strings.Join(sc.Capabilities.Drop, ",") != "ALL" {
		t.Errorf("container %s: want allowPrivilegeEscalation false, readOnlyRootFilesystem true and every capability dropped", c.Name)
	}
}

func checkService(t *testing.T, m *manifest, s *service) {
	var pod *podSpec
	for _, d := range m.deployments {
		if len(s.Spec.Selector) > 0 && subset(s.Spec.Selector, d.Spec.Template.Metadata.Labels) {
			pod = &d.Spec.Template.Spec
		}
	}
	if pod == nil {
		t.Errorf("service %s: selector %v selects no pod in %s", s.Metadata.Name, s.Spec.Selector, m.file)
		return
	}
	for _, p := range s.Spec.Ports {
		if p.Port < 1 || p.Port > 65535 {
			t.Errorf("service %s: port %d out of range", s.Metadata.Name, p.Port)
		}
		if containerPort(pod, p.TargetPort) == 0 {
			t.Errorf("service %s: targetPort %v is no container port of the pod it selects", s.Metadata.Name, p.TargetPort)
		}
	}
}

// containerPort resolves a Service's targetPort (a number or a port's
// name) in pod; 0 when nothing answers there.
func containerPort(pod *podSpec, target any) int {
	for _, c := range allContainers(pod) {
		for _, p := range c.Ports {
			if target == p.Name || target == p.ContainerPort {
				return p.ContainerPort
			}
		}
	}
	return 0
}

func subset(sub, of map[string]string) bool {
	for k, v := range sub {
		if of[k] != v {
			return false
		}
	}
	return true
}

// quantity reads a Kubernetes quantity in the forms the examples use
// ("100m", "1", "64Mi", "1Gi"), in milli-units for cpu and bytes for
// memory; only their order matters to the tests.
func quantity(t *testing.T, q string) int64 {
	t.Helper()
	mult := map[string]int64{"m": 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}
	for suffix, k := range mult {
		if n, ok := strings.CutSuffix(q, suffix); ok {
			var v int64
			if _, err := fmt.Sscan(n, &v); err == nil {
				return v * k
			}
		}
	}
	var v int64
	if _, err := fmt.Sscan(q, &v); err != nil {
		t.Errorf("quantity %q is not one this test reads", q)
	}
	return v * 1000 // whole cores, as milli-cores
}
