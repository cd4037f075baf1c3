// Package schemagen generates JSON values that satisfy a JSON Schema. The
// simulator uses it to fabricate tool-call arguments (OpenAI function
// parameters, Anthropic input_schema) and response_format: json_schema
// content.
//
// # Guarantees
//
//   - Output is compact, valid UTF-8 JSON. Object keys follow the order in
//     which the schema declares its properties, like the real APIs.
//   - Output is deterministic: the same schema bytes and the same
//     *rand.Rand state give identical bytes. No map iteration order leaks.
//   - Every value is checked against the schema by an internal validator
//     before it is returned; a candidate that fails is regenerated with
//     fresh random choices, and when no candidate passes within a bounded
//     budget Generate returns an error wrapping ErrUnsatisfiable instead of
//     emitting something invalid. Malformed schemas and unresolvable
//     references give errors wrapping ErrInvalidSchema. Generate never
//     panics.
//
// # Approach
//
// The schema is parsed into an ordered tree and compiled once per distinct
// schema (compiled documents are cached). For each value the generator
// forms the conjunction of every schema that applies ($ref and allOf are
// flattened, one branch of each anyOf/oneOf and if/then/else is chosen),
// intersects their types and bounds, and builds a value constructively:
// numbers exactly with rational arithmetic (so multipleOf 0.01 is honoured
// to the digit), strings from formats, from a walk of the pattern's
// regexp/syntax tree, or from words, objects from required plus a coin
// flip per optional property, arrays from tuple, item and contains
// schemas. Past Options.MaxDepth the generator steers recursion to an end:
// null where allowed, branches that admit scalars, minimum-length arrays,
// and no optional properties.
//
// # Limits
//
//   - Only references inside the document are resolved (JSON pointers with
//     ~0/~1 and percent-encoding, $id-relative URIs, $anchor and draft-07
//     "#name" ids). $dynamicRef and $recursiveRef are treated as plain
//     references.
//   - Patterns use Go's RE2 syntax, as the validators the simulator is
//     tested with do; ECMAScript-only constructs (lookaround,
//     backreferences) make the schema an error.
//   - oneOf: a branch is chosen whose types survive removing the types of
//     the other branches that constrain nothing but type; branches told
//     apart by const/enum discriminators or required keys are exclusive by
//     construction in practice. Anything subtler (overlapping object
//     branches, not, if/else, dependentSchemas, maxContains, a pattern
//     together with a format) is generate-and-check, so exotic
//     combinations may exhaust the budget and report ErrUnsatisfiable
//     although a value exists.
//   - Budgets: 20000 attempted values, 4 MiB of string data and 2^20
//     schema checks per call; strings up to 65536 code points and
//     collections up to 4096 members. Schemas needing more are reported
//     as unsatisfiable.
//   - unevaluatedProperties: false is treated as "no keys beyond the
//     declared ones"; unevaluatedItems is ignored.
//   - Leap seconds in time formats and quoted e-mail local parts in
//     schema-supplied values are rejected (stricter than RFC 3339/5321).
//   - OpenAPI 3.0 "nullable: true" adds null to the declared types; an enum
//     alongside it must list null for null to be produced.
//   - In drafts before 2020-12 "prefixItems" is still honoured, so a
//     2019-09 schema mixing it with schema-valued "items" is read as a
//     tuple.
package schemagen
