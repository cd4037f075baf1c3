package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// UserStateDir is where a user's programs keep state that should outlive
// a run but is not configuration: $XDG_STATE_HOME when set (to an
// absolute path) on any system; otherwise ~/.local/state on Linux and
// the other Unix systems (the XDG base directory specification), the
// user's Application Support directory on macOS (os.UserConfigDir, as
// macOS keeps no separate place for state), and %LocalAppData% on Windows
// (os.UserCacheDir: state belongs to the machine, not the roaming
// profile). The standard library has os.UserConfigDir and
// os.UserCacheDir, and no os.UserStateDir.
func UserStateDir() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return dir, nil
	}
	switch runtime.GOOS {
	case "windows":
		return os.UserCacheDir()
	case "darwin", "ios":
		return os.UserConfigDir()
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state"), nil
}

// DefaultStateFile is where the admin API's runtime changes are kept for
// the config file at path when its admin.state_file does not say:
// <UserStateDir>/llm-simulator/NAME-HASH.state.json, NAME the file's name
// without its extension and HASH from its absolute path, so that two
// configs never share a state file and nothing is written beside the
// config, which is often in a working tree. An empty path is the
// embedded default config, whose state is default.state.json there.
func DefaultStateFile(path string) (string, error) {
	dir, err := UserStateDir()
	if err != nil {
		return "", err
	}
	name := "default"
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256([]byte(abs))
		name = fileNamePart(strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))) + "-" + hex.EncodeToString(sum[:6])
	}
	return filepath.Join(dir, "llm-simulator", name+".state.json"), nil
}

// fileNamePart keeps the letters, digits, dots, hyphens and underscores
// of s, at most 64 of them, for a file name that says whose it is.
func fileNamePart(s string) string {
	out := []rune{}
	for _, r := range s {
		if len(out) == 64 {
			break
		}
		if r > 0x7f || !(r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			r = '_'
		}
		out = append(out, r)
	}
	return string(out)
}

// legacyStateFile is the state file an earlier version kept for the
// config file at path when admin.state_file did not say, if one is there
// and the state file now used is not: .NAME.state.json beside the config,
// or where a bug put it for a relative path with a directory (dir/dir/).
// Its content is taken over once, at start (Overlays.LoadMigrating).
func legacyStateFile(path, current string) string {
	if path == "" || current == "" {
		return ""
	}
	if _, err := os.Stat(current); !errors.Is(err, fs.ErrNotExist) {
		return "" // there already, or unreadable: not to be overwritten
	}
	dir := filepath.Dir(path)
	base := "." + strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + ".state.json"
	candidates := []string{filepath.Join(dir, base)}
	if !filepath.IsAbs(dir) && dir != "." {
		candidates = append(candidates, filepath.Join(dir, dir, base))
	}
	for _, f := range candidates {
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			return f
		}
	}
	return ""
}

// warnState says where the state went when that may surprise: nowhere,
// for want of a state directory; or to a new place, taking over a file an
// earlier version kept beside the config.
func (c *Config) warnState(e *errs) {
	switch {
	case c.Admin.StateFile == "":
		c.Warnings = append(c.Warnings, &Error{File: e.file,
			Msg: "admin: no user state directory (is $HOME set?): rule toggles and temporary faults will not outlive the process; set admin.state_file to keep them"})
	case c.Admin.legacyStateFile != "":
		c.Warnings = append(c.Warnings, &Error{File: e.file,
			Msg: fmt.Sprintf("admin: %s, where an earlier version kept the runtime state, is read once at start: its toggles and temporary faults are kept in %s from then on, and it can be deleted", c.Admin.legacyStateFile, c.Admin.StateFile)})
	}
}
