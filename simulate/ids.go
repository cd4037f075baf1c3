package simulate

import (
	"encoding/base64"
	"math/rand/v2"
)

const (
	alnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	hexd   = "0123456789abcdef"
	// base64URL is the alphabet of Gemini's responseId.
	base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)

// ids draws identifiers shaped like each provider's from the call's ID
// stream, so they are reproducible like the rest of the answer.
type ids struct {
	r   *rand.Rand
	src *rand.PCG // r's source, so idFrom's draws stay off the heap
}

// from draws n characters of alphabet after prefix.
func (g ids) from(prefix, alphabet string, n int) string { return idFrom(g.src, prefix, alphabet, n) }

// idFrom draws n characters of alphabet after prefix, eight bits of one
// 64-bit draw per character; the modulo bias is irrelevant to an id.
//
// It takes the concrete PCG and fills a stack buffer because it runs
// several times per request: through an interface both would escape.
func idFrom(src *rand.PCG, prefix, alphabet string, n int) string {
	var buf [64]byte
	b := buf[:0]
	if len(prefix)+n > len(buf) {
		b = make([]byte, 0, len(prefix)+n)
	}
	b = b[:len(prefix)+n]
	copy(b, prefix)
	var bits uint64
	for i := len(prefix); i < len(b); i++ {
		if (i-len(prefix))%8 == 0 {
			bits = src.Uint64()
		}
		b[i] = alphabet[int(bits&0xff)%len(alphabet)]
		bits >>= 8
	}
	return string(b)
}

// OpenAI: chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT, call_…, req_<32 hex>,
// resp_<50 hex>.
func (g ids) chatCompletion() string { return g.from("chatcmpl-", alnum, 29) }
func (g ids) completion() string     { return g.from("cmpl-", alnum, 29) }
func (g ids) toolCall() string       { return g.from("call_", alnum, 24) }
func (g ids) openAIRequest() string  { return g.from("req_", hexd, 32) }
func (g ids) response() string       { return g.from("resp_", hexd, 50) }
func (g ids) outputMessage() string  { return g.from("msg_", hexd, 50) }
func (g ids) functionCall() string   { return g.from("fc_", hexd, 50) }

// Anthropic: msg_013Zva2CMHLNnXjNJJKqJ2EF, toolu_01…, req_011C….
func (g ids) message() string          { return g.from("msg_01", base58, 22) }
func (g ids) toolUse() string          { return g.from("toolu_01", base58, 22) }
func (g ids) anthropicRequest() string { return g.from(anthropicRequestPrefix, base58, 20) }

const anthropicRequestPrefix = "req_011C"

// signature is an opaque thinking-block signature: base64 of random bytes,
// as long as the real ones.
func (g ids) signature() string {
	b := make([]byte, 96)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return base64.StdEncoding.EncodeToString(b)
}
