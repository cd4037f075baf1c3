package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The conformance tests judge what the simulator sends by OpenAI's
// published OpenAPI spec. The spec is MIT-licensed but 3.4 MB, so it is
// never copied into this repository: it is found at test time, and the
// tests skip, saying where they looked, when it is absent.

// confSpecEnv names the variable that points the tests at the spec.
const confSpecEnv = "OPENAI_OPENAPI_SPEC"

// confSpecURL is the spec's identity inside the schema compiler. It is
// never fetched: the document is added as a resource under this name so
// that "#/components/schemas/X" references resolve within it.
const confSpecURL = "https://openapi.invalid/openai/openapi.json"

// confTopSchemas are the schemas the tests validate against directly;
// the stream event schemas named by ResponseStreamEvent are added to them.
var confTopSchemas = []string{
	"CreateChatCompletionResponse", "CreateChatCompletionStreamResponse",
	"CreateCompletionResponse", "CreateEmbeddingResponse",
	"ListModelsResponse", "Model", "Response",
	"ErrorResponse", "ResponseErrorEvent",
}

// confSpecSet is the spec, loaded and compiled once per test binary.
type confSpecSet struct {
	path    string // where the spec was looked for
	origin  string // how that path was chosen
	missing bool   // no file at path
	err     error  // the file is there but could not be used

	schemas map[string]*jsonschema.Schema // by component name; read-only once loaded
	// eventSchema maps a Responses stream event type to its schema's
	// name, read from the spec's ResponseStreamEvent.
	eventSchema map[string]string
	adapted     confAdaptCounts

	mu     sync.Mutex     // guards counts
	counts map[string]int // documents validated per schema
}

var (
	confSpecOnce   sync.Once
	confSpecLoaded *confSpecSet
)

// confSpec returns the compiled spec, skipping the test when the file is
// absent and failing it when the file is there but unusable.
func confSpec(t *testing.T) *confSpecSet {
	t.Helper()
	confSpecOnce.Do(func() { confSpecLoaded = confLoadSpec() })
	s := confSpecLoaded
	if s.missing {
		t.Skipf("OpenAI's OpenAPI spec is not at %s (%s), so the conformance tests cannot run. "+
			"To run them, set %s to the path of openapi.json, or put a clone of the reference material "+
			"next to this module so that ../shared/reference/openai-openapi/openapi.json exists.",
			s.path, s.origin, confSpecEnv)
	}
	if s.err != nil {
		t.Fatalf("OpenAI's OpenAPI spec at %s (%s) is unusable: %v", s.path, s.origin, s.err)
	}
	return s
}

// confSpecPath says where the spec should be: $OPENAI_OPENAPI_SPEC, else
// ../shared/reference/openai-openapi/openapi.json beside the module root
// (the directory holding go.mod), which is where CI clones it.
func confSpecPath() (path, origin string, err error) {
	if p := os.Getenv(confSpecEnv); p != "" {
		return p, "from $" + confSpecEnv, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", errors.New("no go.mod above the package directory")
		}
		dir = parent
	}
	p := filepath.Clean(filepath.Join(dir, "..", "shared", "reference", "openai-openapi", "openapi.json"))
	return p, "beside the module root " + dir + "; $" + confSpecEnv + " is not set", nil
}

func confLoadSpec() *confSpecSet {
	s := &confSpecSet{counts: map[string]int{}}
	var err error
	s.path, s.origin, err = confSpecPath()
	if err != nil {
		s.err = err
		return s
	}
	raw, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.missing = true
		return s
	}
	if err != nil {
		s.err = err
		return s
	}
	s.err = s.compile(raw)
	return s
}

// compile adapts the spec's schemas for a draft 2020-12 validator (see
// confAdaptSchemas) and compiles every schema the tests use.
func (s *confSpecSet) compile(raw []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("parsing: %w", err)
	}
	root, _ := doc.(map[string]any)
	components, _ := root["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	if len(schemas) == 0 {
		return errors.New("no components.schemas")
	}
	s.adapted = confAdaptSchemas(schemas)
	s.eventSchema, err = confStreamEventSchemas(schemas)
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	// OpenAPI 3.1's schema dialect is draft 2020-12 plus annotations
	// (discriminator, example, x-*) that a validator ignores as unknown
	// keywords. format stays an annotation, as the draft has it.
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(confSpecURL, doc); err != nil {
		return err
	}
	names := append([]string(nil), confTopSchemas...)
	for _, n := range s.eventSchema {
		names = append(names, n)
	}
	s.schemas = make(map[string]*jsonschema.Schema, len(names))
	for _, n := range names {
		sch, err := c.Compile(confSpecURL + "#/components/schemas/" + n)
		if err != nil {
			return fmt.Errorf("compiling %s: %w", n, err)
		}
		s.schemas[n] = sch
	}
	return nil
}

