package proxy

import (
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Gemini names its model and whether it streams in the path
// (/v1beta/models/{model}:streamGenerateContent), not the body; these
// give matching, the journal and the call's identity what the body gives
// for the other dialects.

// pathModel is the model and stream flag t's path gives: Gemini's, or
// nothing for the dialects that say so in the body.
func (t *target) pathModel() (model string, stream bool) {
	if t.dialect != "gemini" {
		return "", false
	}
	_, method, _ := wire.GeminiMethod(t.path)
	return wire.GeminiModel(t.path), method == geminiStreamMethod
}

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
