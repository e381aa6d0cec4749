// Package jsonx is the strict, single-pass JSON decoder of jwtgate's hot
// path. It decodes RFC 8259 JSON into the same Go values as encoding/json
// does for an `any` target (map[string]any, []any, string, float64, bool,
// nil) and is stricter than encoding/json:
//
//   - a duplicate member name in an object is an error (RFC 7515 §5.2 and
//     RFC 7519 §4 allow a parser to reject them; accepting the last one
//     lets two parsers read different claims from one token);
//   - invalid UTF-8 and unpaired UTF-16 surrogates in \u escapes are errors
//     (encoding/json replaces them with U+FFFD, which makes distinct
//     claims compare equal);
//   - nesting deeper than MaxDepth is an error.
//
// The input is a string, so every decoded string without escapes is a
// substring of it and costs no copy; the caller converts its bytes once.
package jsonx

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects accepted.
const MaxDepth = 64

// ErrSyntax is wrapped by every decoding error.
var ErrSyntax = errors.New("jsonx: invalid JSON")

// Error is a decoding error at a byte offset.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return "jsonx: " + e.Msg + " at offset " + strconv.Itoa(e.Offset) }

// Unwrap returns ErrSyntax.
func (e *Error) Unwrap() error { return ErrSyntax }

// Decoder reads one JSON text. The zero value decodes the empty input.
type Decoder struct {
	data  string
	pos   int
	depth int
}

// New returns a Decoder over data.
func New(data string) *Decoder { return &Decoder{data: data} }

func (d *Decoder) fail(msg string) error { return &Error{Offset: d.pos, Msg: msg} }

// ParseObject decodes data, which must hold exactly one JSON object (plus
// white space), into a map.
func ParseObject(data string) (map[string]any, error) {
	d := Decoder{data: data}
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return nil, d.fail("expected an object")
	}
	m, err := d.object(countHint(data))
	if err != nil {
		return nil, err
	}
	if err := d.End(); err != nil {
		return nil, err
	}
	return m, nil
}

// Parse decodes data, which must hold exactly one JSON value.
func Parse(data string) (any, error) {
	d := Decoder{data: data}
	v, err := d.Value()
	if err != nil {
		return nil, err
	}
	if err := d.End(); err != nil {
		return nil, err
	}
	return v, nil
}

// countHint estimates the member count of a top-level object from its
// colons, capped, so the map is allocated once.
func countHint(data string) int { return min(strings.Count(data, ":"), 32) }

func (d *Decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// Value decodes the next value.
func (d *Decoder) Value() (any, error) {
	d.ws()
	if d.pos >= len(d.data) {
		return nil, d.fail("unexpected end of input")
	}
	switch c := d.data[d.pos]; c {
	case '{':
		return d.object(0)
	case '[':
		return d.array()
	case '"':
		return d.String()
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return d.number()
		}
		return nil, d.fail("invalid character")
	}
}

func (d *Decoder) literal(lit string) error {
	if !strings.HasPrefix(d.data[d.pos:], lit) {
		return d.fail("invalid literal")
	}
	d.pos += len(lit)
	return nil
}

// Object calls member for each member of the object that starts at the
// current position, with the member name; member must consume the value
// (with Value, String or Skip). Duplicate names are an error.
func (d *Decoder) Object(member func(name string) error) error {
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return d.fail("expected an object")
	}
	var seenBuf [8]string
	seen := seenBuf[:0]
	return d.members(func(name string) error {
		for _, s := range seen {
			if s == name {
				return d.fail("duplicate member name")
			}
		}
		seen = append(seen, name)
		return member(name)
	})
}

func (d *Decoder) members(member func(name string) error) error {
	d.depth++
	if d.depth > MaxDepth {
		return d.fail("nesting too deep")
	}
	d.pos++ // '{'
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.ws()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return d.fail("expected a member name")
		}
		name, err := d.String()
		if err != nil {
			return err
		}
		d.ws()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return d.fail("expected ':'")
		}
		d.pos++
		if err := member(name); err != nil {
			return err
		}
		d.ws()
		if d.pos >= len(d.data) {
			return d.fail("unexpected end of input")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil
		default:
			return d.fail("expected ',' or '}'")
		}
	}
}

