package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/llm-simulator/llm-simulator/wire"
)

// geminiRequest is a GenerateContentRequest: the body of generateContent
// and streamGenerateContent, and of countTokens' generateContentRequest.
type geminiRequest struct {
	Model             *string           `json:"model"` // only inside countTokens' generateContentRequest
	Contents          *[]geminiContent  `json:"contents"`
	SystemInstruction *geminiContent    `json:"systemInstruction"`
	GenerationConfig  *geminiGenConfig  `json:"generationConfig"`
	Tools             []geminiTool      `json:"tools"`
	ToolConfig        *geminiToolConfig `json:"toolConfig"`
	SafetySettings    []struct {
		Category  *string `json:"category"`
		Threshold *string `json:"threshold"`
	} `json:"safetySettings"`
	CachedContent *string         `json:"cachedContent"`
	Labels        json.RawMessage `json:"labels"`
}

type geminiContent struct {
	Role  *string      `json:"role"`
	Parts []geminiPart `json:"parts"`
}

// geminiPart is one part of a content: exactly one of its data fields is
// set. Media and code parts are accepted and counted, never produced.
type geminiPart struct {
	Text                *string             `json:"text"`
	Thought             *bool               `json:"thought"`
	ThoughtSignature    *string             `json:"thoughtSignature"`
	InlineData          json.RawMessage     `json:"inlineData"`
	FileData            json.RawMessage     `json:"fileData"`
	FunctionCall        *geminiFunctionCall `json:"functionCall"`
	FunctionResponse    *geminiFunctionResp `json:"functionResponse"`
	ExecutableCode      json.RawMessage     `json:"executableCode"`
	CodeExecutionResult json.RawMessage     `json:"codeExecutionResult"`
}

type geminiFunctionCall struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args,omitempty"`
}

type geminiFunctionResp struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Response json.RawMessage `json:"response"`
}

type geminiGenConfig struct {
	MaxOutputTokens    *int            `json:"maxOutputTokens"`
	CandidateCount     *int            `json:"candidateCount"`
	StopSequences      []string        `json:"stopSequences"`
	Temperature        *float64        `json:"temperature"`
	TopP               *float64        `json:"topP"`
	TopK               *float64        `json:"topK"`
	Seed               *int64          `json:"seed"`
	PresencePenalty    *float64        `json:"presencePenalty"`
	FrequencyPenalty   *float64        `json:"frequencyPenalty"`
	ResponseMimeType   *string         `json:"responseMimeType"`
	ResponseSchema     json.RawMessage `json:"responseSchema"`
	ResponseJSONSchema json.RawMessage `json:"responseJsonSchema"`
	ResponseModalities []string        `json:"responseModalities"`
	ThinkingConfig     *struct {
		ThinkingBudget  *int  `json:"thinkingBudget"`
		IncludeThoughts *bool `json:"includeThoughts"`
	} `json:"thinkingConfig"`
}

// geminiTool offers function declarations; Google's own tools (search,
// code execution, …) are accepted and never called.
type geminiTool struct {
	FunctionDeclarations []geminiFunctionDecl `json:"functionDeclarations"`
}

type geminiFunctionDecl struct {
	Name                 *string         `json:"name"`
	Description          *string         `json:"description"`
	Parameters           json.RawMessage `json:"parameters"`
	ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema"`
}

type geminiToolConfig struct {
	FunctionCallingConfig *struct {
		Mode                 *string  `json:"mode"`
		AllowedFunctionNames []string `json:"allowedFunctionNames"`
	} `json:"functionCallingConfig"`
}

const maxGeminiCandidates = 8

var (
	geminiRoles     = []string{"user", "model", "function", "tool"}
	geminiMimeTypes = []string{"text/plain", "application/json", "application/xml", "application/yaml", "text/x.enum"}
	geminiCallModes = []string{"MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"}
)

