// Package detail renders token-derived text for error details and logs,
// the same way in every package that reports on claims.
package detail

import (
	"strconv"
	"unicode/utf8"
)

// Quote returns s Go-quoted and ASCII only, so that control characters,
// CR/LF and homoglyphs show as escapes, cut to at most limit bytes of s on
// a rune boundary; a cut string ends in "…" inside the quotes.
func Quote(s string, limit int) string {
	if len(s) <= limit {
		return strconv.QuoteToASCII(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	q := strconv.QuoteToASCII(s[:cut])
	return q[:len(q)-1] + "…\""
}
