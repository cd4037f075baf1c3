package proxy

// Every member the SDKs declare required must be on the wire. The SDKs are
// generated from the providers' API definitions and tag each member the
// API always sends (null when it does not apply) with api:"required"; they
// decode a missing one as zero, so only a walk over those tags finds it.

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
)

// sdkMissingRequired lists, as JSON paths, the members that v's type
// declares required and raw lacks, looking into every member present.
func sdkMissingRequired(v any, raw string) []string {
	var doc any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return []string{"(not JSON: " + err.Error() + ")"}
	}
	var missing []string
	sdkWalkRequired(reflect.TypeOf(v), doc, "$", &missing)
	sort.Strings(missing)
	return slices.Compact(missing)
}

func sdkWalkRequired(typ reflect.Type, doc any, path string, missing *[]string) {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			return
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			v, present := obj[name]
			switch {
			case present:
				sdkWalkRequired(f.Type, v, path+"."+name, missing)
			case strings.Contains(f.Tag.Get("api"), "required"):
				*missing = append(*missing, path+"."+name)
			}
		}
	case reflect.Slice:
		if items, ok := doc.([]any); ok {
			for _, item := range items {
				sdkWalkRequired(typ.Elem(), item, path+"[]", missing)
			}
		}
	}
}

// sdkDeclared gathers the declared-required members missing from the
// responses it is shown, so one missing member is reported once however
// many responses lack it.
type sdkDeclared map[string]bool

// check records what raw, decoded by the SDK as v, lacks, apart from the
// members in exempt.
func (d sdkDeclared) check(v any, raw string) {
	for _, m := range sdkMissingRequired(v, raw) {
		d[fmt.Sprintf("%T %s", v, m)] = true
	}
}

// report fails the test with every missing member, sorted.
func (d sdkDeclared) report(t *testing.T) {
	t.Helper()
	if len(d) == 0 {
		return
	}
	lines := slices.Sorted(maps.Keys(d))
	t.Errorf("members the SDK declares required (api:\"required\") are missing:\n\t%s", strings.Join(lines, "\n\t"))
}

func TestSDKOpenAIDeclaredRequiredFields(t *testing.T) {
	t.Run("chat", func(t *testing.T) {
		d := sdkDeclared{}
		defer d.report(t)
		for _, tc := range sdkChatCases {
			client := sdkOpenAIClient(sdkServer(t, tc.edit))
			r, err := client.Chat.Completions.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			d.check(*r, r.RawJSON())
			p := tc.params()
			p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			_, chunks := sdkChatStream(t, client, p)
			for _, c := range chunks {
				d.check(c, c.RawJSON())
			}
		}
	})
	t.Run("completions", func(t *testing.T) {
		d := sdkDeclared{}
		defer d.report(t)
		for _, tc := range sdkLegacyCases {
			client := sdkOpenAIClient(sdkServer(t, tc.edit))
			r, err := client.Completions.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			d.check(*r, r.RawJSON())
		}
	})
	t.Run("embeddings and models", func(t *testing.T) {
		d := sdkDeclared{}
		defer d.report(t)
		client := sdkOpenAIClient(sdkServer(t, nil))
		e, err := client.Embeddings.New(t.Context(), openai.EmbeddingNewParams{Model: "text-embedding-3-small",
			Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hello")}})
		if err != nil {
			t.Fatal(err)
		}
		d.check(*e, e.RawJSON())
		page, err := client.Models.List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Data {
			d.check(m, m.RawJSON())
		}
	})
	for _, tc := range sdkResponsesCases {
		t.Run("responses/"+tc.name, func(t *testing.T) {
			d := sdkDeclared{}
			defer d.report(t)
			client := sdkOpenAIClient(sdkServer(t, tc.edit))
			r, err := client.Responses.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			d.check(*r, r.RawJSON())
			for _, ev := range sdkResponsesStream(t, client, tc.params()) {
				d.check(ev.AsAny(), ev.RawJSON())
			}
		})
	}
}

func TestSDKAnthropicDeclaredRequiredFields(t *testing.T) {
	for _, tc := range sdkMessageCases {
		t.Run("messages/"+tc.name, func(t *testing.T) {
			d := sdkDeclared{}
			defer d.report(t)
			client := sdkAnthropicClient(sdkServer(t, tc.edit))
			m, err := client.Messages.New(t.Context(), tc.params())
			if err != nil {
				t.Fatal(err)
			}
			d.check(*m, m.RawJSON())
			stream := client.Messages.NewStreaming(t.Context(), tc.params())
			defer stream.Close()
			for stream.Next() {
				ev := stream.Current()
				d.check(ev.AsAny(), ev.RawJSON())
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("count_tokens and models", func(t *testing.T) {
		d := sdkDeclared{}
		defer d.report(t)
		client := sdkAnthropicClient(sdkServer(t, nil))
		c, err := client.Messages.CountTokens(t.Context(), anthropic.MessageCountTokensParams{Model: sdkClaude,
			Messages: sdkMessage("hi").Messages})
		if err != nil {
			t.Fatal(err)
		}
		d.check(*c, c.RawJSON())
		page, err := client.Models.List(t.Context(), anthropic.ModelListParams{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Data {
			d.check(m, m.RawJSON())
		}
	})
}
