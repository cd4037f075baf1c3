package schemagen

import (
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// checkFormat reports whether s conforms to format f. It is used on
// values the generator did not build itself (const, enum, default,
// examples) and as a final check on those it did. Unknown formats pass:
// validators treat them as annotations.
func checkFormat(f, s string) bool {
	switch f {
	case "date-time":
		return isDateTime(s)
	case "date":
		return isDate(s)
	case "time":
		return isTime(s)
	case "duration":
		return isDuration(s)
	case "email", "idn-email":
		return isEmail(s)
	case "hostname", "idn-hostname":
		return isHostname(s)
	case "ipv4":
		return isIPv4(s)
	case "ipv6":
		a, err := netip.ParseAddr(s)
		return err == nil && strings.Contains(s, ":") && a.Zone() == ""
	case "uri", "iri":
		u, ok := parseURI(s)
		return ok && u.IsAbs()
	case "uri-reference", "iri-reference":
		_, ok := parseURI(s)
		return ok && !strings.Contains(s, `\`)
	case "uri-template":
		return isURITemplate(s)
	case "uuid":
		return isUUID(s)
	case "regex":
		_, err := regexp.Compile(s)
		return err == nil
	case "json-pointer":
		return isJSONPointer(s)
	case "relative-json-pointer":
		return isRelJSONPointer(s)
	case "semver":
		return semverRE.MatchString(s)
	case "period":
		return isPeriod(s)
	}
	return true
}

func isDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil && len(s) == 10
}

func isDateTime(s string) bool {
	return len(s) >= 20 && (s[10] == 'T' || s[10] == 't') && isDate(s[:10]) && isTime(s[11:])
}

// isTime accepts RFC 3339 full-time. Leap seconds are refused: accepting
// them correctly needs the UTC offset arithmetic and no schema relies on it.
func isTime(s string) bool {
	if len(s) < 9 || s[2] != ':' || s[5] != ':' {
		return false
	}
	if !twoDigits(s[0:2], 23) || !twoDigits(s[3:5], 59) || !twoDigits(s[6:8], 59) {
		return false
	}
	rest := s[8:]
	if strings.HasPrefix(rest, ".") {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return false
		}
		rest = rest[i:]
	}
	if rest == "Z" || rest == "z" {
		return true
	}
	return len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
		twoDigits(rest[1:3], 23) && twoDigits(rest[4:6], 59)
}

func twoDigits(s string, maxV int) bool {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return false
	}
	return int(s[0]-'0')*10+int(s[1]-'0') <= maxV
}

// isDuration accepts ISO 8601 durations as RFC 3339 appendix A defines
// them: PnW, or date units Y M D then optional T with H M S, in order.
func isDuration(s string) bool {
	s, ok := strings.CutPrefix(s, "P")
	if !ok || s == "" {
		return false
	}
	if w, ok := strings.CutSuffix(s, "W"); ok {
		return w != "" && allDigits(w)
	}
	datePart, timePart, hasT := strings.Cut(s, "T")
	if hasT && timePart == "" {
		return false
	}
	return durationUnits(datePart, "YMD") && durationUnits(timePart, "HMS")
}

func durationUnits(s, units string) bool {
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) {
			return false
		}
		j := strings.IndexByte(units, s[i])
		if j < 0 {
			return false
		}
		units, s = units[j+1:], s[i+1:]
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

const atextSpecials = ".!#$%&'*+-/=?^_`{|}~"

func isEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || len(s) > 254 || at > 64 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if !isAlnum(r) && !strings.ContainsRune(atextSpecials, r) {
			return false
		}
	}
	return isHostname(domain)
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func isHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !isAlnum(r) && r != '-' {
				return false
			}
		}
	}
	return true
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || !allDigits(p) || (len(p) > 1 && p[0] == '0') {
			return false
		}
		if n, _ := strconv.Atoi(p); n > 255 {
			return false
		}
	}
	return true
}

func parseURI(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, false
	}
	if h := u.Hostname(); strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		if err != nil || a.Zone() != "" || !strings.Contains(u.Host, "[") {
			return nil, false
		}
	}
	return u, true
}

func isURITemplate(s string) bool {
	if _, ok := parseURI(s); !ok {
		return false
	}
	open := false
	for _, r := range s {
		switch r {
		case '{':
			if open {
				return false
			}
			open = true
		case '}':
			if !open {
				return false
			}
			open = false
		}
	}
	return !open
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isJSONPointer(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '~' && (i+1 >= len(s) || (s[i+1] != '0' && s[i+1] != '1')) {
			return false
		}
	}
	return true
}

func isRelJSONPointer(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || (i > 1 && s[0] == '0') {
		return false
	}
	return s[i:] == "#" || isJSONPointer(s[i:])
}

var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

func isPeriod(s string) bool {
	start, end, ok := strings.Cut(s, "/")
	if !ok {
		return false
	}
	if strings.HasPrefix(start, "P") {
		return isDuration(start) && isDateTime(end)
	}
	if strings.HasPrefix(end, "P") {
		return isDateTime(start) && isDuration(end)
	}
	return isDateTime(start) && isDateTime(end)
}
