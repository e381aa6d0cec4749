package detail_test

import (
	"testing"

	"github.com/jwtgate/jwtgate/internal/detail"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		in    string
		limit int
		want  string
	}{
		{"alice", 64, `"alice"`},
		{"a\x1b[31mb\n", 64, `"a\x1b[31mb\n"`},
		{"abcdef", 3, `"abc…"`},
		{"aé", 2, `"a…"`}, // the cut never splits a rune
		{"\u202eevil", 64, `"\u202eevil"`},
	} {
		if got := detail.Quote(tc.in, tc.limit); got != tc.want {
			t.Errorf("Quote(%q, %d) = %s, want %s", tc.in, tc.limit, got, tc.want)
		}
	}
}
