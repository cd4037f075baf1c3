package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of config errors")

// goldenOptions stand in for the cassette store's checks, which the
// command wires in.
var goldenOptions = Options{
	CassetteName: func(name string) error {
		if strings.Contains(name, "..") {
			return errors.New("a cassette name may not climb out of cache.dir")
		}
		return nil
	},
	SecretHeader: func(name string) bool { return name == "Authorization" },
}

// Every file in testdata/errors is refused with the messages in its
// .golden file: the positions and words users see are pinned.
func TestConfigErrorGoldens(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no error fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := Load(f, goldenOptions)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("%s loaded: %v", f, err)
			}
			got := list.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./rules -run ConfigErrorGoldens -args -update)", err)
			}
			if got != string(want) {
				t.Errorf("errors changed:\n--- want\n%s--- got\n%s", want, got)
			}
		})
	}
}
