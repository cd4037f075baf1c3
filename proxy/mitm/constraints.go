package mitm

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// Name constraints are what keep a CA of ours from being a universal
// interception key: a client that trusts the CA accepts a certificate it
// signs only for a name within one of its permitted DNS subtrees, and for
// no IP address at all. They bind only the name forms they list, so the
// IP ranges are excluded explicitly (0.0.0.0/0 and ::/0); without that a
// leaf naming an IP would pass.
//
// A DNS subtree is written without a leading dot, which RFC 5280 defines
// and every verifier reads alike: "openai.azure.com" permits that name and
// every name below it. The leading-dot form (".openai.azure.com", below
// only) is an extension some verifiers do not take; we never write it,
// but read it in a CA of the user's.

// Errors a name or a CA is refused with.
var (
	ErrNotPermitted  = errors.New("the CA's name constraints do not permit this name")
	ErrIPName        = errors.New("no certificate is minted for an IP address")
	ErrUnconstrained = errors.New("the CA has no name constraints: it can sign for any site")
	ErrNotCovered    = errors.New("the CA's name constraints do not cover every intercepted host")
	ErrNoSubtree     = errors.New("a glob with no literal parent of two labels or more cannot be covered by a name-constrained CA")
)

// Subtree returns the DNS subtree a CA must permit to cover every host a
// host glob (as intercept.hosts writes them) can match: the name itself
// for a literal name, and for a glob the literal labels after its last
// wildcard ("*.openai.azure.com" → openai.azure.com, "api-*.example.com"
// → example.com). A glob whose literal part is shorter than two labels
// ("*", "*.com", "api.*") would need a constraint covering a whole
// top-level domain or more, and is refused.
func Subtree(glob string) (string, error) {
	glob = canonicalName(glob)
	meta := strings.LastIndexAny(glob, `*?[]\`)
	switch {
	case glob == "":
		return "", ErrNoName
	case meta < 0 && net.ParseIP(glob) != nil:
		return "", fmt.Errorf("%q: %w", glob, ErrIPName)
	case meta < 0:
		return glob, nil
	}
	rest := glob[meta+1:]
	dot := strings.IndexByte(rest, '.')
	if dot < 0 || !strings.Contains(rest[dot+1:], ".") {
		return "", fmt.Errorf("%q: %w", glob, ErrNoSubtree)
	}
	return rest[dot+1:], nil
}

// permittedSubtrees turns host globs into the CA's permitted subtrees, in
// order, each once, and none that another already holds.
func permittedSubtrees(hosts []string) ([]string, error) {
	var trees []string
	for _, h := range hosts {
		t, err := Subtree(h)
		if err != nil {
			return nil, fmt.Errorf("mitm: cannot make a CA for %w", err)
		}
		trees = append(trees, t)
	}
	kept := trees[:0]
	for i, t := range trees {
		if !heldByAnother(t, i, trees) {
			kept = append(kept, t)
		}
	}
	return kept, nil
}

// heldByAnother reports whether trees[i] is within another subtree of
// trees, or repeats one listed earlier.
func heldByAnother(t string, i int, trees []string) bool {
	for j, o := range trees {
		if j != i && ((t == o && j < i) || (t != o && permits(o, t))) {
			return true
		}
	}
	return false
}

// permits reports whether DNS constraint c permits name: "" everything, a
// leading dot the names below it, otherwise the name and those below.
func permits(c, name string) bool {
	c = canonicalName(c)
	switch {
	case c == "":
		return true
	case c[0] == '.':
		return len(name) > len(c) && strings.HasSuffix(name, c)
	}
	return name == c || strings.HasSuffix(name, "."+c)
}

// coversTree reports whether constraint c permits every name of subtree
// tree but perhaps tree itself, which a glob's subtree never needs: the
// glob "*.openai.azure.com" is covered by ".openai.azure.com" too.
func coversTree(c, tree string) bool {
	if c = canonicalName(c); c != "" && c[0] == '.' {
		return tree == c[1:] || strings.HasSuffix(tree, c)
	}
	return permits(c, tree)
}

// Constrained reports whether the CA is name-constrained for the names a
// leaf can carry: permitted DNS subtrees, and IP addresses either
// excluded or limited to permitted ranges. A CA without that can sign a
// certificate for any site its clients visit.
func (ca *CA) Constrained() bool {
	c := ca.cert
	if len(c.PermittedDNSDomains) == 0 {
		return false
	}
	if len(c.PermittedIPRanges) > 0 {
		return true
	}
	var v4, v6 bool
	for _, r := range c.ExcludedIPRanges {
		if ones, _ := r.Mask.Size(); ones == 0 {
			v4 = v4 || len(r.IP) == net.IPv4len
			v6 = v6 || len(r.IP) == net.IPv6len
		}
	}
	return v4 && v6
}

// Permits reports whether a client enforcing the CA's name constraints
// would accept a leaf the CA signs for the DNS name: within a permitted
// subtree (any, when the CA lists none) and within no excluded one.
func (ca *CA) Permits(name string) bool {
	name = canonicalName(name)
	c := ca.cert
	for _, e := range c.ExcludedDNSDomains {
		if permits(e, name) {
			return false
		}
	}
	if len(c.PermittedDNSDomains) == 0 {
		return true
	}
	for _, p := range c.PermittedDNSDomains {
		if permits(p, name) {
			return true
		}
	}
	return false
}

// Uncovered lists the host globs that leaves from the CA could not serve
// for every host they match: outside its permitted subtrees, reaching into
// an excluded one, or not coverable at all (see Subtree). A CA without
// name constraints covers everything, and that is its danger: see
// Constrained.
func (ca *CA) Uncovered(hosts []string) []string {
	var out []string
	for _, h := range hosts {
		if !ca.covers(h) {
			out = append(out, h)
		}
	}
	return out
}

func (ca *CA) covers(glob string) bool {
	tree, err := Subtree(glob)
	if err != nil {
		return false
	}
	literal := !strings.ContainsAny(glob, `*?[]\`)
	for _, e := range ca.cert.ExcludedDNSDomains {
		// A glob's hosts reach into an excluded subtree below its own.
		below := !literal && permits(tree, strings.TrimPrefix(canonicalName(e), "."))
		if permits(e, tree) || below {
			return false
		}
	}
	if len(ca.cert.PermittedDNSDomains) == 0 {
		return true
	}
	for _, p := range ca.cert.PermittedDNSDomains {
		if (literal && permits(p, tree)) || (!literal && coversTree(p, tree)) {
			return true
		}
	}
	return false
}

// CheckCovers is the check a CA passes before it serves hosts: it must be
// name-constrained (ErrUnconstrained) and cover each host
// (ErrNotCovered, wrapped in an *UncoveredError naming them).
func (ca *CA) CheckCovers(hosts []string) error {
	if !ca.Constrained() {
		return &UncoveredError{CertFile: ca.certFile, Err: ErrUnconstrained}
	}
	if missing := ca.Uncovered(hosts); len(missing) > 0 {
		return &UncoveredError{CertFile: ca.certFile, Hosts: missing, Err: ErrNotCovered}
	}
	return nil
}

// UncoveredError is a CA refused for the hosts it was to serve.
type UncoveredError struct {
	CertFile string   // the CA's certificate file, "" when not read from disk
	Hosts    []string // the hosts not covered; none when the CA is unconstrained
	Err      error    // ErrUnconstrained or ErrNotCovered
}

func (e *UncoveredError) Error() string {
	name := "the interception CA"
	if e.CertFile != "" {
		name += " " + e.CertFile
	}
	if len(e.Hosts) == 0 {
		return fmt.Sprintf("%s: %v", name, e.Err)
	}
	return fmt.Sprintf("%s: %v: %s", name, e.Err, strings.Join(e.Hosts, ", "))
}

func (e *UncoveredError) Unwrap() error { return e.Err }
