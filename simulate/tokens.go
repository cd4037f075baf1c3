package simulate

import (
	"unicode"
	"unicode/utf8"
)

// Token counting.
//
// There is no exact offline tokenizer for every provider, so the simulator
// estimates with one documented rule and applies it everywhere, which makes
// counts consistent: a prompt counted by count_tokens equals the
// input_tokens of the same call, and completion tokens equal the pieces
// actually emitted. The rule imitates byte-pair encoders on English text:
//
//   - a word (a run of letters, with the one space before it) is one token
//     per started 6 letters, so "the" is 1 and "international" is 3;
//   - digits group in threes, as cl100k and o200k do;
//   - each Han, Hiragana, Katakana or Hangul character is one token;
//   - a run of line breaks is one token, and so is a run of up to three
//     ASCII punctuation marks (`{"`, `":"`, `."`), as BPE merges them;
//   - every other character (symbols, emoji) is one token.
//
// It is not calibrated against tiktoken, whose vocabularies need a
// download; what it promises is consistency, not exactness.
const wordPieceRunes = 6

// nextPiece returns the end of the token piece that starts at s[i].
func nextPiece(s string, i int) int {
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == '\n' || r == '\r':
		j := i + size
		for j < len(s) && (s[j] == '\n' || s[j] == '\r') {
			j++
		}
		return j
	case r == ' ':
		// A space joins the word after it, as in BPE vocabularies; a run of
		// spaces is one token of its own.
		j := i + size
		if j < len(s) {
			if n, _ := utf8.DecodeRuneInString(s[j:]); isWordRune(n) {
				return letters(s, j)
			}
		}
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && j-i > 1 {
			if n, _ := utf8.DecodeRuneInString(s[j:]); isWordRune(n) {
				return j - 1 // leave the last space to the word
			}
		}
		return j
	case isWordRune(r):
		return letters(s, i)
	case r >= '0' && r <= '9':
		return run(s, i, 3, isDigit)
	case r < utf8.RuneSelf && unicode.IsPunct(r) || unicode.IsSymbol(r) && r < utf8.RuneSelf:
		return run(s, i, 3, isASCIIPunct)
	}
	return i + size
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCIIPunct(c byte) bool {
	return c < utf8.RuneSelf && (unicode.IsPunct(rune(c)) || unicode.IsSymbol(rune(c)))
}

// run returns the end of a run of up to n bytes satisfying ok, from i.
func run(s string, i, n int, ok func(byte) bool) int {
	j := i + 1
	for j < len(s) && j-i < n && ok(s[j]) {
		j++
	}
	return j
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) && !isIdeographic(r)
}

func isIdeographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// letters returns the end of a word piece starting at i: at most
// wordPieceRunes letters.
func letters(s string, i int) int {
	n := 0
	for i < len(s) && n < wordPieceRunes {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			break
		}
		i += size
		n++
	}
	return i
}

// CountTokens estimates the tokens in s by the rule above.
func CountTokens(s string) int {
	n := 0
	for i := 0; i < len(s); i = nextPiece(s, i) {
		n++
	}
	return n
}

// splitTokens cuts s into token pieces by the rule above; the pieces are
// substrings of s.
func splitTokens(s string) []string { return splitTokensMost(s, -1) }

// splitTokensMost is splitTokens stopping after most pieces (most < 0:
// all of them).
func splitTokensMost(s string, most int) []string {
	n := len(s)/4 + 1
	if most >= 0 {
		n = min(n, most)
	}
	out := make([]string, 0, n)
	for i := 0; i < len(s) && (most < 0 || len(out) < most); {
		j := nextPiece(s, i)
		out = append(out, s[i:j])
		i = j
	}
	return out
}
