package admin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ctl --token-file reads a mounted secret as the server reads
// admin.token_file.
func TestReadTokenFile(t *testing.T) {
	cases := []struct {
		name, content, want, fails string
	}{
		{"a mounted secret", "s3cret\n", "s3cret", ""},
		{"empty", "\n", "", "is empty"},
		{"two lines", "a\nb\n", "", "more than one line"},
		{"missing", "", "", "token file: open"},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if tc.name != "missing" {
				if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			token, err := ReadTokenFile(file)
			if token != tc.want || (tc.fails == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.fails)) {
				t.Fatalf("got %q, %v; want %q failing with %q", token, err, tc.want, tc.fails)
			}
		})
	}
}
