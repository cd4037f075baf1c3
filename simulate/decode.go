package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

	"github.com/llm-simulator/llm-simulator/wire"
)

// badRequest is a 400 invalid_request_error.
func badRequest(param, code, format string, args ...any) *wire.APIError {
	return &wire.APIError{Status: 400, Type: "invalid_request_error", Message: fmt.Sprintf(format, args...), Param: param, Code: code}
}

// decodeOpenAI decodes body into v, reporting problems as OpenAI does.
func decodeOpenAI(body []byte, v any) *wire.APIError {
	err := decodeStrictJSON(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return badRequest(te.Field, "invalid_type", "Invalid type for '%s': expected %s, but got %s instead.",
			te.Field, article(goTypeName(te.Type)), article(jsonValueName(te.Value)))
	}
	return badRequest("", "", "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)")
}

// decodeAnthropic decodes body into v, reporting problems in the
// validation style of Anthropic's API ("field: Input should be …").
func decodeAnthropic(body []byte, v any) *wire.APIError {
	err := decodeStrictJSON(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return badRequest("", "", "Input should be a valid dictionary or object to extract fields from")
		}
		return badRequest("", "", "%s: Input should be a valid %s", te.Field, pydanticName(goTypeName(te.Type)))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := position(body, se.Offset)
		return badRequest("", "", "The request body is not valid JSON: %s: line %d column %d (char %d)",
			strings.TrimPrefix(se.Error(), "invalid character "), line, col, se.Offset)
	}
	return badRequest("", "", "The request body is not valid JSON: %v", err)
}

// decodeStrictJSON decodes one JSON value and refuses trailing data, as
// the providers' parsers do.
//
// Request bodies are decoded with goccy/go-json, three times faster than
// encoding/json on them (the front's largest cost under load); when it
// refuses a body, encoding/json decodes it again, so that errors — which
// the messages above are phrased from — are always the standard library's.
func decodeStrictJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return &json.SyntaxError{Offset: 0}
	}
	if gojson.Unmarshal(body, v) == nil {
		return nil
	}
	reflect.ValueOf(v).Elem().SetZero()
	return json.Unmarshal(body, v)
}

func position(body []byte, offset int64) (line, col int) {
	offset = min(offset, int64(len(body)))
	line = 1 + bytes.Count(body[:offset], []byte("\n"))
	col = int(offset) - bytes.LastIndexByte(body[:offset], '\n')
	return line, col
}

// unquote decodes a JSON string already known to be valid (it came out
// of a successful Unmarshal), without the decoder when nothing needs
// unescaping: message text is on every request's path.
func unquote(raw []byte) (string, error) {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// goTypeName names the JSON type a Go type decodes from.
func goTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}

// jsonValueName names what encoding/json found ("number 1.5" → "decimal").
func jsonValueName(v string) string {
	switch {
	case v == "number":
		return "integer"
	case strings.HasPrefix(v, "number "):
		if strings.ContainsAny(v, ".eE") {
			return "decimal"
		}
		return "integer"
	case v == "bool":
		return "boolean"
	}
	return v
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// pydanticName is the name Anthropic's validator gives a JSON type.
func pydanticName(t string) string {
	switch t {
	case "array":
		return "list"
	case "object":
		return "dictionary"
	}
	return t
}

// queryValue is the first value of a query parameter, "" when absent
// or when the query does not parse.
func queryValue(rawQuery, name string) string {
	q, _ := url.ParseQuery(rawQuery)
	return q.Get(name)
}
