package canon

import (
	"strings"
	"testing"
)

// A body nested millions deep — well inside the 32 MiB a request may
// carry — is hashed as raw bytes rather than followed down: following it
// overflowed the stack and killed the process. Nesting up to maxDepth is
// still read as JSON.
func TestDeepNestingDoesNotOverflow(t *testing.T) {
	deep := strings.Repeat("[", 8<<20) + strings.Repeat("]", 8<<20)
	if Hash([]byte(deep)) != HashString(deep) {
		t.Fatal("a document nested past maxDepth did not hash as its raw bytes")
	}
	body := `{"model":"m","x":` + deep + `}`
	if _, ok := Lookup([]byte(body), "model"); ok {
		t.Fatal("Lookup read a member of a document nested past maxDepth")
	}
	ok := strings.Repeat("[", maxDepth-1) + "1" + strings.Repeat("]", maxDepth-1)
	spaced := strings.Repeat("[ ", maxDepth-1) + "1" + strings.Repeat(" ]", maxDepth-1)
	if Hash([]byte(ok)) != Hash([]byte(spaced)) {
		t.Fatal("nesting within maxDepth is no longer read as JSON")
	}
}
