package kubernetes

import (
	"encoding/json"
	"net"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/admin"
	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// loadOptions are the command's (cmd/llm-simulator/config.go): templates,
// cassette names and key headers checked as `llm-simulator check` does.
var loadOptions = config.Options{TemplateData: simulate.TemplateData{},
	CassetteName: cassette.ValidName, SecretHeader: cassette.IsSecretHeader}

// simulatorPod is a pod running llm-simulator, with its loaded config.
type simulatorPod struct {
	m   *manifest
	d   *deployment
	pod *podSpec
	c   *container
	cfg *config.Config
}

func simulatorPods(t *testing.T) []*simulatorPod {
	t.Helper()
	var out []*simulatorPod
	for _, m := range manifests(t) {
		for _, d := range m.deployments {
			pod := &d.Spec.Template.Spec
			for _, c := range allContainers(pod) {
				if c.Name == "llm-simulator" {
					out = append(out, &simulatorPod{m: m, d: d, pod: pod, c: c, cfg: loadConfig(t, m, pod, c)})
				}
			}
		}
	}
	if len(out) < 2 {
		t.Fatalf("found %d llm-simulator containers; want the sidecar's and the load test's", len(out))
	}
	return out
}

// loadConfig finds the file --config names in the ConfigMap mounted there
// and loads it as the binary would, with the container's environment.
func loadConfig(t *testing.T, m *manifest, pod *podSpec, c *container) *config.Config {
	t.Helper()
	var file string
	for i, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			file = v
		} else if a == "--config" && i+1 < len(c.Args) {
			file = c.Args[i+1]
		}
	}
	v, rel := mountOf(pod, c, file)
	if v == nil || v.ConfigMap == nil {
		t.Fatalf("%s: --config %q is not in a mounted ConfigMap", m.file, file)
	}
	data, ok := m.configMaps[v.ConfigMap.Name].Data[rel]
	if !ok {
		t.Fatalf("%s: ConfigMap %s has no key %q for --config %s", m.file, v.ConfigMap.Name, rel, file)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			env[e.Name] = secretValue + e.ValueFrom.SecretKeyRef.Key
		}
	}
	opts := loadOptions
	opts.LookupEnv = func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	opts.OpenFile = (&simulatorPod{m: m, pod: pod, c: c}).openSecretFile
	cfg, err := config.Parse(file, []byte(data), opts)
	if err != nil {
		t.Fatalf("%s: the embedded config does not load:\n%v", m.file, err)
	}
	for _, w := range cfg.Warnings {
		t.Errorf("%s: the embedded config warns: %v", m.file, w)
	}
	return cfg
}

// mountOf is the volume holding file in container c, and file's path
// inside it; nil when no mount holds it.
func mountOf(pod *podSpec, c *container, file string) (*volume, string) {
	for _, vm := range c.VolumeMounts {
		if rel, ok := strings.CutPrefix(file, strings.TrimSuffix(vm.MountPath, "/")+"/"); ok {
			for i := range pod.Volumes {
				if pod.Volumes[i].Name == vm.Name {
					return &pod.Volumes[i], rel
				}
			}
		}
	}
	return nil, ""
}

func port(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}

func (s *simulatorPod) name() string { return s.m.file + " " + s.d.Metadata.Name }

