package sidecar

import (
	"errors"
	"fmt"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
)

// defaultRotateCommand makes a new CA for the embedded default config.
const defaultRotateCommand = "llm-simulator ca rotate"

// LoadCA is the interception CA the config names — given files, or the
// directory's, created there on first use for the config's hosts — once
// CheckCA has found it fit to serve them; rotate is as CheckCA's.
func LoadCA(cfg *config.Config, rotate string) (*mitm.CA, error) {
	in := cfg.Intercept
	var ca *mitm.CA
	var err error
	if in.CACert != "" {
		ca, err = mitm.Load(in.CACert, in.CAKey)
	} else {
		var dir string
		if dir, err = CADir(cfg); err == nil {
			ca, err = mitm.LoadOrCreate(dir, CASpec(cfg))
		}
	}
	if err != nil {
		return nil, err
	}
	return ca, CheckCA(ca, cfg, rotate)
}

// CADir is where the config keeps a CA of llm-simulator's making.
func CADir(cfg *config.Config) (string, error) {
	if cfg.Intercept.CADir != "" {
		return cfg.Intercept.CADir, nil
	}
	dir, err := mitm.DefaultDir()
	if err != nil {
		return "", fmt.Errorf("no directory for the interception CA (set --ca-dir): %w", err)
	}
	return dir, nil
}

// CASpec is what a CA made for the config covers: the built-in
// providers' hosts and the config's own (config.Config.CAHosts), for
// ca_validity.
func CASpec(cfg *config.Config) mitm.Spec {
	return mitm.Spec{Hosts: cfg.CAHosts(), Validity: cfg.Intercept.CAValidity.D()}
}

// CheckCA refuses a CA that could sign for sites beyond the intercept
// hosts, or that does not cover them all, and says how to get one that
// does: rotate (the `llm-simulator ca rotate` command line for this
// config; "" for the plain command) for a CA of ours; for one of the
// user's own, constraining it.
func CheckCA(ca *mitm.CA, cfg *config.Config, rotate string) error {
	err := ca.CheckCovers(*cfg.Intercept.Hosts)
	if err == nil {
		return nil
	}
	if rotate == "" {
		rotate = defaultRotateCommand
	}
	own := cfg.Intercept.CACert != ""
	var uerr *mitm.UncoveredError
	if errors.As(err, &uerr) {
		for _, h := range uerr.Hosts {
			if _, serr := mitm.Subtree(h); serr != nil {
				return fmt.Errorf("%w. intercept.hosts %q cannot be covered by any name-constrained CA (%v): list the API hosts themselves", err, h, serr)
			}
		}
	}
	switch {
	case own && errors.Is(err, mitm.ErrUnconstrained):
		return fmt.Errorf("%w. llm-simulator refuses a CA of yours (intercept.ca_cert) without name constraints: whoever holds its key can impersonate any site to the clients that trust it. "+
			"Reissue it with a critical name-constraints extension that permits the intercept hosts and excludes IP addresses (docs/ca-trust.md shows how), "+
			"or make one with `%s --ca-dir DIR` and name DIR's ca.pem and ca-key.pem in ca_cert and ca_key", err, rotate)
	case own:
		return fmt.Errorf("%w. Reissue your CA (intercept.ca_cert) with name constraints that permit them, or make one with `%s --ca-dir DIR` and name DIR's ca.pem and ca-key.pem in ca_cert and ca_key", err, rotate)
	case errors.Is(err, mitm.ErrUnconstrained):
		return fmt.Errorf("%w (an earlier llm-simulator made it): it is no longer used. Make a new one with `%s`, trust the new ca.pem in its place, and remove the old one from every store you added it to", err, rotate)
	}
	return fmt.Errorf("%w. Make a new CA that covers the config's hosts with `%s`, and trust the new ca.pem in place of the old", err, rotate)
}

// sameCA: a and b name the same interception CA.
func sameCA(a, b *config.Config) bool {
	return a.Intercept.CADir == b.Intercept.CADir && a.Intercept.CACert == b.Intercept.CACert &&
		a.Intercept.CAKey == b.Intercept.CAKey
}
