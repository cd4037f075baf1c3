package simulate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// The helpers below phrase validation errors as OpenAI does.

func missing(param string) *wire.APIError {
	return badRequest(param, "missing_required_parameter", "Missing required parameter: '%s'.", param)
}

func invalidValue(param, got string, allowed []string) *wire.APIError {
	return badRequest(param, "invalid_value", "Invalid value: '%s'. Supported values are: %s.", got, quoteList(allowed))
}

// quoteList renders 'a', 'b', and 'c'.
func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "'" + s + "'"
	}
	switch len(q) {
	case 1:
		return q[0]
	case 2:
		return q[0] + " and " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + ", and " + q[len(q)-1]
}

func intAtLeast(param string, v *int, lo int) *wire.APIError {
	if v != nil && *v < lo {
		return badRequest(param, "integer_below_min_value", "Invalid '%s': integer below minimum value. Expected a value >= %d, but got %d instead.", param, lo, *v)
	}
	return nil
}

func intBetween(param string, v *int, lo, hi int) *wire.APIError {
	if e := intAtLeast(param, v, lo); e != nil {
		return e
	}
	if v != nil && *v > hi {
		return badRequest(param, "integer_above_max_value", "Invalid '%s': integer above maximum value. Expected a value <= %d, but got %d instead.", param, hi, *v)
	}
	return nil
}

func numBetween(param string, v *float64, lo, hi float64) *wire.APIError {
	switch {
	case v == nil:
		return nil
	case *v < lo:
		return badRequest(param, "decimal_below_min_value", "Invalid '%s': decimal below minimum value. Expected a value >= %s, but got %s instead.", param, num(lo), num(*v))
	case *v > hi:
		return badRequest(param, "decimal_above_max_value", "Invalid '%s': decimal above maximum value. Expected a value <= %s, but got %s instead.", param, num(hi), num(*v))
	}
	return nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// rawKind names the JSON type of a raw value as the API's messages do.
func rawKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	switch raw[0] {
	case '"':
		return "string"
	case '[':
		return "array"
	case '{':
		return "object"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	if strings.ContainsAny(string(raw), ".eE") {
		return "decimal"
	}
	return "integer"
}

// errSchema turns a schema the generator cannot satisfy into the 400 the
// provider gives for an invalid schema.
func errSchema(err error, param string) *wire.APIError {
	if e, ok := err.(*errBadSchema); ok {
		if e.tool != "" {
			return badRequest(param, "invalid_function_parameters", "Invalid schema for function '%s': %v", e.tool, e.err)
		}
		return badRequest(param, "invalid_json_schema", "Invalid schema for response_format: %v", e.err)
	}
	return badRequest(param, "", "%v", fmt.Sprint(err))
}