// The process must start: the admin API off loopback needs a token, and
// every file it writes must be on a writable volume (the root is
// read-only), every file it reads on a mounted one.
func TestSimulatorStartsInItsPod(t *testing.T) {
	for _, s := range simulatorPods(t) {
		t.Run(s.name(), func(t *testing.T) {
			cfg := s.cfg
			if err := admin.CheckExposure(cfg.Admin.Listen, cfg.Admin.Token); err != nil {
				t.Errorf("the process would refuse to start: %v", err)
			}
			if !s.hasPort(port(cfg.Listen)) {
				t.Errorf("the proxy listens on %s, no container port says so", cfg.Listen)
			}
			for what, file := range map[string]string{"admin.state_file": cfg.Admin.StateFile, "cache.dir": cfg.Cache.Dir + "/x"} {
				if !s.writable(file) {
					t.Errorf("%s %s is not on a writable emptyDir: the root filesystem is read-only", what, file)
				}
			}
			if len(*cfg.Intercept.Hosts) > 0 {
				if cfg.Intercept.CACert == "" {
					t.Errorf("interception on and no intercept.ca_cert: the process would try to create a CA on a read-only filesystem")
				}
				for _, f := range []string{cfg.Intercept.CACert, cfg.Intercept.CAKey} {
					if !s.provided(s.c, f) {
						t.Errorf("CA file %s is not in the CA Secret's mount (a kubernetes.io/tls Secret holds tls.crt and tls.key)", f)
					}
				}
				// The default mode, 0644, is a key every user can read: the
				// process refuses it.
				if v, _ := mountOf(s.pod, s.c, cfg.Intercept.CAKey); v != nil && v.Secret != nil && (v.Secret.DefaultMode == 0 || v.Secret.DefaultMode&0o077 != 0) {
					t.Errorf("the CA key's Secret volume has defaultMode %#o: give it 0400", v.Secret.DefaultMode)
				}
			}
			grace := 30 // the API's default
			if g := s.pod.TerminationGracePeriodSeconds; g != nil {
				grace = *g
			}
			if float64(grace) <= cfg.DrainTimeout.D().Seconds() {
				t.Errorf("terminationGracePeriodSeconds %d is not above drain_timeout %v: draining streams would be killed", grace, cfg.DrainTimeout.D())
			}
			if limit := quantity(t, s.c.Resources.Limits["memory"]); cfg.Runtime.MemoryLimit == 0 || int64(cfg.Runtime.MemoryLimit) >= limit {
				t.Errorf("runtime.memory_limit %d is not set below the container's limit %d", cfg.Runtime.MemoryLimit, limit)
			}
		})
	}
}

// The admin API is never in a Service, and the probes can reach what they
// ask: the kubelet probes from the node, so a loopback admin API takes exec
// probes only, and a token-protected one an httpGet on /healthz only.
func TestSimulatorAdminAndProbes(t *testing.T) {
	entry := dockerEntrypoint(t)
	for _, s := range simulatorPods(t) {
		t.Run(s.name(), func(t *testing.T) {
			adminPort := port(s.cfg.Admin.Listen)
			for _, svc := range s.m.services {
				for _, p := range svc.Spec.Ports {
					if containerPort(s.pod, p.TargetPort) == adminPort || p.Port == adminPort {
						t.Errorf("service %s exposes the admin port %d", svc.Metadata.Name, adminPort)
					}
				}
			}
			if s.c.ReadinessProbe == nil || s.c.LivenessProbe == nil {
				t.Errorf("want readiness and liveness probes")
			}
			for _, p := range []*probe{s.c.StartupProbe, s.c.ReadinessProbe, s.c.LivenessProbe} {
				switch {
				case p == nil:
				case p.Exec != nil:
					if cmd := p.Exec.Command; len(cmd) < 2 || cmd[0] != entry || cmd[1] != "ctl" {
						t.Errorf("exec probe %q: want the image's binary %s running ctl", cmd, entry)
					}
				case p.HTTPGet != nil:
					if admin.IsLoopback(s.cfg.Admin.Listen) {
						t.Errorf("httpGet probe on %s: the admin API listens on loopback, out of the kubelet's reach", p.HTTPGet.Path)
					}
					if s.cfg.Admin.Token != "" && p.HTTPGet.Path != "/healthz" {
						t.Errorf("httpGet probe on %s: only /healthz answers without the token", p.HTTPGet.Path)
					}
					if s.portNumber(p.HTTPGet.Port) != adminPort {
						t.Errorf("httpGet probe on port %v; the admin API is on %d", p.HTTPGet.Port, adminPort)
					}
				default:
					t.Errorf("a probe that is neither exec nor httpGet")
				}
			}
		})
	}
}

