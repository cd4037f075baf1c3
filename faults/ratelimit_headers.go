package faults

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/llm-simulator/llm-simulator/wire"
)

// The providers' rate-limit headers: limit, remaining, reset, per limit.
// OpenAI reports requests and tokens only; a limit with no header of its
// provider's is enforced but not reported.
var (
	openAIRateHeaders = [nLimits][3]string{
		limRequests: {"X-Ratelimit-Limit-Requests", "X-Ratelimit-Remaining-Requests", "X-Ratelimit-Reset-Requests"},
		limTokens:   {"X-Ratelimit-Limit-Tokens", "X-Ratelimit-Remaining-Tokens", "X-Ratelimit-Reset-Tokens"},
	}
	anthropicRateHeaders = [nLimits][3]string{
		limRequests: {"Anthropic-Ratelimit-Requests-Limit", "Anthropic-Ratelimit-Requests-Remaining", "Anthropic-Ratelimit-Requests-Reset"},
		limTokens:   {"Anthropic-Ratelimit-Tokens-Limit", "Anthropic-Ratelimit-Tokens-Remaining", "Anthropic-Ratelimit-Tokens-Reset"},
		limInput:    {"Anthropic-Ratelimit-Input-Tokens-Limit", "Anthropic-Ratelimit-Input-Tokens-Remaining", "Anthropic-Ratelimit-Input-Tokens-Reset"},
		limOutput:   {"Anthropic-Ratelimit-Output-Tokens-Limit", "Anthropic-Ratelimit-Output-Tokens-Remaining", "Anthropic-Ratelimit-Output-Tokens-Reset"},
	}
	// Azure reports only what remains.
	azureRateHeaders = [nLimits][3]string{
		limRequests: {"", "X-Ratelimit-Remaining-Requests", ""},
		limTokens:   {"", "X-Ratelimit-Remaining-Tokens", ""},
	}
)

// setRateHeaders reports every configured limit in d's headers. OpenAI's
// reset is the time until the limit is full again as its API writes it
// ("1s", "6m0s", "20ms": Go's duration format), rounded up to the
// millisecond; Anthropic's is the moment it is full again, RFC 3339 in
// UTC, rounded up to the second. Rounding up means a client that waits
// as told finds the limit full.
func setRateHeaders(h http.Header, d wire.Dialect, v *verdict) {
	if d.Name() == "gemini" {
		return // Google reports no limits in headers, only in a refusal's body
	}
	names, anthropic := &openAIRateHeaders, d.Name() == "anthropic"
	if anthropic {
		names = &anthropicRateHeaders
	} else if d.Name() == "azure" {
		names = &azureRateHeaders
	}
	var buf []string // one backing array for every value: one allocation
	for i, lv := range v.view {
		n := names[i]
		if lv.limit == 0 || n[1] == "" {
			continue
		}
		if buf == nil {
			buf = make([]string, 3*nLimits)
		}
		reset := openAIDuration(lv.reset)
		if anthropic {
			reset = ceilTo(v.now.Add(lv.reset), time.Second).UTC().Format(time.RFC3339)
		}
		b := buf[3*i : 3*i+3]
		b[0], b[1], b[2] = strconv.FormatInt(lv.limit, 10), strconv.FormatInt(lv.remaining, 10), reset
		for j, name := range n {
			if name != "" {
				h[name] = b[j : j+1 : j+1]
			}
		}
	}
}

// openAIDuration writes d as OpenAI's reset headers and messages do.
func openAIDuration(d time.Duration) string { return ceilMs(d).String() }

// ceilMs rounds d up to the millisecond, the finest unit a client is told.
func ceilMs(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}

func ceilTo(t time.Time, unit time.Duration) time.Time {
	if c := t.Truncate(unit); !c.Equal(t) {
		return c.Add(unit)
	}
	return t
}

// The organization refusals name: the simulator's stand-ins for a real one.
const (
	openAIOrg    = "org-llmsim"
	anthropicOrg = "00000000-0000-4000-8000-00000011a51a"
)

// Each limit as the providers' refusals name it.
var (
	openAILimitNames    = [nLimits]string{"requests per min (RPM)", "tokens per min (TPM)", "input tokens per min (ITPM)", "output tokens per min (OTPM)"}
	anthropicLimitUnits = [nLimits]string{"requests", "tokens", "input tokens", "output tokens"}
)

// refusal is the provider's 429 for a refused request, in its words, with
// retry-after set to when the limit holds the request again (none when it
// never will).
func refusal(x *Exchange, v *verdict) *wire.APIError {
	ae := wire.Canned(x.Dialect, http.StatusTooManyRequests, "")
	ae.Header = http.Header{}
	switch x.Dialect.Name() {
	case "openai":
		ae.Type, ae.Message = openAIRefusal(x.Model, v)
	case "anthropic":
		ae.Message = fmt.Sprintf("This request would exceed the rate limit for your organization (%s) of %s %s per minute. "+
			"For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. "+
			"Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at "+
			"https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.",
			anthropicOrg, thousands(v.view[v.refused].limit), anthropicLimitUnits[v.refused])
	case "azure":
		ae.Message = wire.AzureRateLimitMessage(max(1, int(math.Ceil(v.wait.Seconds()))))
	case "gemini":
		ae.Message = geminiRefusal(x.Model, v)
	}
	if !v.tooLarge {
		RetryAfter(ae, x.Dialect, ceilMs(v.wait)) // retry-after-ms truncates
	}
	return ae
}

func openAIRefusal(model string, v *verdict) (typ, msg string) {
	typ = "tokens"
	if v.refused == limRequests {
		typ = "requests"
	}
	if model != "" {
		model = " for " + model
	}
	lv, name := v.view[v.refused], openAILimitNames[v.refused]
	const visit = " Visit https://platform.openai.com/account/rate-limits to learn more."
	if v.tooLarge {
		return typ, fmt.Sprintf("Request too large%s in organization %s on %s: Limit %d, Requested %d. "+
			"The input or output tokens must be reduced in order to run successfully."+visit,
			model, openAIOrg, name, lv.limit, v.need)
	}
	return typ, fmt.Sprintf("Rate limit reached%s in organization %s on %s: Limit %d, Used %d, Requested %d. Please try again in %s."+visit,
		model, openAIOrg, name, lv.limit, lv.limit-lv.remaining, v.need, openAIDuration(v.wait))
}

// thousands writes n with comma separators, as Anthropic's messages do.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
