package kubernetes

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// secretValue begins the stand-in for a value a Secret holds, followed by
// the Secret's key: the tests never see a real token.
const secretValue = "a-value-from-secret-"

// openSecretFile opens, for the config's loader, a file that a Secret
// volume mounted in the simulator's container holds: a stand-in naming
// the key, with the mode the kubelet leaves — the volume's defaultMode
// (0644 when unset), plus the group's read bit when the pod sets fsGroup
// (without it, the files are root's and the non-root user reads only what
// every user may). Any other file does not exist.
func (s *simulatorPod) openSecretFile(name string) (fs.File, error) {
	v, rel := mountOf(s.pod, s.c, name)
	if v == nil || v.Secret == nil || !s.provided(s.c, name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	key := rel
	for _, it := range v.Secret.Items {
		if it.Path == rel {
			key = it.Key
		}
	}
	mode := fs.FileMode(0o644)
	if v.Secret.DefaultMode != 0 {
		mode = fs.FileMode(v.Secret.DefaultMode)
	}
	if s.pod.SecurityContext.FSGroup != nil {
		mode |= 0o440
	} else if mode&0o004 == 0 {
		// The files are root's: without fsGroup, a non-root user reads
		// only what every user may.
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return fstest.MapFS{"f": {Data: []byte(secretValue + key + "\n"), Mode: mode}}.Open("f")
}

// The admin API asks for a token in every pod, on loopback too (a
// sidecar's app shares the pod's loopback), and the token comes from a
// Secret, never from the manifest: a file of a Secret volume with
// defaultMode 0400 that no other container mounts, or an environment
// variable from a secretKeyRef. ctl in the probes finds it the same way.
func TestSimulatorAdminTokenFromASecret(t *testing.T) {
	for _, s := range simulatorPods(t) {
		t.Run(s.name(), func(t *testing.T) {
			a := s.cfg.Admin
			if !strings.HasPrefix(a.Token, secretValue) {
				t.Fatalf("the admin token does not come from a Secret (token_file %q)", a.TokenFile)
			}
			env := map[string]string{}
			for _, e := range s.c.Env {
				env[e.Name] = e.Value
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					env[e.Name] = secretValue
				}
			}
			ctlFinds := env["LLMSIM_ADMIN_TOKEN"] == secretValue
			if a.TokenFile != "" {
				s.checkTokenVolume(t, a.TokenFile)
				ctlFinds = env["LLMSIM_ADMIN_TOKEN_FILE"] == a.TokenFile
			}
			for _, p := range []*probe{s.c.StartupProbe, s.c.ReadinessProbe, s.c.LivenessProbe} {
				if p == nil || p.Exec == nil {
					continue
				}
				cmd := p.Exec.Command
				if slices.ContainsFunc(cmd, func(arg string) bool { return arg == "--token" || strings.HasPrefix(arg, "--token=") }) {
					t.Errorf("exec probe %q writes the token into the manifest", cmd)
				}
				if !ctlFinds && !slices.Contains(cmd, "--token-file="+a.TokenFile) {
					t.Errorf("exec probe %q: ctl finds no token ($LLMSIM_ADMIN_TOKEN_FILE, $LLMSIM_ADMIN_TOKEN from a Secret, or --token-file)", cmd)
				}
			}
		})
	}
}

// checkTokenVolume: the token file is in a Secret volume of mode 0400,
// mounted read-only by the simulator and by no other container.
func (s *simulatorPod) checkTokenVolume(t *testing.T, file string) {
	t.Helper()
	v, _ := mountOf(s.pod, s.c, file)
	if v == nil || v.Secret == nil {
		t.Fatalf("admin.token_file %s is not in a Secret volume", file)
	}
	if v.Secret.DefaultMode != 0o400 {
		t.Errorf("the admin token's Secret volume %s has defaultMode %04o; want 0400", v.Name, v.Secret.DefaultMode)
	}
	for _, vm := range s.c.VolumeMounts {
		if vm.Name == v.Name && !vm.ReadOnly {
			t.Errorf("the admin token's volume %s is mounted writable", v.Name)
		}
	}
	for _, c := range allContainers(s.pod) {
		for _, vm := range c.VolumeMounts {
			for _, other := range s.pod.Volumes {
				if c != s.c && other.Name == vm.Name && other.Secret != nil && other.Secret.SecretName == v.Secret.SecretName {
					t.Errorf("container %s mounts the admin token's Secret %s", c.Name, v.Secret.SecretName)
				}
			}
		}
	}
}
