package schemagen

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

var lorem = strings.Fields(`lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod
tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation
ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit
esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui
officia deserunt mollit anim id est laborum`)

// vocabulary sanitises caller-supplied words: empty entries would make
// empty "text" and invalid UTF-8 would be silently rewritten on output,
// breaking length accounting.
func vocabulary(words []string) []string {
	if words == nil {
		return lorem
	}
	clean := true
	for _, w := range words {
		if w == "" || !utf8.ValidString(w) {
			clean = false
			break
		}
	}
	if clean && len(words) > 0 {
		return words
	}
	out := make([]string, 0, len(words))
	for _, w := range words {
		if w = strings.ToValidUTF8(w, "\uFFFD"); w != "" {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return lorem
	}
	return out
}

var (
	people    = []string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Linus Torvalds", "Margaret Hamilton", "Ken Thompson", "Barbara Liskov", "Dennis Ritchie"}
	cities    = []string{"Paris", "Tokyo", "San Francisco", "Berlin", "Buenos Aires", "Nairobi", "Sydney", "Toronto", "Mumbai", "Oslo"}
	countries = []string{"France", "Japan", "United States", "Germany", "Argentina", "Kenya", "Australia", "Canada", "India", "Norway"}
	zones     = []string{"Europe/Paris", "Asia/Tokyo", "America/Los_Angeles", "UTC", "Australia/Sydney"}
)

// hinted returns plausible content for a property whose name says what it
// holds. It is only a first guess: the caller checks the result.
func (g *gen) hinted(hint string) (string, bool) {
	if hint == "" {
		return "", false
	}
	h := strings.ToLower(hint)
	pick := func(xs []string) string { return xs[g.r.IntN(len(xs))] }
	switch {
	case strings.Contains(h, "email"):
		return g.genFormat("email", 0, 0), true
	case strings.Contains(h, "url") || strings.Contains(h, "website") || strings.Contains(h, "link"):
		return g.genFormat("uri", 0, 0), true
	case strings.Contains(h, "timezone") || h == "tz":
		return pick(zones), true
	case strings.Contains(h, "datetime") || strings.Contains(h, "timestamp") || strings.HasSuffix(h, "_at"):
		return g.genFormat("date-time", 0, 0), true
	case strings.Contains(h, "date"):
		return g.genFormat("date", 0, 0), true
	case strings.Contains(h, "city"):
		return pick(cities), true
	case strings.Contains(h, "country"):
		return pick(countries), true
	case strings.Contains(h, "location") || strings.Contains(h, "address"):
		i := g.r.IntN(len(cities))
		return cities[i] + ", " + countries[i], true
	case strings.Contains(h, "phone"):
		return fmt.Sprintf("+1-555-%04d", g.r.IntN(10000)), true
	case h == "id" || strings.HasSuffix(h, "_id") || strings.HasSuffix(h, "uuid"):
		return g.genFormat("uuid", 0, 0), true
	case h == "username" || h == "user" || h == "login":
		return fmt.Sprintf("%s%d", pick(g.words), g.r.IntN(100)), true
	case strings.Contains(h, "filename") || strings.Contains(h, "file_name"):
		return pick(g.words) + ".txt", true
	case h == "name" || strings.HasSuffix(h, "_name") || strings.HasSuffix(h, "fullname") || h == "author":
		return pick(people), true
	case h == "language" || h == "lang" || h == "locale":
		return "en", true
	case strings.Contains(h, "currency"):
		return pick([]string{"USD", "EUR", "JPY", "GBP"}), true
	}
	return "", false
}
