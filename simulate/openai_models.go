package simulate

import (
	"context"
	"path"
	"sort"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Models (GET /v1/models, GET /v1/models/{id}).

type openAIModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// knownOpenAIModels are listed when the config names none; their creation
// times are the public ones.
var knownOpenAIModels = []openAIModel{
	{"gpt-4o", "model", 1715367049, "system"},
	{"gpt-4o-mini", "model", 1721172741, "system"},
	{"gpt-4.1", "model", 1744316542, "system"},
	{"gpt-4.1-mini", "model", 1744318173, "system"},
	{"gpt-4.1-nano", "model", 1744321707, "system"},
	{"gpt-5", "model", 1754425777, "system"},
	{"gpt-5-mini", "model", 1754425928, "system"},
	{"o3", "model", 1744225308, "system"},
	{"o4-mini", "model", 1744225351, "system"},
	{"gpt-3.5-turbo-instruct", "model", 1692901427, "system"},
	{"text-embedding-3-small", "model", 1705948997, "system"},
	{"text-embedding-3-large", "model", 1705953180, "system"},
	{"text-embedding-ada-002", "model", 1671217299, "openai-internal"},
}

// listedModels is what GET /v1/models shows: the allow-list's exact names
// when there is one, else the known models plus every exact name the
// config overrides. keep filters by provider.
func (c *Config) listedModels(keep func(string) bool) []string {
	var names []string
	add := func(n string) {
		if !strings.ContainsAny(n, "*?[") && keep(n) {
			names = append(names, n)
		}
	}
	if len(c.AllowedModels) > 0 {
		for _, n := range c.AllowedModels {
			add(n)
		}
		return dedupe(names)
	}
	for _, o := range c.Models {
		add(o.Pattern)
	}
	return dedupe(names)
}

func dedupe(names []string) []string {
	sort.Strings(names)
	out := names[:0]
	for i, n := range names {
		if i == 0 || n != names[i-1] {
			out = append(out, n)
		}
	}
	return out
}

func isAnthropicModel(name string) bool { ok, _ := path.Match("claude*", name); return ok }

func openAIModelInfo(id string) openAIModel {
	for _, m := range knownOpenAIModels {
		if m.ID == id {
			return m
		}
	}
	return openAIModel{ID: id, Object: "model", Created: 1700000000, OwnedBy: "system"}
}

func serveOpenAIModels(_ context.Context, c *Call, out wire.Sink) error {
	list := struct {
		Object string        `json:"object"`
		Data   []openAIModel `json:"data"`
	}{Object: "list", Data: []openAIModel{}}
	seen := map[string]bool{}
	if len(c.Config.AllowedModels) == 0 {
		for _, m := range knownOpenAIModels {
			list.Data, seen[m.ID] = append(list.Data, m), true
		}
	}
	for _, n := range c.Config.listedModels(func(n string) bool { return !isAnthropicModel(n) }) {
		if !seen[n] {
			list.Data = append(list.Data, openAIModelInfo(n))
		}
	}
	return sendJSON(out, func(n int) wire.Event { return openAIHead(c, wire.NotStream, n) }, &list)
}

func serveOpenAIModel(_ context.Context, c *Call, out wire.Sink, id string) error {
	if !c.Config.allowed(id) {
		return c.fail(out, openAI, openAIModelNotFound(id))
	}
	m := openAIModelInfo(id)
	return sendJSON(out, func(n int) wire.Event { return openAIHead(c, wire.NotStream, n) }, &m)
}
