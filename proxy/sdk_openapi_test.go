package proxy

// Validation of raw OpenAI responses seen through the SDKs against
// OpenAI's own OpenAPI document: the SDK tolerates missing fields and wrong
// enum values, the spec does not. The spec is the one the conformance
// tests load (conformance_spec_test.go), compiled once per test binary.

import (
	"sync"
	"testing"
)

var sdkSpecMissing sync.Once

// sdkOpenAPI validates raw JSON against the spec's components/schemas/name.
// Without the spec file (it lives outside the module) the check is only
// logged as skipped — the conformance tests say so plainly — and the SDK
// checks around it still run.
func sdkOpenAPI(t *testing.T, name, what string, raw []byte) {
	t.Helper()
	confSpecOnce.Do(func() { confSpecLoaded = confLoadSpec() })
	s := confSpecLoaded
	if s.missing {
		sdkSpecMissing.Do(func() { t.Logf("OpenAPI checks skipped: no spec at %s", s.path) })
		return
	}
	if s.err != nil {
		t.Fatalf("OpenAI's OpenAPI spec at %s is unusable: %v", s.path, s.err)
	}
	s.validate(t, what, name, raw)
}

// sdkResponsesEventSchema names the spec schema of a Responses stream
// event type, as the spec's ResponseStreamEvent maps it.
func sdkResponsesEventSchema(eventType string) (string, bool) {
	confSpecOnce.Do(func() { confSpecLoaded = confLoadSpec() })
	name, ok := confSpecLoaded.eventSchema[eventType]
	return name, ok
}
