package claims

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecimalEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"1", "1", true},
		{"1", "1.0", true},
		{"1", "1e0", true},
		{"100", "1E2", true},
		{"100", "1e+2", true},
		{"0.01", "1e-2", true},
		{"-0", "0", true},
		{"0", "0.000e-5", true},
		{"123.4500", "1.2345e2", true},
		{"9007199254740993", "9007199254740992", false},
		{"9007199254740993", "9.007199254740993e15", true},
		{"-1", "1", false},
		{"1", "10", false},
		{"0.1", "0.10000000000000000001", false},
		// Not JSON numbers: equal only to the same text.
		{"01", "1", false},
		{"1.", "1", false},
		{".5", "0.5", false},
		{"+1", "1", false},
		{"1e", "1", false},
		{"1e+", "1", false},
		{"-", "-", true},
		{"0x10", "16", false},
		{"1e1234567890", "1e1234567890", true},
		{"1e1234567890", "10e1234567889", false},
	} {
		assert.Equal(t, tc.want, decimalEqual(tc.a, tc.b), "%s == %s", tc.a, tc.b)
		assert.Equal(t, tc.want, decimalEqual(tc.b, tc.a), "%s == %s", tc.b, tc.a)
	}
}

// FuzzDecimalEqual compares decimalEqual with exact rational arithmetic
// for numbers of moderate exponent.
func FuzzDecimalEqual(f *testing.F) {
	for _, s := range [][2]string{{"1", "1.0"}, {"9007199254740993", "9007199254740992"}, {"1e2", "100"}, {"-0.0", "0"}, {"1.5e-3", "0.0015"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		da, okA := parseDecimal(a, nil)
		db, okB := parseDecimal(b, nil)
		got := decimalEqual(a, b)
		if !okA || !okB {
			if got != (a == b) {
				t.Fatalf("decimalEqual(%q, %q) = %v for text that is not a number", a, b, got)
			}
			return
		}
		if da.exp > 300 || da.exp < -300 || db.exp > 300 || db.exp < -300 {
			return
		}
		ra, ok1 := new(big.Rat).SetString(a)
		rb, ok2 := new(big.Rat).SetString(b)
		if !ok1 || !ok2 {
			t.Fatalf("big.Rat refuses a JSON number: %q %q", a, b)
		}
		if want := ra.Cmp(rb) == 0; got != want {
			t.Fatalf("decimalEqual(%q, %q) = %v, want %v", a, b, got, want)
		}
	})
}
