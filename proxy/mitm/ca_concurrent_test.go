package mitm

import (
	"path/filepath"
	"sync"
	"testing"
)

// TestLoadOrCreateConcurrent has many callers create the CA of one empty
// directory at once; all must end with the same CA.
func TestLoadOrCreateConcurrent(t *testing.T) {
	const callers = 32
	dir := t.TempDir()
	cas := make([]*CA, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { cas[i], errs[i] = LoadOrCreate(dir, testSpec) })
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !cas[i].Certificate().Equal(cas[0].Certificate()) {
			t.Errorf("caller %d got %v, caller 0 got %v", i, cas[i], cas[0])
		}
	}
	if _, err := Load(cas[0].CertFile(), filepath.Join(dir, KeyFileName)); err != nil {
		t.Errorf("the files left behind do not load: %v", err)
	}
}
