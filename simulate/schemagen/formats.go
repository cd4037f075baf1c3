package schemagen

import (
	"fmt"
	"net/netip"
	"strings"
)

var formatGens = map[string]func(g *gen, attempt, minLen int) string{
	"date-time":             (*gen).dateTime,
	"date":                  (*gen).date,
	"time":                  (*gen).timeOfDay,
	"duration":              (*gen).duration,
	"email":                 (*gen).email,
	"idn-email":             (*gen).email,
	"hostname":              (*gen).hostname,
	"idn-hostname":          (*gen).hostname,
	"ipv4":                  (*gen).ipv4,
	"ipv6":                  (*gen).ipv6,
	"uri":                   (*gen).uri,
	"iri":                   (*gen).uri,
	"uri-reference":         (*gen).uriRef,
	"iri-reference":         (*gen).uriRef,
	"uri-template":          (*gen).uriTemplate,
	"uuid":                  (*gen).uuid,
	"regex":                 (*gen).regex,
	"json-pointer":          (*gen).jsonPointer,
	"relative-json-pointer": (*gen).relJSONPointer,
	"semver":                (*gen).semver,
	"period":                (*gen).period,
}

func knownFormat(f string) bool {
	_, ok := formatGens[f]
	return ok
}

// genFormat makes a value of format f. minLen lets the formats with
// free-length parts (host labels, path segments) grow to fit.
func (g *gen) genFormat(f string, attempt, minLen int) string {
	if fn, ok := formatGens[f]; ok {
		return fn(g, attempt, minLen)
	}
	return ""
}

// labels returns n dot-separated lowercase words, growing until the
// result plus suffix reaches minLen.
func (g *gen) labels(n int, sep, suffix string, minLen int) string {
	var b strings.Builder
	for i := 0; i < n || b.Len()+len(suffix) < minLen; i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(g.word())
	}
	return b.String() + suffix
}

func (g *gen) word() string {
	// Format values must stay ASCII letters, whatever Options.Words holds.
	return lorem[g.r.IntN(len(lorem))]
}

func (g *gen) date(int, int) string {
	return fmt.Sprintf("%04d-%02d-%02d", 2020+g.r.IntN(7), 1+g.r.IntN(12), 1+g.r.IntN(28))
}

func (g *gen) clock() string {
	return fmt.Sprintf("%02d:%02d:%02d", g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
}

func (g *gen) zone() string {
	if g.r.IntN(3) > 0 {
		return "Z"
	}
	sign := "+"
	if g.r.IntN(2) == 0 {
		sign = "-"
	}
	return fmt.Sprintf("%s%02d:%02d", sign, g.r.IntN(12), 15*g.r.IntN(4))
}

func (g *gen) dateTime(int, int) string  { return g.date(0, 0) + "T" + g.clock() + g.zone() }
func (g *gen) timeOfDay(int, int) string { return g.clock() + g.zone() }

func (g *gen) duration(int, int) string {
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("P%dD", 1+g.r.IntN(30))
	case 1:
		return fmt.Sprintf("PT%dH%dM", 1+g.r.IntN(12), g.r.IntN(60))
	case 2:
		return fmt.Sprintf("PT%dM", 1+g.r.IntN(90))
	}
	return fmt.Sprintf("P%dW", 1+g.r.IntN(8))
}

func (g *gen) email(attempt, minLen int) string {
	if attempt > 2 && minLen < 6 {
		return fmt.Sprintf("%c@%c.io", 'a'+rune(g.r.IntN(26)), 'a'+rune(g.r.IntN(26)))
	}
	return g.labels(2, ".", "", 0) + "@" + g.labels(1, ".", ".com", minLen-20)
}

func (g *gen) hostname(attempt, minLen int) string {
	if attempt > 2 && minLen == 0 {
		return g.word()
	}
	return g.labels(1, ".", ".example.com", minLen)
}

func (g *gen) ipv4(int, int) string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(223), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *gen) ipv6(int, int) string {
	var a [16]byte
	a[0], a[1], a[2], a[3] = 0x20, 0x01, 0x0d, 0xb8 // documentation prefix
	for i := 8; i < 16; i++ {
		a[i] = byte(g.r.IntN(256))
	}
	return netip.AddrFrom16(a).String()
}

func (g *gen) uri(attempt, minLen int) string {
	if attempt > 2 && minLen == 0 {
		return "urn:" + g.word()
	}
	return "https://" + g.word() + ".example.com/" + g.labels(1, "/", "", minLen-22)
}

func (g *gen) uriRef(attempt, minLen int) string {
	if g.r.IntN(2) == 0 {
		return g.uri(attempt, minLen)
	}
	return "/" + g.labels(2, "/", "", minLen)
}

func (g *gen) uriTemplate(int, int) string {
	return "https://api.example.com/" + g.word() + "/{id}"
}

func (g *gen) uuid(int, int) string {
	const hex = "0123456789abcdef"
	var b [36]byte
	for i := range b {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
		case 14:
			b[i] = '4'
		case 19:
			b[i] = hex[8+g.r.IntN(4)]
		default:
			b[i] = hex[g.r.IntN(16)]
		}
	}
	return string(b[:])
}

var sampleRegexps = []string{`^[a-z]+$`, `\d{3}-\d{4}`, `^(foo|bar)\.json$`, `[A-Z][a-z]*`, `^\w+@\w+\.com$`}

func (g *gen) regex(int, int) string { return sampleRegexps[g.r.IntN(len(sampleRegexps))] }

func (g *gen) jsonPointer(attempt, minLen int) string {
	if attempt > 2 && minLen == 0 {
		return ""
	}
	return "/" + g.labels(1, "/", "/"+fmt.Sprint(g.r.IntN(5)), minLen)
}

func (g *gen) relJSONPointer(int, int) string {
	if g.r.IntN(3) == 0 {
		return fmt.Sprintf("%d#", g.r.IntN(3))
	}
	return fmt.Sprintf("%d/%s", g.r.IntN(3), g.word())
}

func (g *gen) semver(int, int) string {
	v := fmt.Sprintf("%d.%d.%d", g.r.IntN(5), g.r.IntN(20), g.r.IntN(20))
	if g.r.IntN(4) == 0 {
		v += "-" + strings.ToLower(g.word()) + ".1"
	}
	return v
}

func (g *gen) period(int, int) string {
	return g.dateTime(0, 0) + "/" + g.duration(0, 0)
}
