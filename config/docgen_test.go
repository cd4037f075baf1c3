package config

import (
	"flag"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config/units"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/config.md from the config structs")

const docPath = "../docs/config.md"

// The configuration reference is generated from the config structs' own
// doc comments, and this test fails when docs/config.md is out of step:
// a field cannot be added without its documentation, nor the document
// drift from the code. Rewrite it with
//
//	go test ./config -run ConfigReference -args -update-docs
func TestConfigReference(t *testing.T) {
	got := generateReference(t)
	if *updateDocs {
		if err := os.WriteFile(docPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (generate it: go test ./config -run ConfigReference -args -update-docs)", err)
	}
	if string(want) != got {
		t.Fatal("docs/config.md is out of step with the config structs; regenerate it: go test ./config -run ConfigReference -args -update-docs")
	}
}

// typeDocs reads the package's type and field comments.
func typeDocs(t *testing.T) map[string]*doc.Type {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	d := doc.New(pkgs["config"], "github.com/llm-simulator/llm-simulator/config", doc.AllDecls)
	out := map[string]*doc.Type{}
	for _, ty := range d.Types {
		out[ty.Name] = ty
	}
	return out
}

func generateReference(t *testing.T) string {
	docs := typeDocs(t)
	var b strings.Builder
	b.WriteString("# Configuration reference\n\n")
	b.WriteString("Generated from the config structs' doc comments (`go test ./config -run ConfigReference -args -update-docs`); a test keeps it in step.\n\n")
	b.WriteString("One YAML file, decoded strictly: an unknown key anywhere is an error, reported with `file:line:col`. `${NAME}` and `${NAME:-default}` are expanded in every value. Durations are written `250ms`, `1.5s`, `2m`; sizes `64MiB`, `512KiB`, `1GB`. Distributions are written `{dist: constant, value: 20ms}`, `{dist: uniform, min: 10ms, max: 30ms}`, `{dist: normal, mean: 20ms, stddev: 5ms}`, `{dist: lognormal, median: 250ms, p99: 1.2s}` or `{dist: pareto, min: 5ms, alpha: 1.5}` (normal, lognormal and pareto take an optional `max`); counts use plain numbers.\n\n")
	seen := map[reflect.Type]bool{}
	queue := []reflect.Type{reflect.TypeFor[Config]()}
	for len(queue) > 0 {
		ty := queue[0]
		queue = queue[1:]
		if seen[ty] {
			continue
		}
		seen[ty] = true
		queue = append(queue, writeType(t, &b, ty, docs)...)
	}
	return b.String()
}

// writeType documents one struct and returns the struct types its fields
// lead to.
func writeType(t *testing.T, b *strings.Builder, ty reflect.Type, docs map[string]*doc.Type) []reflect.Type {
	d := docs[ty.Name()]
	if d == nil {
		t.Fatalf("no doc for type %s", ty.Name())
	}
	fmt.Fprintf(b, "## %s\n\n%s\n", ty.Name(), strings.TrimSpace(d.Doc))
	b.WriteString("\n| key | type | meaning |\n|---|---|---|\n")
	var next []reflect.Type
	for _, f := range yamlFieldList(ty) {
		comment := fieldDoc(docs[f.owner.Name()], f.goName)
		if comment == "" {
			t.Errorf("%s.%s has no doc comment: say what it does and its default", ty.Name(), f.goName)
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", f.yaml, typeName(f.typ), strings.ReplaceAll(oneLine(comment), "|", "\\|"))
		if st := structType(f.typ); st != nil && docs[st.Name()] != nil {
			next = append(next, st)
		}
	}
	b.WriteString("\n")
	return next
}

type yamlField struct {
	yaml, goName string
	typ          reflect.Type
	owner        reflect.Type // the struct that declares it
}

// yamlFieldList lists a struct's keys in declaration order, inline
// structs' in place.
func yamlFieldList(ty reflect.Type) []yamlField {
	var out []yamlField
	for i := range ty.NumField() {
		f := ty.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case strings.Contains(opts, "inline"):
			out = append(out, yamlFieldList(f.Type)...)
		default:
			out = append(out, yamlField{name, f.Name, f.Type, ty})
		}
	}
	return out
}

func fieldDoc(d *doc.Type, field string) string {
	if d == nil {
		return ""
	}
	for _, spec := range d.Decl.Specs {
		ts, ok := spec.(*ast.TypeSpec)
		if !ok {
			continue
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			continue
		}
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				if n.Name == field && f.Doc != nil {
					return f.Doc.Text()
				}
			}
		}
	}
	return ""
}

func structType(ty reflect.Type) reflect.Type {
	if reflect.PointerTo(ty).Implements(unmarshalerType) {
		return nil // decoded by its own rules, documented by its field
	}
	for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
		ty = ty.Elem()
	}
	if ty.Kind() == reflect.Struct && ty.PkgPath() == reflect.TypeFor[Config]().PkgPath() &&
		!reflect.PointerTo(ty).Implements(unmarshalerType) {
		return ty
	}
	return nil
}

func typeName(ty reflect.Type) string {
	switch ty {
	case reflect.TypeFor[units.Duration](), reflect.TypeFor[*units.Duration]():
		return "duration"
	case reflect.TypeFor[units.Size]():
		return "size"
	case reflect.TypeFor[units.DurationDist](), reflect.TypeFor[*units.DurationDist](), reflect.TypeFor[*LatencySpec](),
		reflect.TypeFor[*TTFTSpec](), reflect.TypeFor[*ITLSpec]():
		return "distribution"
	case reflect.TypeFor[*units.CountDist]():
		return "count distribution"
	case reflect.TypeFor[JSONValue]():
		return "JSON value"
	case reflect.TypeFor[*TextMode]():
		return "lorem, echo, fixed or template"
	case reflect.TypeFor[AccessMode]():
		return "true, false or auto"
	case reflect.TypeFor[*TemplateText]():
		return "template"
	case reflect.TypeFor[ModelOverrides]():
		return "map of model name or glob to [ModelSpec](#modelspec)"
	}
	switch ty.Kind() {
	case reflect.Pointer:
		return typeName(ty.Elem())
	case reflect.Slice:
		return "list of " + typeName(ty.Elem())
	case reflect.Map:
		return "map of " + typeName(ty.Elem())
	case reflect.Struct:
		if ty.PkgPath() == reflect.TypeFor[Config]().PkgPath() {
			return "[" + ty.Name() + "](#" + strings.ToLower(ty.Name()) + ")"
		}
	}
	return ty.Kind().String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
