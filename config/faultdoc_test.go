package config

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/faults"
)

// docs/faults.md is the fault catalogue users read: every fault type the
// config accepts has its section, every parameter its name in it, and
// every example loads. The list comes from the faults' registry, as the
// loader's own.
func TestFaultCatalogueCoversEveryFault(t *testing.T) {
	sections := faultDocSections(t)
	kinds := faults.Kinds()
	for _, kind := range kinds {
		body, ok := sections[kind]
		if !ok {
			t.Errorf("docs/faults.md has no \"## `%s`\" section", kind)
			continue
		}
		factory, _ := faults.Lookup(kind)
		for _, param := range faultParams(reflect.TypeOf(factory())) {
			if !strings.Contains(body, "`"+param+"`") {
				t.Errorf("docs/faults.md, section %s: parameter `%s` is not described", kind, param)
			}
		}
	}
	for name := range sections {
		if !slices.Contains(kinds, name) {
			t.Errorf("docs/faults.md describes a fault %q the config does not accept", name)
		}
	}
}

func TestFaultCatalogueExamplesLoad(t *testing.T) {
	data, err := os.ReadFile("../docs/faults.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	if len(blocks) < len(faults.Kinds()) {
		t.Fatalf("%d yaml examples for %d fault types", len(blocks), len(faults.Kinds()))
	}
	for _, b := range blocks {
		cfg, err := Parse("docs/faults.md example", []byte(b[1]), Options{})
		if err != nil {
			t.Errorf("example does not load:\n%s\n%v", b[1], err)
			continue
		}
		for _, w := range cfg.Warnings {
			t.Errorf("example warns: %v\n%s", w, b[1])
		}
	}
}

// faultDocSections splits docs/faults.md at its "## `kind`" headings.
func faultDocSections(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../docs/faults.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	parts := regexp.MustCompile("(?m)^## `([a-z_]+)`$").Split(string(data), -1)
	names := regexp.MustCompile("(?m)^## `([a-z_]+)`$").FindAllStringSubmatch(string(data), -1)
	for i, n := range names {
		out[n[1]] = parts[i+1]
	}
	return out
}

// faultParams lists the YAML keys a fault's type accepts besides the
// gate's: its fields, and those of nested structs (stream's stall). A
// fault whose value is a distribution (it decodes itself) takes the
// distribution's keys, named by `dist`.
func faultParams(t reflect.Type) []string {
	if t.Implements(unmarshalerType) {
		return []string{"dist"}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		out = append(out, name)
		if ft := f.Type; ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
			out = append(out, faultParams(ft)...)
		}
	}
	return out
}
