package schemagen

import (
	"fmt"
	"sync"
)

// document is a compiled schema document. It is immutable once built, so
// one instance is shared by concurrent Generate calls.
type document struct {
	root *schema
}

// The simulator sees the same tool schemas on request after request;
// compiling once per distinct schema keeps the per-request cost to the
// generation itself. Eviction is FIFO, which is enough for a small working
// set and keeps the cache trivially deterministic.
const (
	cacheSize       = 128
	maxCachedSchema = 64 << 10 // bytes; larger schemas are compiled per call
)

var docCache = struct {
	sync.Mutex
	m     map[string]*document
	order []string
}{m: map[string]*document{}}

func load(raw []byte) (*document, error) {
	docCache.Lock()
	d, ok := docCache.m[string(raw)]
	docCache.Unlock()
	if ok {
		return d, nil
	}
	d, err := compileDocument(raw)
	if err != nil {
		return nil, err
	}
	if len(raw) > maxCachedSchema {
		return d, nil
	}
	key := string(raw)
	docCache.Lock()
	defer docCache.Unlock()
	if _, ok := docCache.m[key]; !ok {
		if len(docCache.order) >= cacheSize {
			delete(docCache.m, docCache.order[0])
			docCache.order = docCache.order[1:]
		}
		docCache.m[key] = d
		docCache.order = append(docCache.order, key)
	}
	return d, nil
}

func compileDocument(raw []byte) (*document, error) {
	root, err := parseJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: not valid JSON: %w", ErrInvalidSchema, err)
	}
	c := newCompiler(root)
	if err := c.index(root, "", 0); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSchema, err)
	}
	s, err := c.compile(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSchema, err)
	}
	return &document{root: s}, nil
}
