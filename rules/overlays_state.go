package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
)

// stateFile is what the state file holds: the overlays, for the next
// process or the next start.
type stateFile struct {
	Version int             `json:"version"`
	Toggles map[string]bool `json:"toggles"`
	Faults  []savedFault    `json:"faults"`
}

// savedFault is a temporary fault as saved: what it was given and when it
// ends. It is checked again when loaded, as a body would be.
type savedFault struct {
	ID      string           `json:"id"`
	Match   config.MatchSpec `json:"match"`
	Faults  json.RawMessage  `json:"faults"`
	Scope   string           `json:"scope,omitempty"`
	Expires time.Time        `json:"expires"`
}

// stateVersion is the state file's format.
const stateVersion = 1

// Load replaces the overlays with those saved in the state file. A
// missing file (or none configured) is an empty state; one that cannot be
// read, or whose faults no longer check, is an error naming the file and
// changes nothing, and the caller carries on with what it has. Faults
// expired since they were saved are dropped.
func (o *Overlays) Load() error { return o.LoadMigrating("") }

// LoadMigrating is Load that, when the state file does not exist yet,
// takes the overlays from old instead (AdminConfig.LegacyStateFile: an
// earlier version's file beside the config) and saves them to the state
// file at once, so old is read this once. old may be "".
func (o *Overlays) LoadMigrating(old string) error {
	if o.file == "" {
		return nil
	}
	from := o.file
	data, err := os.ReadFile(from)
	if errors.Is(err, fs.ErrNotExist) && old != "" {
		from = old
		data, err = os.ReadFile(from)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("overlays: state file: %w", err)
	}
	toggles, list, err := o.decodeState(data)
	if err != nil {
		return fmt.Errorf("overlays: state file %s: %w", from, err)
	}
	o.mu.Lock()
	o.dropState(func(string) bool { return true })
	o.toggles = toggles
	o.publishLocked(list)
	if from != o.file {
		err = o.saveLocked()
	}
	o.mu.Unlock()
	o.notify()
	return err
}

// decodeState reads and checks a state file's content.
func (o *Overlays) decodeState(data []byte) (map[string]bool, []*tempFault, error) {
	var st stateFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return nil, nil, err
	}
	if st.Version != stateVersion {
		return nil, nil, fmt.Errorf("version %d is not %d", st.Version, stateVersion)
	}
	if st.Toggles == nil {
		st.Toggles = map[string]bool{}
	}
	now := o.now()
	var list []*tempFault
	seen := map[string]bool{}
	for _, sf := range st.Faults {
		if seen[sf.ID] || sf.ID == "" {
			return nil, nil, fmt.Errorf("temporary fault id %q is empty or used twice", sf.ID)
		}
		seen[sf.ID] = true
		if !now.Before(sf.Expires) {
			continue
		}
		tf, err := o.restore(sf)
		if err != nil {
			return nil, nil, fmt.Errorf("temporary fault %s: %w", sf.ID, err)
		}
		list = append(list, tf)
	}
	return st.Toggles, list, nil
}

// restore checks a saved fault again and binds it under its saved id.
func (o *Overlays) restore(sf savedFault) (*tempFault, error) {
	body, err := json.Marshal(struct {
		Match  config.MatchSpec `json:"match"`
		Faults json.RawMessage  `json:"faults"`
		Scope  string           `json:"scope,omitempty"`
	}{sf.Match, sf.Faults, sf.Scope})
	if err != nil {
		return nil, err
	}
	spec, err := parseTempFault("saved fault", body, false)
	if err != nil {
		return nil, err
	}
	return o.bind(spec, sf.ID, sf.Expires)
}

// saveLocked writes the overlays to the state file, if there is one, and
// keeps the outcome for Err. o.mu held: saves happen in the order of the
// changes they record.
func (o *Overlays) saveLocked() error {
	if o.file == "" {
		return nil
	}
	st := stateFile{Version: stateVersion, Toggles: o.toggles, Faults: []savedFault{}}
	now := o.now()
	for _, tf := range o.inForce() {
		if now.Before(tf.Expires) {
			st.Faults = append(st.Faults, savedFault{ID: tf.ID, Match: tf.Match, Faults: tf.Faults, Scope: tf.Scope, Expires: tf.Expires})
		}
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err == nil {
		err = writeAtomic(o.file, append(data, '\n'))
	}
	if err != nil {
		err = fmt.Errorf("overlays: saving the state file: %w", err)
	}
	o.saveErr = err
	return err
}

// writeAtomic replaces path with data so that a reader, or the next
// process after a crash, sees the old content or the new, never a part:
// a temporary file beside it, synced, then renamed over it.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the system allows it; a
// failure only means the rename may be lost in a crash, as without it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
