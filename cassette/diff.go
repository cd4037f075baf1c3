package cassette

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// maxDifferences is how many differences a miss names: enough to see why,
// few enough for one log line.
const maxDifferences = 6

// maxShown is the longest value a difference shows; longer ones are
// "differs".
const maxShown = 40

// The ranks of differences, most telling first.
const (
	rankRoute = iota // method, path, stream
	rankModel        // the body's model
	rankKeyed        // query parameters and key headers
	rankBody         // the rest of the body
)

type difference struct {
	rank int
	text string
}

// absent stands for a member one side lacks.
type absent struct{}

// differences names what sets the request apart from a recording's
// request, the request's side first.
func differences(live, rec *Request, liveStream, recStream bool, st *settings) []string {
	var ds []difference
	add := func(rank int, format string, args ...any) {
		ds = append(ds, difference{rank, fmt.Sprintf(format, args...)})
	}
	if live.Method != rec.Method {
		add(rankRoute, "method: %s vs %s", live.Method, rec.Method)
	}
	if live.Path != rec.Path {
		add(rankRoute, "path: %s vs %s", live.Path, rec.Path)
	}
	if liveStream != recStream {
		add(rankRoute, "stream: %t vs %t", liveStream, recStream)
	}
	ds = append(ds, bodyDifferences(live.Body, rec.Body, st.ignore)...)
	lq, rq := queryValues(live.Query), queryValues(rec.Query)
	ds = append(ds, keyedDifferences("query ", lq, rq, unionKeys(lq, rq))...)
	// Only the key headers: the live request's others may be secrets.
	ds = append(ds, keyedDifferences("header ", live.Header, rec.Header, st.keyer.headers)...)
	slices.SortStableFunc(ds, func(a, b difference) int { return cmp.Compare(a.rank, b.rank) })
	out := make([]string, 0, min(len(ds), maxDifferences))
	for i, d := range ds {
		if i == maxDifferences-1 && len(ds) > maxDifferences {
			out = append(out, fmt.Sprintf("and %d more", len(ds)-i))
			break
		}
		out = append(out, d.text)
	}
	return out
}

// bodyDifferences compares two bodies member by member when both are
// JSON, or as a whole when not.
func bodyDifferences(live, rec []byte, ignore []string) []difference {
	lv, lok := decodeJSON(live)
	rv, rok := decodeJSON(rec)
	if !lok || !rok {
		if !bytes.Equal(live, rec) {
			return []difference{{rankBody, "body differs"}}
		}
		return nil
	}
	lm, lobj := lv.(map[string]any)
	rm, robj := rv.(map[string]any)
	if !lobj || !robj {
		var ds []difference
		diffValue("body", lv, rv, &ds)
		return ds
	}
	var ds []difference
	for _, k := range unionKeys(lm, rm) {
		if slices.Contains(ignore, k) {
			continue
		}
		before := len(ds)
		diffValue(k, member(lm, k), member(rm, k), &ds)
		if k == "model" {
			for i := before; i < len(ds); i++ {
				ds[i].rank = rankModel
			}
		}
	}
	return ds
}

// diffValue appends the differences between a and b, which sit at path.
func diffValue(path string, a, b any, ds *[]difference) {
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			for _, k := range unionKeys(av, bv) {
				diffValue(memberPath(path, k), member(av, k), member(bv, k), ds)
			}
			return
		}
	case []any:
		if bv, ok := b.([]any); ok {
			if len(av) != len(bv) {
				*ds = append(*ds, difference{rankBody, fmt.Sprintf("%s: %s vs %d", path, items(len(av)), len(bv))})
			}
			for i := range min(len(av), len(bv)) {
				diffValue(indexPath(path, i), av[i], bv[i], ds)
			}
			return
		}
	}
	if scalar(a) && scalar(b) && a == b {
		return
	}
	as, aok := describe(a)
	bs, bok := describe(b)
	text := path + " differs"
	if aok && bok {
		text = fmt.Sprintf("%s: %s vs %s", path, as, bs)
	}
	*ds = append(*ds, difference{rankBody, text})
}

func scalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// describe shows a value in a difference, if it is short enough.
func describe(v any) (string, bool) {
	var s string
	switch v := v.(type) {
	case absent:
		return "absent", true
	case map[string]any:
		return "an object", true
	case []any:
		return items(len(v)), true
	case string:
		s = strconv.Quote(v)
	case json.Number:
		s = string(v)
	case bool:
		s = strconv.FormatBool(v)
	case nil:
		s = "null"
	}
	return s, len(s) <= maxShown
}

func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return strconv.Itoa(n) + " items"
}

func member(m map[string]any, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return absent{}
}

// unionKeys is the names in a or b, sorted.
func unionKeys[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// keyedDifferences compares the values of names in two multi-valued
// maps (query parameters, headers).
func keyedDifferences(prefix string, live, rec map[string][]string, names []string) []difference {
	var ds []difference
	for _, k := range names {
		lv, lok := joined(live, k)
		rv, rok := joined(rec, k)
		if lok == rok && lv == rv {
			continue
		}
		ds = append(ds, difference{rankKeyed, fmt.Sprintf("%s%s: %s vs %s", prefix, k, shown(lv, lok), shown(rv, rok))})
	}
	return ds
}

func joined(m map[string][]string, k string) (string, bool) {
	v, ok := m[k]
	return strings.Join(v, ", "), ok
}

func shown(s string, present bool) string {
	switch {
	case !present:
		return "absent"
	case len(s) > maxShown:
		return "a long value"
	}
	return strconv.Quote(s)
}

// queryValues parses a raw query less its secrets, leaving values as
// they were written.
func queryValues(q string) map[string][]string {
	m := map[string][]string{}
	forEachParam(q, func(param, name string) {
		if isSecretParam(name) {
			return
		}
		_, value, _ := strings.Cut(param, "=")
		m[name] = append(m[name], value)
	})
	return m
}
