package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxTokenFile bounds what is read of admin.token_file: a token is a
// line, and a file far larger is the wrong file.
const maxTokenFile = 64 << 10

// hostName is a DNS name as a Host header carries it: letters, digits,
// hyphens and underscores in dot-separated labels, a trailing dot allowed.
var hostName = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$`)

// validateAdmin reads admin.token_file into Token and checks the allowed
// hosts and origins, each problem at its node.
func (c *Config) validateAdmin(root *yaml.Node, opts Options, e *errs) {
	a := &c.Admin
	n := lookupKey(root, "admin")
	at := func(key string) *yaml.Node { return orNode(lookupKey(n, key), orNode(n, root)) }
	if a.TokenFile != "" {
		if a.Token != "" {
			e.at(at("token_file"), "admin: token and token_file are both set: give the token one way (token_file keeps it out of the config and the environment)")
		} else {
			c.readTokenFile(opts, at("token_file"), e)
		}
	}
	for i, h := range a.AllowedHosts {
		if !hostName.MatchString(h) {
			e.at(seqItem(lookupKey(n, "allowed_hosts"), i, at("allowed_hosts")),
				"admin.allowed_hosts: %q is not a host name: write the name alone, without scheme, port or wildcard (e.g. llm-simulator.staging.svc.cluster.local; IP addresses and localhost are always accepted)", h)
		}
	}
	for i, o := range a.AllowedOrigins {
		if err := checkOrigin(o); err != nil {
			e.at(seqItem(lookupKey(n, "allowed_origins"), i, at("allowed_origins")), "admin.allowed_origins: %q %v", o, err)
		}
	}
}

// readTokenFile sets the token from admin.token_file, warning when every
// user of the machine may read it.
func (c *Config) readTokenFile(opts Options, n *yaml.Node, e *errs) {
	open := opts.OpenFile
	if open == nil {
		open = func(name string) (fs.File, error) { return os.Open(name) }
	}
	path := c.Admin.TokenFile
	f, err := open(path)
	if err != nil {
		e.at(n, "admin.token_file: %v", err)
		return
	}
	defer f.Close()
	// Stat the opened file: a Kubernetes Secret volume reaches it
	// through symlinks, and the mode that matters is the file's own.
	info, err := f.Stat()
	if err == nil && info.IsDir() {
		err = errors.New("is a directory, not the file holding the token")
	}
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	}
	if err == nil && len(data) > maxTokenFile {
		err = fmt.Errorf("is larger than %d bytes: a token is one line", maxTokenFile)
	}
	if err == nil {
		c.Admin.Token, err = TokenFromFile(data)
	}
	if err != nil {
		e.at(n, "admin.token_file %s: %v", path, err)
		return
	}
	if info.Mode().Perm()&0o004 != 0 {
		c.warn(e, n, "admin.token_file %s can be read by every user of this machine (mode %04o): chmod 600 it, or mount its Kubernetes Secret with defaultMode: 0400", path, info.Mode().Perm())
	}
}

// TokenFromFile is the admin token a token file holds: its content
// without surrounding whitespace (the newline an editor or echo leaves),
// which must be one non-empty line.
func TokenFromFile(data []byte) (string, error) {
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", errors.New("is empty: it must hold the admin token")
	}
	for _, b := range []byte(token) {
		if b < 0x20 || b == 0x7f {
			return "", errors.New("holds more than one line or a control character: a token is one line of printable characters")
		}
	}
	return token, nil
}

// checkOrigin accepts a web origin as browsers send it in Origin:
// scheme://host with an optional port, nothing after it.
func checkOrigin(o string) error {
	switch o {
	case "*":
		return errors.New("would let every web page drive the admin API: list each origin")
	case "null":
		return errors.New("is the origin of sandboxed frames and local files, which any page can create: it cannot be allowed")
	}
	u, err := url.Parse(o)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return errors.New("is not an origin: write scheme://host[:port], e.g. http://localhost:3000")
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return errors.New("has more than scheme://host[:port]: an origin has no user, path or query")
	}
	return nil
}