func (d *Decoder) object(hint int) (map[string]any, error) {
	m := make(map[string]any, hint)
	err := d.members(func(name string) error {
		v, err := d.Value()
		if err != nil {
			return err
		}
		// One map operation instead of a lookup and an insert: a name
		// seen before does not grow the map. (The earlier value is
		// overwritten, but the whole object is refused.)
		n := len(m)
		m[name] = v
		if len(m) == n {
			return d.fail("duplicate member name")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (d *Decoder) array() ([]any, error) {
	d.depth++
	if d.depth > MaxDepth {
		return nil, d.fail("nesting too deep")
	}
	d.pos++ // '['
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return []any{}, nil
	}
	// Claim arrays (aud, roles, groups) are short: room for four
	// elements covers most of them with this one allocation.
	a := make([]any, 0, 4)
	for {
		v, err := d.Value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		d.ws()
		if d.pos >= len(d.data) {
			return nil, d.fail("unexpected end of input")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return a, nil
		default:
			return nil, d.fail("expected ',' or ']'")
		}
	}
}

// End reports an error unless only white space is left.
func (d *Decoder) End() error {
	d.ws()
	if d.pos != len(d.data) {
		return d.fail("data after the top-level value")
	}
	return nil
}

// Skip consumes the next value, validating it, without keeping it.
func (d *Decoder) Skip() error {
	_, err := d.Value()
	return err
}

// Peek returns the first byte of the next value (after white space), or 0
// at the end of input.
func (d *Decoder) Peek() byte {
	d.ws()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// String decodes the next value, which must be a string. A string without
// escapes is a substring of the input.
func (d *Decoder) String() (string, error) {
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", d.fail("expected a string")
	}
	start := d.pos + 1
	ascii := true
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		switch {
		case c == '"':
			s := d.data[start:i]
			if !ascii && !utf8.ValidString(s) {
				d.pos = start
				return "", d.fail("invalid UTF-8 in string")
			}
			d.pos = i + 1
			return s, nil
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			d.pos = i
			return "", d.fail("control character in string")
		case c >= 0x80:
			ascii = false
		}
	}
	d.pos = len(d.data)
	return "", d.fail("unterminated string")
}

// escaped decodes a string holding escapes into a new string.
func (d *Decoder) escaped(start int) (string, error) {
	var b strings.Builder
	b.Grow(32)
	i := start
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return b.String(), nil
		case c < 0x20:
			d.pos = i
			return "", d.fail("control character in string")
		case c == '\\':
			if i+1 >= len(d.data) {
				d.pos = i
				return "", d.fail("unterminated escape")
			}
			i++
			switch d.data[i] {
			case '"', '\\', '/':
				b.WriteByte(d.data[i])
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := hex4(d.data, i+1)
				if !ok {
					d.pos = i
					return "", d.fail("invalid \\u escape")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// A high surrogate must be followed by \u and a low one.
					r2, ok := rune(0), false
					if i+2 < len(d.data) && d.data[i+1] == '\\' && d.data[i+2] == 'u' {
						r2, ok = hex4(d.data, i+3)
					}
					dec := utf16.DecodeRune(r, r2)
					if !ok || dec == utf8.RuneError {
						d.pos = i
						return "", d.fail("unpaired surrogate in \\u escape")
					}
					i += 6
					r = dec
				}
				b.WriteRune(r)
			default:
				d.pos = i
				return "", d.fail("invalid escape")
			}
			i++
		case c < 0x80:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(d.data[i:])
			if r == utf8.RuneError && size <= 1 {
				d.pos = i
				return "", d.fail("invalid UTF-8 in string")
			}
			b.WriteString(d.data[i : i+size])
			i += size
		}
	}
	d.pos = len(d.data)
	return "", d.fail("unterminated string")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (d *Decoder) number() (any, error) {
	start := d.pos
	i := d.pos
	n := len(d.data)
	if i < n && d.data[i] == '-' {
		i++
	}
	switch {
	case i < n && d.data[i] == '0':
		i++
	case i < n && d.data[i] >= '1' && d.data[i] <= '9':
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		return nil, d.fail("invalid number")
	}
	if i < n && d.data[i] == '.' {
		i++
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			d.pos = i
			return nil, d.fail("invalid number")
		}
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	}
	if i < n && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < n && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if i >= n || d.data[i] < '0' || d.data[i] > '9' {
			d.pos = i
			return nil, d.fail("invalid number")
		}
		for i < n && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
		}
	}
	f, err := strconv.ParseFloat(d.data[start:i], 64)
	if err != nil {
		return nil, d.fail("number out of range")
	}
	d.pos = i
	return f, nil
}
