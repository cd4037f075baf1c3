package cassette

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// The bounds of an imported archive: recordings are kilobytes to a few
// megabytes; anything far larger is not a cassette archive.
const (
	maxImportFile  = 256 << 20
	maxImportTotal = 1 << 30
)

// Rescan re-reads the cassettes with the options in force: files added or
// removed by hand are picked up.
func (s *Store) Rescan() error {
	s.mu.RLock()
	o := s.opts
	s.mu.RUnlock()
	return s.Reload(o)
}

// Purge drops the cached bodies and, when recordings is set, deletes every
// recording file too, then rescans. It returns how many files it deleted.
func (s *Store) Purge(recordings bool) (int, error) {
	deleted := 0
	if recordings {
		files, err := s.files()
		if err != nil {
			return 0, err
		}
		for _, f := range files {
			if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return deleted, fmt.Errorf("cassette: %w", err)
			}
			deleted++
		}
	}
	return deleted, s.Rescan()
}

// files lists the recording files on disk as the loader finds them.
func (s *Store) files() ([]fileRef, error) {
	s.mu.RLock()
	st := s.st
	s.mu.RUnlock()
	if st.dir == "" {
		return nil, nil
	}
	if _, err := os.Stat(st.dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var l loaded
	return l.list(st)
}

// Export writes every recording file as a gzipped tar archive, each under
// its path relative to the root cassette, and returns how many it wrote.
func (s *Store) Export(w io.Writer) (int, error) {
	files, err := s.files()
	if err != nil {
		return 0, err
	}
	root := s.Dir()
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // purged meanwhile
		}
		if err != nil {
			return n, fmt.Errorf("cassette: %w", err)
		}
		rel, _ := filepath.Rel(root, f.path)
		hdr := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), ModTime: time.Now(), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return n, err
		}
		if _, err := tw.Write(data); err != nil {
			return n, err
		}
		n++
	}
	if err := tw.Close(); err != nil {
		return n, err
	}
	return n, gz.Close()
}

// Import unpacks a gzipped tar archive of recordings (as Export writes
// them) into the cassettes, then rescans. Every entry must be a valid
// recording file under a valid cassette path; one that is not fails the
// import before anything is written. A file already present is left as it
// is and counted as skipped.
func (s *Store) Import(r io.Reader) (added, skipped int, err error) {
	files, err := readArchive(r)
	if err != nil {
		return 0, 0, err
	}
	root := s.Dir()
	if root == "" {
		return 0, 0, errors.New("cassette: no cache directory to import into")
	}
	for _, f := range files {
		ok, err := place(filepath.Join(root, filepath.FromSlash(f.name)), f.data)
		if err != nil {
			return added, skipped, err
		}
		if ok {
			added++
		} else {
			skipped++
		}
	}
	return added, skipped, s.Rescan()
}

type archived struct {
	name string
	data []byte
}

// readArchive reads and checks every entry before any is written.
func readArchive(r io.Reader) ([]archived, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("cassette: not a gzipped archive: %w", err)
	}
	tr := tar.NewReader(gz)
	var files []archived
	total := int64(0)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cassette: archive: %w", err)
		}
		if hdr.Typeflag == tar.TypeDir {
			continue
		}
		f, err := readEntry(tr, hdr, &total)
		if err != nil {
			return nil, fmt.Errorf("cassette: archive entry %q: %w", hdr.Name, err)
		}
		files = append(files, f)
	}
}

func readEntry(tr *tar.Reader, hdr *tar.Header, total *int64) (archived, error) {
	name := path.Clean(strings.TrimPrefix(hdr.Name, "./"))
	dir, base := path.Split(name)
	switch {
	case hdr.Typeflag != tar.TypeReg:
		return archived{}, errors.New("not a regular file")
	case hdr.Size > maxImportFile:
		return archived{}, fmt.Errorf("%d bytes: larger than any recording", hdr.Size)
	case !strings.HasSuffix(base, ".json") || strings.HasPrefix(base, ".") || validSegment(base) != nil:
		return archived{}, errors.New("not a recording file name")
	}
	if err := ValidName(strings.TrimSuffix(dir, "/")); err != nil {
		return archived{}, err
	}
	*total += hdr.Size
	if *total > maxImportTotal {
		return archived{}, errors.New("the archive holds more than 1 GiB")
	}
	data, err := io.ReadAll(io.LimitReader(tr, maxImportFile+1))
	if err != nil {
		return archived{}, err
	}
	if _, err := decodeFile(name, data); err != nil {
		return archived{}, err
	}
	return archived{name: name, data: data}, nil
}

// place writes data at final unless a file is there, atomically as a
// commit does.
func place(final string, data []byte) (bool, error) {
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("cassette: %w", err)
	}
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	return claim(tmp, final)
}
