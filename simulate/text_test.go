package simulate

import (
	"math/rand/v2"
	"strings"
	"testing"
	"text/template"
)

func TestLoremIsExactlyAsLongAsAsked(t *testing.T) {
	for n := 1; n < 200; n++ {
		p := lorem(rand.New(rand.NewPCG(uint64(n), 9)), n)
		if p.len() != n {
			t.Fatalf("lorem(%d) gave %d pieces", n, p.len())
		}
		text := p.join()
		if n >= 2 && !strings.HasSuffix(text, ".") {
			t.Errorf("lorem(%d) = %q does not end a sentence", n, text)
		}
		if strings.Contains(text, "..") || strings.Contains(text, ",.") || strings.Contains(text, ",,") {
			t.Errorf("lorem(%d) = %q has doubled punctuation", n, text)
		}
		if got := CountTokens(text); got != n {
			t.Errorf("lorem(%d) re-counts as %d tokens: %q", n, got, text)
		}
	}
}

func TestLoremIsDeterministic(t *testing.T) {
	a := lorem(rand.New(rand.NewPCG(1, 2)), 50)
	b := lorem(rand.New(rand.NewPCG(1, 2)), 50)
	c := lorem(rand.New(rand.NewPCG(1, 3)), 50)
	if a.join() != b.join() {
		t.Fatal("same seed, different text")
	}
	if a.join() == c.join() {
		t.Fatal("different seeds, same text")
	}
}

func TestTextModes(t *testing.T) {
	d := &TemplateData{Model: "m1", LastUserMessage: "ping pong", Messages: 2}
	tpl := template.Must(template.New("t").Parse("{{.Model}} heard {{.LastUserMessage}} in {{.Messages}}"))
	cases := []struct {
		text Text
		want string
	}{
		{Text{Mode: Echo}, "ping pong"},
		{Text{Mode: Fixed, Fixed: "All good."}, "All good."},
		{Text{Mode: Template, Template: tpl}, "m1 heard ping pong in 2"},
	}
	for _, c := range cases {
		if got := c.text.pieces(d, nil, 99, -1).join(); got != c.want {
			t.Errorf("mode %d: %q, want %q", c.text.Mode, got, c.want)
		}
	}
}
