package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"slices"

	"gopkg.in/yaml.v3"
)

// Options tune loading.
type Options struct {
	// TemplateData is a sample of the value answer templates run on; each
	// template is executed on it at load time, so a misspelt field is a
	// config error, not a failure per request. Nil skips the check.
	TemplateData any
	// LookupEnv resolves ${NAME}. Nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// CassetteName checks a rule's cassette name; nil accepts any.
	CassetteName func(string) error
	// SecretHeader reports a header never stored, which therefore cannot
	// key a recording; nil reports none.
	SecretHeader func(string) bool
	// OpenFile opens a file whose content the config takes in
	// (admin.token_file); nil means os.Open. Tests of deployment
	// manifests give it the files their volumes would hold.
	OpenFile func(name string) (fs.File, error)
	// Embedded says the config is the program's own default, not a file
	// the user named: its runtime state is default.state.json under the
	// user's state directory (DefaultStateFile), wherever it runs from.
	Embedded bool
}

var (
	configType    = reflect.TypeFor[Config]()
	modelSpecType = reflect.TypeFor[ModelSpec]()
)

// Load reads and validates the config file at path.
func Load(path string, opts Options) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data, opts)
}

// Parse validates data as a config file named name. The error, if any, is
// an ErrorList holding every problem found.
func Parse(name string, data []byte, opts Options) (*Config, error) {
	e := &errs{file: name, lines: lineCount(data)}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			e.add("the file is empty: it needs at least \"version: 1\"")
		} else {
			e.syntax(data, err)
		}
		return nil, e.list
	}
	var extra yaml.Node
	if dec.Decode(&extra) == nil {
		e.at(&extra, "a config file holds one YAML document; this is a second")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	lookup := opts.LookupEnv
	if lookup == nil {
		lookup = osLookup
	}
	expandEnv(root, lookup, e)
	if !checkSchema(root, configType, "", e) {
		return nil, e.list.sorted() // not even a mapping
	}
	// What the schema refused is out of the tree: decoding and the checks
	// go on over the rest, so that one load reports every problem.
	schemaProblems := len(e.list)
	cfg := Config{file: name, embedded: opts.Embedded}
	if err := root.Decode(&cfg); err != nil {
		e.fromYAML(err)
	}
	cfg.applyDefaults()
	cfg.validate(root, opts, e)
	e.dropRepeats(schemaProblems)
	if len(e.list) > 0 {
		return nil, e.list.sorted()
	}
	cfg.Warnings.sorted()
	return &cfg, nil
}

// lineCount is the number of lines in data as YAML counts them: a line
// ends with LF, CRLF or a lone CR.
func lineCount(data []byte) int {
	return bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n")) + 1
}

// validate checks what the schema cannot: the version, value ranges and
// cross-field rules.
func (c *Config) validate(root *yaml.Node, opts Options, e *errs) {
	if v := lookupKey(root, "version"); v == nil {
		e.at(root, "version is missing: write \"version: 1\" at the top")
	} else if c.Version != 1 {
		e.at(v, "version %s is not supported: this build reads version 1", v.Value)
	}
	if n := lookupKey(root, "log", "level"); n != nil && !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		e.at(n, "log.level must be debug, info, warn or error")
	}
	if n := lookupKey(root, "log", "format"); n != nil && !slices.Contains([]string{"auto", "json", "console"}, c.Log.Format) {
		e.at(n, "log.format must be auto, json or console")
	}
	if n := lookupKey(root, "runtime", "gc_percent"); n != nil && (c.Runtime.GCPercent < 25 || c.Runtime.GCPercent > 10000) {
		e.at(n, "runtime.gc_percent must be between 25 and 10000 (set GOGC=off in the environment to turn the collector off)")
	}
	if n := lookupKey(root, "log", "sample"); n != nil && c.Log.Sample < 1 {
		e.at(n, "log.sample must be 1 or more: one access line in every N requests")
	}
	if n := lookupKey(root, "journal", "size"); n != nil && c.Journal.Size < -1 {
		e.at(n, "journal.size must be -1 (keep none) or more")
	}
	if n := lookupKey(root, "simulate", "max_response_bytes"); n != nil && c.Simulate.MaxResponseBytes < minMaxResponseBytes {
		e.at(n, "simulate.max_response_bytes must be at least 16KiB: below it not even an answer's envelope fits")
	}
	c.validateForwarding(root, e)
	c.validateEgress(root, e)
	c.validateAdmin(root, opts, e)
	c.validateListen(root, e)
	c.warnState(e)
	c.validateCache(root, opts, e)
	c.checkRules(root, opts, e)
	sim := lookupKey(root, "simulate")
	if sim == nil {
		return
	}
	c.Simulate.ModelSpec.validate(e, opts.TemplateData, "simulate.", sim)
	models := lookupKey(sim, "models")
	for i := range c.Simulate.Models {
		o := &c.Simulate.Models[i]
		o.Spec.validate(e, opts.TemplateData, "simulate.models."+o.Pattern+".", models.Content[2*i+1])
	}
}

// lookupKey follows a path of mapping keys from n; nil if absent.
func lookupKey(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}
