package claims

import (
	"encoding/json"
	"strconv"
)

// Numbers in expect_claims are compared by decimal value, never after
// rounding to float64: 9007199254740993 and 9007199254740992 are the same
// float64 but different claims. An expected number is kept as its
// json.Number text; a token's number is its JSON literal when
// [Validator.ValidatePayload] can read it, and otherwise the shortest
// decimal that rounds to its float64.

// numberText returns the decimal text of a JSON number value, appending
// to buf for a float64.
func numberText(v any, buf []byte) (string, []byte, bool) {
	switch x := v.(type) {
	case json.Number:
		return string(x), buf, true
	case float64:
		buf = strconv.AppendFloat(buf[:0], x, 'e', -1, 64)
		return "", buf, true
	}
	return "", buf, false
}

// numberEqual reports whether the JSON numbers a and b (json.Number or
// float64) have the same decimal value. It does not allocate.
func numberEqual(a, b any) bool {
	var ab, bb [32]byte
	as, abuf, ok1 := numberText(a, ab[:0])
	bs, bbuf, ok2 := numberText(b, bb[:0])
	if !ok1 || !ok2 {
		return false
	}
	if as == "" {
		as = string(abuf) // does not escape: see decimalEqual
	}
	if bs == "" {
		bs = string(bbuf)
	}
	return decimalEqual(as, bs)
}

// decimal is a JSON number reduced to sign, significant digits and
// exponent: the value is 0.d1d2…dn × 10^exp, with d1 and dn not zero. Zero
// has no digits and is never negative.
type decimal struct {
	neg    bool
	digits []byte
	exp    int64
}

// maxExpDigits bounds the exponent a number may have and still be compared
// by value; numbers with longer exponents compare equal only to the same
// text.
const maxExpDigits = 9

// parseDecimal reads a JSON number (RFC 8259 §6). digits is appended to
// buf. ok is false for text that is not a JSON number or whose exponent has
// more than maxExpDigits digits.
func parseDecimal(s string, buf []byte) (d decimal, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		d.neg = true
		i++
	}
	start := i
	intDigits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		buf, d.exp = appendDigit(buf, s[i], d.exp, true)
		intDigits++
	}
	if intDigits == 0 || intDigits > 1 && s[start] == '0' {
		return decimal{}, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		n := 0
		for ; i < len(s) && isDigit(s[i]); i++ {
			buf, d.exp = appendDigit(buf, s[i], d.exp, false)
			n++
		}
		if n == 0 {
			return decimal{}, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		negExp := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			negExp = s[i] == '-'
			i++
		}
		for i < len(s) && s[i] == '0' {
			i++
		}
		var e int64
		n := 0
		for ; i < len(s) && isDigit(s[i]); i++ {
			if n++; n > maxExpDigits {
				return decimal{}, false
			}
			e = e*10 + int64(s[i]-'0')
		}
		if n == 0 && (len(s) == 0 || !isDigit(s[i-1])) {
			return decimal{}, false
		}
		if negExp {
			e = -e
		}
		d.exp += e
	}
	if i != len(s) {
		return decimal{}, false
	}
	for len(buf) > 0 && buf[len(buf)-1] == '0' {
		buf = buf[:len(buf)-1]
	}
	d.digits = buf
	if len(d.digits) == 0 {
		return decimal{}, true
	}
	return d, true
}

// appendDigit adds one mantissa digit. Leading zeros are dropped; each
// digit of the integer part raises the exponent, and each leading zero of
// the fraction lowers it.
func appendDigit(buf []byte, c byte, exp int64, integer bool) ([]byte, int64) {
	if len(buf) == 0 && c == '0' {
		if !integer {
			exp--
		}
		return buf, exp
	}
	if integer {
		exp++
	}
	return append(buf, c), exp
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// decimalEqual reports whether two JSON number texts have the same value.
// Text that parseDecimal refuses equals only the same text.
func decimalEqual(a, b string) bool {
	var ab, bb [40]byte
	da, ok1 := parseDecimal(a, ab[:0])
	db, ok2 := parseDecimal(b, bb[:0])
	if !ok1 || !ok2 {
		return a == b
	}
	return da.neg == db.neg && da.exp == db.exp && string(da.digits) == string(db.digits)
}
