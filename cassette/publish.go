package cassette

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// link is os.Link, replaced in tests to take the fallback path of
// filesystems without hard links.
var link = os.Link

// maxTries bounds the search for a free file name.
const maxTries = 10000

// publish writes data to the first free name(n), name(n+1), … in dir,
// creating dir if needed, and returns the file's path. A reader never sees
// a partial file: data goes to a temporary file (a dot-name the loader
// passes over), which is then linked under its final name — a link, unlike
// a rename, fails rather than replace a file a concurrent commit just
// published. There is no fsync: a recording lost to a power cut is
// recorded again, and a torn one is skipped with a warning.
func publish(dir string, data []byte, name func(n int) string, n int) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cassette: %w", err)
	}
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp) // after a link the recording has its own name too
	for range maxTries {
		final := filepath.Join(dir, name(n))
		n++
		switch placed, err := claim(tmp, final); {
		case err != nil:
			return "", err
		case placed:
			return final, nil
		}
	}
	return "", fmt.Errorf("cassette: no free file name in %s after %d tries", dir, maxTries)
}

// claim gives the temporary file tmp the name final unless a file has it,
// reporting whether it did.
func claim(tmp, final string) (bool, error) {
	err := link(tmp, final)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	// No hard links here: check, then rename. Two commits could race
	// between the two steps, which only a link rules out.
	if _, err := os.Lstat(final); err == nil {
		return false, nil
	}
	if err := os.Rename(tmp, final); err != nil {
		return false, fmt.Errorf("cassette: %w", err)
	}
	return true, nil
}

func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".recording-*.tmp")
	if err != nil {
		return "", fmt.Errorf("cassette: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp's 0600 would hide recordings from a CI user
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("cassette: %w", err)
	}
	return f.Name(), nil
}