// confStreamEventSchemas reads the Responses stream's event types from
// ResponseStreamEvent: each alternative is a $ref to a schema whose "type"
// property is a one-value enum.
func confStreamEventSchemas(schemas map[string]any) (map[string]string, error) {
	ev, _ := schemas["ResponseStreamEvent"].(map[string]any)
	alts, _ := ev["anyOf"].([]any)
	if len(alts) == 0 {
		alts, _ = ev["oneOf"].([]any)
	}
	out := map[string]string{}
	for _, a := range alts {
		ref, _ := a.(map[string]any)["$ref"].(string)
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if !ok {
			continue
		}
		sch, _ := schemas[name].(map[string]any)
		props, _ := sch["properties"].(map[string]any)
		typ, _ := props["type"].(map[string]any)
		if enum, _ := typ["enum"].([]any); len(enum) == 1 {
			if v, ok := enum[0].(string); ok {
				out[v] = name
			}
		} else if v, ok := typ["const"].(string); ok {
			out[v] = name
		}
	}
	if len(out) == 0 {
		return nil, errors.New("ResponseStreamEvent names no event schemas")
	}
	return out, nil
}

// validate checks the JSON document raw against a component schema.
// label says which response it came from.
func (s *confSpecSet) validate(t *testing.T, label, schema string, raw []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Errorf("%s: not JSON (%v):\n%s", label, err, confTruncate(raw, 2<<10))
		return
	}
	s.validateValue(t, label, schema, v, raw)
}

// validateValue checks an already decoded document; raw is what was
// received, shown on failure.
func (s *confSpecSet) validateValue(t *testing.T, label, schema string, v any, raw []byte) {
	t.Helper()
	err := s.check(schema, v)
	if err == nil {
		return
	}
	if errors.Is(err, confErrNoSchema) {
		t.Fatalf("%s: %v", label, err)
	}
	detail := []byte(err.Error())
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		if out, merr := json.MarshalIndent(ve.DetailedOutput(), "", "  "); merr == nil {
			detail = out
		}
	}
	t.Errorf("%s: does not match #/components/schemas/%s\n%v\ndetailed output:\n%s\nJSON (%d bytes):\n%s",
		label, schema, err, confTruncate(detail, 8<<10), len(raw), confTruncate(raw, 2<<10))
}

var confErrNoSchema = errors.New("schema not compiled; add it to confTopSchemas")

// check validates a decoded document against a component schema and
// counts it.
func (s *confSpecSet) check(schema string, v any) error {
	sch, ok := s.schemas[schema]
	if !ok {
		return fmt.Errorf("%s: %w", schema, confErrNoSchema)
	}
	s.mu.Lock()
	s.counts[schema]++
	s.mu.Unlock()
	return sch.Validate(v)
}

// countsSince reports how many documents each schema has checked since
// the snapshot before was taken.
func (s *confSpecSet) countsSince(before map[string]int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for n, c := range s.counts {
		if d := c - before[n]; d > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", n, d))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func (s *confSpecSet) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		m[k] = v
	}
	return m
}

// confLogCounts logs, when t ends, how many documents it validated per
// schema: a test that checked nothing should not look like a pass.
func confLogCounts(t *testing.T, s *confSpecSet) {
	before := s.snapshot()
	t.Cleanup(func() { t.Logf("validated: %s", s.countsSince(before)) })
}

func confTruncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + fmt.Sprintf("… (%d more bytes)", len(b)-n)
}

// TestConformanceSpec reports which spec is in use and what was adapted
// in it, and checks that the adaptation found what it expects to find.
func TestConformanceSpec(t *testing.T) {
	s := confSpec(t)
	t.Logf("spec: %s (%s)", s.path, s.origin)
	t.Logf("adapted: %+v", s.adapted)
	t.Logf("compiled %d schemas; %d Responses stream event types", len(s.schemas), len(s.eventSchema))
	if s.adapted.Nullable == 0 {
		t.Error("no nullable: true found: the spec changed shape, recheck confAdaptSchemas")
	}
}
