package cassette

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strconv"

	"github.com/llm-simulator/llm-simulator/internal/canon"
)

// fingerprint is a request's leaves — each body scalar with its path, each
// query parameter, each key header value — hashed and sorted, so two
// requests' likeness is a merge away and the nearest recording to a miss
// is found without reading a file.
type fingerprint []uint64

// maxPrints bounds a fingerprint. Keeping the smallest hashes, not the
// first ones, keeps the count of shared leaves a fair estimate for huge
// bodies (a bottom-k sketch).
const maxPrints = 512

// printRequest fingerprints r; ignore is the top-level body members left
// out, headers the key headers.
func printRequest(r *Request, ignore, headers []string) fingerprint {
	var f fingerprint
	if v, ok := decodeJSON(r.Body); ok {
		walkLeaves("", v, ignore, func(path string, leaf any) {
			f = append(f, canon.HashString(path+"\x00"+leafText(leaf)))
		})
	} else if len(r.Body) > 0 {
		f = append(f, canon.Hash(r.Body))
	}
	forEachParam(r.Query, func(param, name string) {
		if !isSecretParam(name) {
			f = append(f, canon.HashString("?"+param))
		}
	})
	for _, name := range headers {
		for _, v := range r.Header[name] {
			f = append(f, canon.HashString(name+":"+v))
		}
	}
	slices.Sort(f)
	if len(f) > maxPrints {
		f = slices.Clip(f[:maxPrints])
	}
	return f
}

// shared counts the leaves f and g have in common.
func (f fingerprint) shared(g fingerprint) int {
	n, i, j := 0, 0, 0
	for i < len(f) && j < len(g) {
		switch {
		case f[i] < g[j]:
			i++
		case f[i] > g[j]:
			j++
		default:
			n, i, j = n+1, i+1, j+1
		}
	}
	return n
}

// decodeJSON decodes a whole JSON document, numbers kept as their text
// (as keys compare them).
func decodeJSON(data []byte) (any, bool) {
	if len(data) == 0 {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// walkLeaves calls fn with every scalar and empty container under v and
// its path, e.g. messages[2].content. Top-level members named in ignore
// are left out.
func walkLeaves(path string, v any, ignore []string, fn func(path string, leaf any)) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			fn(path, v)
		}
		for k, child := range v {
			if path == "" && slices.Contains(ignore, k) {
				continue
			}
			walkLeaves(memberPath(path, k), child, nil, fn)
		}
	case []any:
		if len(v) == 0 {
			fn(path, v)
		}
		for i, child := range v {
			walkLeaves(indexPath(path, i), child, nil, fn)
		}
	default:
		fn(path, v)
	}
}

func memberPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// leafText is a leaf's value as text, tagged by type so that the string
// "1" and the number 1 differ.
func leafText(leaf any) string {
	switch v := leaf.(type) {
	case string:
		return "s" + v
	case json.Number:
		return "n" + string(v)
	case bool:
		return "b" + strconv.FormatBool(v)
	case nil:
		return "null"
	case map[string]any:
		return "{}"
	case []any:
		return "[]"
	}
	return "?"
}