// An app beside the sidecar goes through it and trusts its CA, and never
// sees the CA's key.
func TestAppUsesTheSidecar(t *testing.T) {
	apps := 0
	for _, s := range simulatorPods(t) {
		for i := range s.pod.Containers {
			app := &s.pod.Containers[i]
			env := map[string]string{}
			for _, e := range app.Env {
				env[e.Name] = e.Value
			}
			if app == s.c || env["HTTPS_PROXY"] == "" {
				continue
			}
			apps++
			u, err := url.Parse(env["HTTPS_PROXY"])
			if err != nil || u.Scheme != "http" || !admin.IsLoopback(u.Host) || port(u.Host) != port(s.cfg.Listen) {
				t.Errorf("%s: HTTPS_PROXY %q is not http:// to the sidecar's %s", app.Name, env["HTTPS_PROXY"], s.cfg.Listen)
			}
			for _, name := range []string{"SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"} {
				if env[name] == "" || !s.provided(app, env[name]) {
					t.Errorf("%s: %s=%q is not a file the pod provides", app.Name, name, env[name])
				}
			}
			for _, vm := range app.VolumeMounts {
				if v, _ := mountOf(s.pod, app, vm.MountPath+"/tls.key"); v != nil && v.Secret != nil && len(v.Secret.Items) == 0 {
					t.Errorf("%s: mounts the whole Secret %s, CA key included", app.Name, v.Secret.SecretName)
				}
			}
		}
	}
	if apps == 0 {
		t.Fatal("no app container with HTTPS_PROXY beside a sidecar")
	}
}

func (s *simulatorPod) hasPort(n int) bool {
	for _, p := range s.c.Ports {
		if p.ContainerPort == n {
			return true
		}
	}
	return false
}

func (s *simulatorPod) portNumber(p any) int {
	if n, ok := p.(int); ok {
		return n
	}
	for _, cp := range s.c.Ports {
		if cp.Name == p {
			return cp.ContainerPort
		}
	}
	return 0
}

// writable: file is on an emptyDir mounted read-write.
func (s *simulatorPod) writable(file string) bool {
	v, _ := mountOf(s.pod, s.c, file)
	for _, vm := range s.c.VolumeMounts {
		if v != nil && vm.Name == v.Name && !vm.ReadOnly {
			return v.EmptyDir != nil
		}
	}
	return false
}

// provided: file exists in c when c starts — a Secret's key (a tls
// Secret's when no items are named), or a file an init container that
// runs to completion writes into a shared emptyDir.
func (s *simulatorPod) provided(c *container, file string) bool {
	v, rel := mountOf(s.pod, c, file)
	switch {
	case v == nil:
		return false
	case v.Secret != nil && len(v.Secret.Items) == 0:
		return rel == "tls.crt" || rel == "tls.key"
	case v.Secret != nil:
		for _, it := range v.Secret.Items {
			if it.Path == rel {
				return true
			}
		}
	case v.EmptyDir != nil:
		for _, ic := range s.pod.InitContainers {
			for _, vm := range ic.VolumeMounts {
				if vm.Name == v.Name && !vm.ReadOnly && ic.RestartPolicy == "" &&
					strings.Contains(strings.Join(ic.Command, " "), path.Join(vm.MountPath, rel)) {
					return true
				}
			}
		}
	}
	return false
}

// dockerEntrypoint is where the image keeps the binary.
func dockerEntrypoint(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if args, ok := strings.CutPrefix(line, "ENTRYPOINT "); ok {
			var entry []string
			if err := json.Unmarshal([]byte(args), &entry); err == nil && len(entry) > 0 {
				return entry[0]
			}
		}
	}
	t.Fatal("the Dockerfile has no ENTRYPOINT in exec form")
	return ""
}
