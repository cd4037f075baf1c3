package faults

import (
	"fmt"
	"strconv"
)

// geminiQuotaMetrics are the quota metrics Google's refusals name, per
// limit.
var geminiQuotaMetrics = [nLimits]string{
	"generativelanguage.googleapis.com/generate_content_requests",
	"generativelanguage.googleapis.com/generate_content_token_count",
	"generativelanguage.googleapis.com/generate_content_input_token_count",
	"generativelanguage.googleapis.com/generate_content_output_token_count",
}

// geminiRefusal is Google's RESOURCE_EXHAUSTED message: the quota
// advice, the metric that ran out, and when to retry (which its body's
// RetryInfo also says).
func geminiRefusal(model string, v *verdict) string {
	msg := "You exceeded your current quota, please check your plan and billing details. " +
		"For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n" +
		fmt.Sprintf("* Quota exceeded for metric: %s, limit: %d", geminiQuotaMetrics[v.refused], v.view[v.refused].limit)
	if model != "" {
		msg += ", model: " + model
	}
	if v.tooLarge {
		return msg
	}
	return msg + "\nPlease retry in " + strconv.FormatFloat(ceilMs(v.wait).Seconds(), 'f', -1, 64) + "s."
}
