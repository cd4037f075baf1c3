package proxy

// Helpers for the tests that drive the official OpenAI and Anthropic Go
// SDKs against a live Front. Every name here starts with "sdk" so these
// tests cannot collide with other test helpers in package proxy.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sdkT0 is the manual clock's start, so created timestamps are fixed.
var sdkT0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// sdkServer starts a Front over an instant, manually clocked simulator;
// edit, if not nil, adjusts the config first. Each call is a fresh
// simulator with fresh occurrence counts, which is what makes a streamed
// call and its unstreamed twin get the same seed.
func sdkServer(t *testing.T, edit func(*simulate.Config)) *httptest.Server {
	t.Helper()
	cfg := simulate.Config{Default: simulate.InstantModel(), Clock: simulate.NewManualClock(sdkT0)}
	if edit != nil {
		edit(&cfg)
	}
	srv := httptest.NewServer(&Front{Sim: simulate.New(cfg), Seed: 42})
	t.Cleanup(srv.Close)
	return srv
}

// sdkFixedText makes every answer the given text.
func sdkFixedText(text string) func(*simulate.Config) {
	return func(c *simulate.Config) { c.Default.Text = simulate.Text{Mode: simulate.Fixed, Fixed: text} }
}

// sdkOpenAIClient is an OpenAI client aimed at srv. Retries are off: a
// retry would hide the failure these tests look for.
func sdkOpenAIClient(srv *httptest.Server) openai.Client {
	return openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("test"),
		option.WithMaxRetries(0), option.WithHTTPClient(srv.Client()))
}

// sdkAnthropicClient is an Anthropic client aimed at srv. It ignores the
// environment (ANTHROPIC_* variables, profiles) so the test is hermetic.
func sdkAnthropicClient(srv *httptest.Server) anthropic.Client {
	return anthropic.NewClient(aoption.WithoutEnvironmentDefaults(), aoption.WithBaseURL(srv.URL),
		aoption.WithAPIKey("test"), aoption.WithMaxRetries(0), aoption.WithHTTPClient(srv.Client()))
}

// sdkField is the presence metadata both SDKs keep per decoded field
// (their respjson.Field types are distinct but alike).
type sdkField interface {
	Valid() bool
	Raw() string
}

// sdkPresent fails for every field that is missing or null: the SDKs
// decode both as the zero value, so only the metadata tells.
func sdkPresent(t *testing.T, what string, fields map[string]sdkField) {
	t.Helper()
	for name, f := range fields {
		if !f.Valid() {
			t.Errorf("%s: required field %q is missing or null (raw %q)", what, name, f.Raw())
		}
	}
}

// sdkNull fails for every field that is not present with the value null:
// fields the API documents as always sent, null when not applicable.
func sdkNull(t *testing.T, what string, fields map[string]sdkField) {
	t.Helper()
	for name, f := range fields {
		if f.Raw() != "null" {
			t.Errorf("%s: field %q should be present and null, got raw %q", what, name, f.Raw())
		}
	}
}

// sdkAbsent fails for every field that is present.
func sdkAbsent(t *testing.T, what string, fields map[string]sdkField) {
	t.Helper()
	for name, f := range fields {
		if f.Raw() != "" {
			t.Errorf("%s: field %q should be absent, got raw %q", what, name, f.Raw())
		}
	}
}

// sdkSchema compiles a JSON Schema given as any JSON-marshalable value.
func sdkSchema(t *testing.T, schema any) *jsonschema.Schema {
	t.Helper()
	raw, err := json.Marshal(schema)
	if err != nil {
		t.Fatalf("marshal schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("mem:///schema.json", doc); err != nil {
		t.Fatalf("add schema: %v", err)
	}
	s, err := c.Compile("mem:///schema.json")
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return s
}

// sdkValidate fails unless text is JSON valid against s.
func sdkValidate(t *testing.T, s *jsonschema.Schema, what, text string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Errorf("%s: not JSON: %v: %q", what, err, text)
		return
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s: %q does not follow its schema: %v", what, text, err)
	}
}

// sdkEvent is one server-sent event, copied out of the parser.
type sdkEvent struct {
	Name string
	Data []byte
}

// sdkPostSSE posts body to srv's path with header and returns the events
// of the event-stream answer, read with the project's own SSE parser.
func sdkPostSSE(t *testing.T, srv *httptest.Server, path string, header http.Header, body string) []sdkEvent {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: status %d: %s", path, resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("POST %s: Content-Type %q, want text/event-stream", path, ct)
	}
	var (
		p      wire.SSEParser
		events []sdkEvent
		buf    = make([]byte, 4096)
	)
	for {
		n, err := resp.Body.Read(buf)
		if ferr := p.Feed(buf[:n], func(ev wire.Event) error {
			if ev.Data != nil { // comment-only blocks are keep-alives
				events = append(events, sdkEvent{Name: ev.Name, Data: bytes.Clone(ev.Data)})
			}
			return nil
		}); ferr != nil {
			t.Fatal(ferr)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading stream: %v", err)
		}
	}
	if rest := p.Pending(); len(bytes.TrimSpace(rest)) > 0 {
		t.Errorf("stream ended inside an event: %q", rest)
	}
	return events
}

// sdkJSON decodes raw JSON into a generic value, failing the test if it is
// not JSON.
func sdkJSON(t *testing.T, what string, raw []byte) map[string]any {
	t.Helper()
	var v map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: not a JSON object: %v: %s", what, err, raw)
	}
	return v
}

// sdkWeatherSchema is a function's parameters: typed, required and
// bounded members, so generated arguments have something to get wrong.
var sdkWeatherSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"city": map[string]any{"type": "string", "minLength": 1},
		"unit": map[string]any{"type": "string", "enum": []any{"celsius", "fahrenheit"}},
		"days": map[string]any{"type": "integer", "minimum": 1, "maximum": 7},
	},
	"required":             []any{"city", "unit"},
	"additionalProperties": false,
}

// sdkTimeSchema is a second function, so a named tool_choice has a choice.
var sdkTimeSchema = map[string]any{
	"type":                 "object",
	"properties":           map[string]any{"zone": map[string]any{"type": "string"}},
	"required":             []any{"zone"},
	"additionalProperties": false,
}

// sdkPersonSchema is a structured-output schema.
var sdkPersonSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"name": map[string]any{"type": "string"},
		"age":  map[string]any{"type": "integer", "minimum": 0, "maximum": 150},
		"tags": map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "maxItems": 3},
	},
	"required":             []any{"name", "age", "tags"},
	"additionalProperties": false,
}
