// Package simulate answers LLM API calls the way the providers do, without
// calling them: OpenAI's chat completions, legacy completions, embeddings,
// models and Responses API, Anthropic's Messages API, and Google Gemini's
// generateContent, countTokens, embeddings and models, streaming and not,
// with tool calls, structured output and thinking.
//
// A call flows through four steps:
//
//	decode + validate ─► plan ─► pace ─► render
//	(provider errors)   (tokens, tool calls, finish reason; from the RNG)
//	                              (TTFT, inter-token gaps; Clock)
//	                                       (provider JSON or SSE events → wire.Sink)
//
// The plan is drawn from an RNG that belongs to the call (seeded by the
// caller from the config seed, the canonical request and its occurrence),
// split into independent streams for content, timing and identifiers, so a
// streamed call and the same call unstreamed produce the same message, and
// the same requests give the same answers whatever their interleaving.
//
// Every response goes out as wire events, never straight to the
// connection, so faults act on simulated responses as on any other. Every
// wait selects on the call's context: a client that goes away stops its
// generation at once.
package simulate
