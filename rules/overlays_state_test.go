package rules

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/faults"
)

func TestStateFileRestoresTogglesAndFaults(t *testing.T) {
	clk := newTestClock()
	file := filepath.Join(t.TempDir(), "sub", "state.json") // the directory is made
	o := NewOverlays(faults.NewStore(), clk.now, file)
	if err := o.SetEnabled("a", false); err != nil {
		t.Fatal(err)
	}
	tf := addFault(t, o, `{"match":{"model":"gpt-*","headers":{"x-t":"a"}},"faults":[{"error":{"status":503,"times":2}},{"latency":{"dist":"constant","value":"5ms"}}],"ttl":"1m","scope":"t1"}`)
	short := addFault(t, o, `{"faults":[{"abort":{}}],"ttl":"10s"}`)

	clk.set(t0.Add(20 * time.Second)) // short has expired
	next := NewOverlays(faults.NewStore(), clk.now, file)
	if err := next.Load(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(next.Toggles(), map[string]bool{"a": false}) {
		t.Fatalf("toggles %v", next.Toggles())
	}
	got := next.Faults()
	if len(got) != 1 || got[0].ID != tf.ID || !got[0].Expires.Equal(tf.Expires) || got[0].Scope != "t1" ||
		!reflect.DeepEqual(got[0].Match, tf.Match) || string(got[0].Faults) != string(tf.Faults) || got[0].Left != 40*time.Second {
		t.Fatalf("restored %+v\nwant %+v (and not %s)", got, tf, short.ID)
	}
	r := scoped("t1", "gpt-4o")
	r.Header.Set("x-t", "a")
	if n := len(next.FaultsFor(r)); n != 2 {
		t.Fatalf("the restored fault gives %d instances", n)
	}
}

func TestStateFileMissingIsEmpty(t *testing.T) {
	o := NewOverlays(faults.NewStore(), nil, filepath.Join(t.TempDir(), "none.json"))
	if err := o.Load(); err != nil || len(o.Toggles()) != 0 || len(o.Faults()) != 0 {
		t.Fatalf("err %v", err)
	}
	if err := NewOverlays(faults.NewStore(), nil, "").Load(); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptStateFileIsAnErrorNamingIt(t *testing.T) {
	future := t0.Add(time.Hour).Format(time.RFC3339)
	cases := []struct{ name, content, want string }{
		{"not JSON", `{"version": 1, "toggles": {`, "unexpected EOF"},
		{"unknown field", `{"version": 1, "togles": {}}`, `unknown field "togles"`},
		{"another version", `{"version": 2}`, "version 2 is not 1"},
		{"a fault that no longer checks", `{"version": 1, "faults": [{"id": "f-000001", "faults": [{"error": {"status": 200}}], "expires": "` + future + `"}]}`,
			"temporary fault f-000001: saved fault:1:23: error: status 200 is not an error status"},
		{"an id twice", `{"version": 1, "faults": [{"id": "f-1", "faults": [{"abort": {}}], "expires": "` + future + `"}, {"id": "f-1", "faults": [{"abort": {}}], "expires": "` + future + `"}]}`,
			`temporary fault id "f-1" is empty or used twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(file, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			o := NewOverlays(faults.NewStore(), newTestClock().now, file)
			_ = o.SetEnabled("kept", true) // in memory; saving it would replace the file
			if err := os.WriteFile(file, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			err := o.Load()
			if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v: want the file's name and %q", err, c.want)
			}
			if !o.Toggles()["kept"] {
				t.Fatal("a failed Load changed the overlays")
			}
		})
	}
}

// Readers of the state file see a whole file, old or new, however often
// it is written; no temporary file is left beside it.
func TestStateFileIsWrittenAtomically(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	o := NewOverlays(faults.NewStore(), nil, file)
	if err := o.SetEnabled("r0", true); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad error
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			data, err := os.ReadFile(file)
			var st stateFile
			if err == nil {
				err = json.Unmarshal(data, &st)
			}
			if err != nil {
				bad = err
				return
			}
		}
	})
	for i := range 200 {
		if err := o.SetEnabled("r"+strings.Repeat("x", i%50), i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if bad != nil {
		t.Fatalf("a reader saw a partial file: %v", bad)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("directory holds %v (%v)", entries, err)
	}
}

// A save that fails leaves no temporary file, reports the failure, and
// keeps the change in force.
func TestFailedSaveIsReported(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "state.json")
	if err := os.Mkdir(file, 0o755); err != nil { // renaming onto a directory fails
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(file, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := NewOverlays(faults.NewStore(), nil, file)
	err := o.SetEnabled("a", false)
	if on, ok := o.Toggles()["a"]; err == nil || o.Err() == nil || !ok || on {
		t.Fatalf("err %v, Err %v, toggles %v", err, o.Err(), o.Toggles())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %v", entries)
	}
	if err := os.RemoveAll(file); err != nil {
		t.Fatal(err)
	}
	if err := o.SetEnabled("b", true); err != nil || o.Err() != nil {
		t.Fatalf("once the path is free: %v, %v", err, o.Err())
	}
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		t.Fatal("no file written")
	}
}