// decodeGemini decodes body into v, reporting problems as Google's JSON
// parser does.
func decodeGemini(body []byte, v any) *wire.APIError {
	err := decodeStrictJSON(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return geminiInvalid("Invalid value at '%s' (%s), %s", snakePath(te.Field), protoType(te.Type.String()),
			valueBefore(bytes.TrimSpace(body), te.Offset, te.Value))
	}
	if errors.As(err, &te) {
		return geminiInvalid("Invalid JSON payload received. Expected an object, got %s.", te.Value)
	}
	return geminiInvalid("Invalid JSON payload received. Unexpected token.")
}

// valueBefore is the scalar JSON value that ends at offset in body, as
// Google's messages quote the value they refused; kind when it is not a
// scalar.
func valueBefore(body []byte, offset int64, kind string) string {
	end := int(min(max(offset, 0), int64(len(body))))
	v := bytes.TrimRight(body[:end], " \t\r\n")
	if len(v) == 0 {
		return kind
	}
	if v[len(v)-1] == '"' {
		for i := len(v) - 2; i >= 0; i-- {
			if v[i] == '"' && (i == 0 || v[i-1] != '\\') {
				return string(v[i:])
			}
		}
		return kind
	}
	i := bytes.LastIndexAny(v, ":,[ \t\r\n")
	if tok := v[i+1:]; len(tok) > 0 && !bytes.ContainsAny(tok, "{}[]") {
		return string(tok)
	}
	return kind
}

