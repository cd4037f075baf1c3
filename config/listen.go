package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The listen addresses are checked by their form here, so that `check`
// refuses what the server could never bind (127.0.0.1:99999) with the
// same positioned message; whether the address is free is known only by
// binding it, which check does not do.

// CheckListenAddress accepts an address net.Listen("tcp", …) could bind
// by its form: host:port, the host empty (every interface), an IP address
// (IPv6 in brackets) or a host name, the port a number up to 65535 (0:
// one the kernel picks) or a service name.
func CheckListenAddress(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("not host:port, e.g. 127.0.0.1:8080: %v", unwrapAddrError(err))
	}
	switch n, err := strconv.ParseUint(port, 10, 64); {
	case port == "":
		return errors.New("no port, e.g. 127.0.0.1:8080")
	case err == nil && n > 65535:
		return fmt.Errorf("port %d is out of range: a port is 0 to 65535 (0: any free one)", n)
	case err != nil:
		if _, lerr := net.LookupPort("tcp", port); lerr != nil {
			return fmt.Errorf("port %q is neither a number nor a known service name", port)
		}
	}
	if _, err := netip.ParseAddr(host); err == nil || host == "" {
		return nil
	}
	if !hostName.MatchString(host) || strings.Trim(host, "0123456789.") == "" {
		// 256.1.1.1 has a host name's form, and is meant as an address.
		return fmt.Errorf("%q is neither an IP address nor a host name", host)
	}
	return nil
}

// unwrapAddrError drops net.AddrError's repetition of the address.
func unwrapAddrError(err error) string {
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return ae.Err
	}
	return err.Error()
}

// LoopbackAddress reports an address whose host is a loopback IP or
// "localhost"; an empty host (all interfaces) is not.
func LoopbackAddress(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// CheckAdminExposure refuses an admin listener off loopback with no
// token: anyone who can reach it could turn every request into an error.
func CheckAdminExposure(listen, token string) error {
	if token != "" || LoopbackAddress(listen) {
		return nil
	}
	return fmt.Errorf("the admin listener %s is not on loopback, so it needs a token: set admin.token_file (a mounted secret) or admin.token (e.g. \"${LLMSIM_ADMIN_TOKEN}\"), or listen on 127.0.0.1", listen)
}

// validateListen checks the listen addresses the file gives, and that an
// admin listener off loopback has a token, each problem at its node.
func (c *Config) validateListen(root *yaml.Node, e *errs) {
	if n := lookupKey(root, "listen"); n != nil {
		if err := CheckListenAddress(c.Listen); err != nil {
			e.at(n, "listen %q: %v", c.Listen, err)
		}
	}
	admin := lookupKey(root, "admin")
	n := lookupKey(admin, "listen")
	if n != nil {
		if err := CheckListenAddress(c.Admin.Listen); err != nil {
			e.at(n, "admin.listen %q: %v", c.Admin.Listen, err)
			return
		}
	}
	if c.Admin.TokenFile != "" {
		return // read, or refused, by validateAdmin
	}
	if err := CheckAdminExposure(c.Admin.Listen, c.Admin.Token); err != nil {
		e.at(orNode(n, orNode(admin, root)), "%v", err)
	}
}
