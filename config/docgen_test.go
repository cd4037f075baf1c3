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
	"github.com/llm-simulator/llm-simulator/faults"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/config.md from the config structs")

const docPath = "../docs/config.md"

// The configuration reference is generated from the config structs' own
// doc comments, and the faults' (a fault's type is its options), and
// this test fails when docs/config.md is out of step: a field cannot be
// added without its documentation, nor the document drift from the
// code. Rewrite it with
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

// The packages whose types the reference documents, by import path, and
// the folder each is in.
var documented = map[string]string{
	reflect.TypeFor[Config]().PkgPath():      ".",
	reflect.TypeFor[faults.Gate]().PkgPath(): "../faults",
}

// typeDocs are the type and field comments of the documented packages.
type typeDocs struct {
	types map[string]*doc.Type    // by "import/path.Name"
	pkgs  map[string]*doc.Package // by import path
}

func readTypeDocs(t *testing.T) typeDocs {
	docs := typeDocs{types: map[string]*doc.Type{}, pkgs: map[string]*doc.Package{}}
	for path, dir := range documented {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		d := doc.New(pkgs[path[strings.LastIndex(path, "/")+1:]], path, doc.AllDecls)
		docs.pkgs[path] = d
		for _, ty := range d.Types {
			docs.types[path+"."+ty.Name] = ty
		}
	}
	return docs
}

func (d typeDocs) of(ty reflect.Type) *doc.Type { return d.types[ty.PkgPath()+"."+ty.Name()] }

// intro is what a section says before its table: a config type's whole
// doc comment; a fault's first sentence, since the rest of its comment is
// about what it does, which docs/faults.md tells.
func (d typeDocs) intro(ty reflect.Type) string {
	text := d.of(ty).Doc
	if ty.PkgPath() == reflect.TypeFor[faults.Gate]().PkgPath() {
		return d.pkgs[ty.PkgPath()].Synopsis(text) + "\n"
	}
	return strings.TrimSpace(text) + "\n"
}

func generateReference(t *testing.T) string {
	docs := readTypeDocs(t)
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
		if ty == faultSpecType {
			queue = append(queue, writeFaultKinds(t, &b, docs)...)
			continue
		}
		fields := yamlFieldList(ty)
		if _, isFault := faults.Lookup(kindOf(ty)); isFault {
			fields = append(yamlFieldList(gateType), fields...) // the gate's keys sit beside the fault's
		}
		queue = append(queue, writeType(t, &b, ty, docs, fields)...)
	}
	return b.String()
}

// kindOf is the fault kind a type is the options of, "" for none.
func kindOf(ty reflect.Type) string {
	for _, kind := range faults.Kinds() {
		if f, _ := faults.Lookup(kind); reflect.TypeOf(f()).Elem() == ty {
			return kind
		}
	}
	return ""
}

// writeFaultKinds documents FaultSpec: a key per fault type of the
// registry, in its order, each meaning its type's first sentence. It
// returns the faults' option types.
func writeFaultKinds(t *testing.T, b *strings.Builder, docs typeDocs) []reflect.Type {
	fmt.Fprintf(b, "## %s\n\n%s", faultSpecType.Name(), docs.intro(faultSpecType))
	b.WriteString("\n| key | type | meaning |\n|---|---|---|\n")
	var next []reflect.Type
	for _, kind := range faults.Kinds() {
		factory, _ := faults.Lookup(kind)
		ty := reflect.TypeOf(factory())
		d := docs.of(ty.Elem())
		if d == nil {
			t.Fatalf("no doc for fault type %s", ty.Elem())
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", kind, typeName(ty), strings.ReplaceAll(oneLine(docs.intro(ty.Elem())), "|", "\\|"))
		if st := structType(ty); st != nil {
			next = append(next, st)
		}
	}
	b.WriteString("\n")
	return next
}

// writeType documents one struct, its keys fields, and returns the struct
// types its fields lead to.
func writeType(t *testing.T, b *strings.Builder, ty reflect.Type, docs typeDocs, fields []yamlField) []reflect.Type {
	if docs.of(ty) == nil {
		t.Fatalf("no doc for type %s", ty.Name())
	}
	fmt.Fprintf(b, "## %s\n\n%s", ty.Name(), docs.intro(ty))
	b.WriteString("\n| key | type | meaning |\n|---|---|---|\n")
	var next []reflect.Type
	for _, f := range fields {
		comment := fieldDoc(docs.of(f.owner), f.goName)
		if comment == "" {
			t.Errorf("%s.%s has no doc comment: say what it does and its default", f.owner.Name(), f.goName)
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", f.yaml, typeName(f.typ), strings.ReplaceAll(oneLine(comment), "|", "\\|"))
		if st := structType(f.typ); st != nil && docs.of(st) != nil {
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

// structType is the documented struct a field's type leads to, nil for
// none: FaultSpec is one, documented from the registry; any other type
// with its own UnmarshalYAML is documented by its field.
func structType(ty reflect.Type) reflect.Type {
	if ty != faultSpecType && reflect.PointerTo(ty).Implements(unmarshalerType) {
		return nil
	}
	for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
		ty = ty.Elem()
	}
	if ty.Kind() == reflect.Struct && documented[ty.PkgPath()] != "" &&
		(ty == faultSpecType || !reflect.PointerTo(ty).Implements(unmarshalerType)) {
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
	case reflect.TypeFor[units.DurationDist](), reflect.TypeFor[*units.DurationDist](),
		// The faults whose value is a distribution.
		reflect.TypeFor[*faults.Latency](), reflect.TypeFor[*faults.TTFT](), reflect.TypeFor[*faults.ITL]():
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
		if documented[ty.PkgPath()] != "" {
			return "[" + ty.Name() + "](#" + strings.ToLower(ty.Name()) + ")"
		}
	}
	return ty.Kind().String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