// snakePath writes a JSON path as Google's messages do: snake_case.
func snakePath(path string) string {
	var b strings.Builder
	for i, r := range path {
		if unicode.IsUpper(r) {
			if i > 0 && path[i-1] != '.' {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// protoType names the protobuf type a Go type stands for.
func protoType(goType string) string {
	t := strings.TrimLeft(goType, "*[]")
	switch {
	case t == "string":
		return "TYPE_STRING"
	case t == "bool":
		return "TYPE_BOOL"
	case strings.HasPrefix(t, "int"):
		return "TYPE_INT32"
	case strings.HasPrefix(t, "float"):
		return "TYPE_FLOAT"
	}
	return "TYPE_MESSAGE"
}

func (r *geminiRequest) validate() *wire.APIError {
	const req = "GenerateContentRequest"
	if r.Contents == nil || len(*r.Contents) == 0 {
		return geminiViolation(req, "contents", "contents is not specified")
	}
	for i, c := range *r.Contents {
		if e := c.validate(fmt.Sprintf("contents[%d]", i)); e != nil {
			return e
		}
	}
	if r.SystemInstruction != nil {
		if e := r.SystemInstruction.validate("system_instruction"); e != nil {
			return e
		}
	}
	if e := r.GenerationConfig.validate(); e != nil {
		return e
	}
	return r.validateTools()
}

func (c *geminiContent) validate(at string) *wire.APIError {
	const req = "GenerateContentRequest"
	if c.Role != nil && *c.Role != "" && !oneOf(*c.Role, geminiRoles) {
		return geminiInvalid("Please use a valid role: user, model.")
	}
	if len(c.Parts) == 0 {
		return geminiViolation(req, at+".parts", "contents.parts must not be empty.")
	}
	for j, p := range c.Parts {
		if p.kinds() != 1 {
			return geminiViolation(req, fmt.Sprintf("%s.parts[%d].data", at, j), "required oneof field 'data' must have one initialized field")
		}
		if p.FunctionCall != nil && p.FunctionCall.Name == "" {
			return geminiViolation(req, fmt.Sprintf("%s.parts[%d].function_call.name", at, j), "Name cannot be empty.")
		}
	}
	return nil
}

// kinds counts the data fields a part sets.
func (p *geminiPart) kinds() int {
	n := 0
	for _, set := range []bool{p.Text != nil, len(p.InlineData) > 0, len(p.FileData) > 0, p.FunctionCall != nil,
		p.FunctionResponse != nil, len(p.ExecutableCode) > 0, len(p.CodeExecutionResult) > 0} {
		if set {
			n++
		}
	}
	return n
}

func (g *geminiGenConfig) validate() *wire.APIError {
	const req = "GenerateContentRequest"
	switch {
	case g == nil:
		return nil
	case g.CandidateCount != nil && (*g.CandidateCount < 1 || *g.CandidateCount > maxGeminiCandidates):
		return geminiViolation(req, "generation_config.candidate_count", "must be in the range [1, %d].", maxGeminiCandidates)
	case g.MaxOutputTokens != nil && *g.MaxOutputTokens < 0:
		return geminiViolation(req, "generation_config.max_output_tokens", "max_output_tokens must be positive.")
	case g.Temperature != nil && (*g.Temperature < 0 || *g.Temperature > 2):
		return geminiViolation(req, "generation_config.temperature", "temperature must be in the range [0.0, 2.0].")
	case g.TopP != nil && (*g.TopP < 0 || *g.TopP > 1):
		return geminiViolation(req, "generation_config.top_p", "top_p must be in the range [0.0, 1.0].")
	case len(g.StopSequences) > 5:
		return geminiViolation(req, "generation_config.stop_sequences", "at most 5 stop sequences are allowed.")
	case g.ResponseMimeType != nil && *g.ResponseMimeType != "" && !oneOf(*g.ResponseMimeType, geminiMimeTypes):
		return geminiViolation(req, "generation_config.response_mime_type", "allowed mimetypes are `text/plain`, `application/json`, `application/xml`, `application/yaml` and `text/x.enum`.")
	case len(g.ResponseSchema) > 0 && len(g.ResponseJSONSchema) > 0:
		return geminiViolation(req, "generation_config.response_schema", "response_schema and response_json_schema cannot both be set.")
	}
	if (len(g.ResponseSchema) > 0 || len(g.ResponseJSONSchema) > 0) && !g.jsonOut() {
		return geminiViolation(req, "generation_config.response_mime_type", "response_mime_type must be application/json when a response schema is set.")
	}
	return nil
}

func (g *geminiGenConfig) jsonOut() bool {
	return g != nil && g.ResponseMimeType != nil && *g.ResponseMimeType == "application/json"
}

func (r *geminiRequest) validateTools() *wire.APIError {
	const req = "GenerateContentRequest"
	for i, t := range r.Tools {
		for j, f := range t.FunctionDeclarations {
			at := fmt.Sprintf("tools[%d].function_declarations[%d]", i, j)
			if f.Name == nil || *f.Name == "" {
				return geminiViolation(req, at+".name", "Name cannot be empty.")
			}
			for _, s := range []json.RawMessage{f.Parameters, f.ParametersJSONSchema} {
				if len(s) > 0 && rawKind(s) != "object" && rawKind(s) != "null" {
					return geminiViolation(req, at+".parameters", "parameters must be an object.")
				}
			}
		}
	}
	fc := r.ToolConfig
	if fc == nil || fc.FunctionCallingConfig == nil || fc.FunctionCallingConfig.Mode == nil {
		return nil
	}
	if mode := *fc.FunctionCallingConfig.Mode; !oneOf(mode, geminiCallModes) {
		return geminiInvalid("Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), %q", mode)
	}
	for _, name := range fc.FunctionCallingConfig.AllowedFunctionNames {
		if r.declared(name) == nil {
			return geminiViolation(req, "tool_config.function_calling_config.allowed_function_names",
				"Function %q is not declared in the request's tools.", name)
		}
	}
	return nil
}

// declared is the function declaration of that name, nil if none.
func (r *geminiRequest) declared(name string) *geminiFunctionDecl {
	for i := range r.Tools {
		for j := range r.Tools[i].FunctionDeclarations {
			if f := &r.Tools[i].FunctionDeclarations[j]; f.Name != nil && *f.Name == name {
				return f
			}
		}
	}
	return nil
}
