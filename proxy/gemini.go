package proxy

import (
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

const geminiStreamMethod = "streamGenerateContent"

// identityPath is the path a call's identity hashes, and whether the path
// asks for a stream: a streamed Gemini call hashes as its unstreamed
// twin, so the two get the same answer, as a body's "stream" does for the
// other dialects.
func (t *target) identityPath() (string, bool) {
	if t.dialect != "gemini" {
		return t.path, false
	}
	if base, ok := strings.CutSuffix(t.path, ":"+geminiStreamMethod); ok {
		return base + ":generateContent", true
	}
	return t.path, false
}

// apiDialect is the dialect a provider's request is in: its own, but
// OpenAI's for the OpenAI-compatible API Google serves on Gemini's host
// (/v1beta/openai/…), which OpenAI's SDKs call there.
func apiDialect(dialect, path string) string {
	if dialect == "gemini" && strings.HasPrefix(path, wire.GeminiOpenAIPrefix) {
		return "openai"
	}
	return dialect
}
