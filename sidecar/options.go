package sidecar

import (
	"errors"
	"io"
	"os"

	"github.com/llm-simulator/llm-simulator/config"
)

// Options say where Run's config comes from and how the process around
// it behaves. Load is required; every other field has a default, applied
// in one place (withDefaults), and its comment says what zero means.
type Options struct {
	// Load reads the config again as the caller read the one given to
	// Run: at each reload (SIGHUP, the watched file changing, the admin
	// API) and before an upgrade, to refuse one the new process would
	// refuse. Its error is a config.ErrorList for a bad file.
	Load func() (*config.Config, error)

	// File is the config file's path: SIGHUP reloads it and, when the
	// config's reload.watch is on, so does a change to its content. ""
	// means the config is no file one edits (the embedded default): it
	// cannot change, and only the admin API reloads it.
	File string

	// Source names the config in the log, in errors, and in the rule
	// set's origin ("file " + Source) that the admin API shows. "" means
	// File.
	Source string

	// Lifecycle is where the listeners come from and how the process
	// hands them to a successor (NewLifecycle: tableflip's). Nil means
	// plain listeners and no upgrades, as for a server run inside a test.
	Lifecycle Lifecycle

	// PIDFile is the pid file the Lifecycle writes once the process
	// serves; an upgrade reads it to log the new process's pid. With a
	// nil Lifecycle, Run writes it when ready. "" means none.
	PIDFile string

	// Version is the program's version, in the "ready" log line and the
	// metrics. "" means "dev".
	Version string

	// Log is where the log goes, shaped by the config's log section (JSON,
	// or console lines on a terminal). Nil means os.Stderr.
	Log io.Writer

	// Ready, when not nil, is told the bound addresses once both
	// listeners accept connections; tests use it instead of waiting.
	Ready func(proxyAddr, adminAddr string)

	// RotateCommand is the command line that makes a new interception CA
	// for this config, named in the advice when a CA does not fit the
	// intercept hosts. "" means "llm-simulator ca rotate".
	RotateCommand string
}

// withDefaults is o with every zero field that has a default set to it.
func (o Options) withDefaults() (Options, error) {
	if o.Load == nil {
		return o, errors.New("sidecar: Options.Load is required")
	}
	if o.Source == "" {
		o.Source = o.File
	}
	if o.Lifecycle == nil {
		o.Lifecycle = &plain{pidFile: o.PIDFile}
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	if o.RotateCommand == "" {
		o.RotateCommand = defaultRotateCommand
	}
	return o, nil
}
