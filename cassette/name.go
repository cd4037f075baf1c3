package cassette

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxNameLen bounds a cassette name: it becomes a path on disk.
const maxNameLen = 200

// ValidName checks a cassette name from a request header or a rule: ""
// (the root), or up to 200 characters of slash-separated segments made of
// letters, digits, '.', '_' and '-', none empty, "." or "..". A valid name
// stays inside the root.
func ValidName(name string) error {
	if name == "" {
		return nil
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("cassette: name longer than %d characters", maxNameLen)
	}
	for seg := range strings.SplitSeq(name, "/") {
		if err := validSegment(seg); err != nil {
			return fmt.Errorf("cassette: name %q: %w", name, err)
		}
	}
	return nil
}

func validSegment(seg string) error {
	switch seg {
	case "":
		return errors.New("empty segment")
	case ".", "..":
		return fmt.Errorf("segment %q", seg)
	}
	for i := 0; i < len(seg); i++ {
		if !nameByte(seg[i]) {
			return fmt.Errorf("character %q not allowed", seg[i])
		}
	}
	return nil
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// maxSlugLen keeps file names readable and well under filesystem limits.
const maxSlugLen = 64

// fileName names the nth recording of key for path, e.g.
// v1-chat-completions-3f9a0c12b4d1-2.json.
func fileName(path string, key uint64, n int) string {
	var b strings.Builder
	b.WriteString(slug(path))
	b.WriteByte('-')
	b.WriteString(fmt.Sprintf("%016x", key)[:12])
	b.WriteByte('-')
	b.WriteString(strconv.Itoa(n))
	b.WriteString(".json")
	return b.String()
}

// slug is path with every run of other characters than letters and
// digits turned into one '-'.
func slug(path string) string {
	var b strings.Builder
	dash := false
	for i := 0; i < len(path) && b.Len() < maxSlugLen; i++ {
		c := path[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteByte(c)
			dash = false
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "request"
	}
	return b.String()
}
