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
// Strings are not copied: every string in the result shares memory with the
// input, which therefore must never be modified after a successful decode.
// Callers pass a buffer they own and never reuse.
package jsonx

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
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

// Decoder reads one JSON text. The zero value is not usable; use New.
type Decoder struct {
	data   []byte
	pos    int
	depth  int
	strs   []string  // slab the boxed string values point into
	floats []float64 // slab the boxed numbers point into
	arrays [][]any   // slab the boxed arrays' slice headers point into

	// The elements of the arrays being decoded (a stack: nested arrays
	// push above their parent's elements). The first len(inline) live in
	// the Decoder itself, which callers keep on their stack, and only
	// the rest spill into the heap. They are indexed, never sliced: a
	// slice of inline stored in the Decoder would move it to the heap.
	inline [8]any
	spill  []any
	nelems int
}

func (d *Decoder) push(v any) {
	if d.nelems < len(d.inline) {
		d.inline[d.nelems] = v
	} else {
		d.spill = append(d.spill, v)
	}
	d.nelems++
}

// popTo moves the elements above base into a new exact-size slice.
func (d *Decoder) popTo(base int) []any {
	a := make([]any, d.nelems-base)
	for i := range a {
		if j := base + i; j < len(d.inline) {
			a[i] = d.inline[j]
		} else {
			a[i] = d.spill[j-len(d.inline)]
		}
	}
	d.truncate(base)
	return a
}

// truncate drops the elements above base.
func (d *Decoder) truncate(base int) {
	for j := base; j < d.nelems && j < len(d.inline); j++ {
		d.inline[j] = nil
	}
	if s := max(base-len(d.inline), 0); s < len(d.spill) {
		clear(d.spill[s:])
		d.spill = d.spill[:s]
	}
	d.nelems = base
}

// New returns a Decoder over data. data must not be modified while any
// decoded value is in use.
func New(data []byte) *Decoder { return &Decoder{data: data} }

func (d *Decoder) fail(msg string) error { return &Error{Offset: d.pos, Msg: msg} }

// ParseObject decodes data, which must hold exactly one JSON object (plus
// white space), into a map.
func ParseObject(data []byte) (map[string]any, error) {
	d := Decoder{data: data}
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return nil, d.fail("expected an object")
	}
	d.presize()
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
func Parse(data []byte) (any, error) {
	d := Decoder{data: data}
	d.presize()
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
func countHint(data []byte) int { return min(bytes.Count(data, colon), 32) }

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
		a, err := d.array()
		if err != nil {
			return nil, err
		}
		return d.boxArray(a), nil
	case '"':
		str, err := d.String()
		if err != nil {
			return nil, err
		}
		return d.boxString(str), nil
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
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
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
	base := d.nelems
	for {
		v, err := d.Value()
		if err != nil {
			d.truncate(base)
			return nil, err
		}
		d.push(v)
		d.ws()
		if d.pos >= len(d.data) {
			d.truncate(base)
			return nil, d.fail("unexpected end of input")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return d.popTo(base), nil
		default:
			d.truncate(base)
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

// String decodes the next value, which must be a string.
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
			if !ascii && !utf8.Valid(s) {
				d.pos = start
				return "", d.fail("invalid UTF-8 in string")
			}
			d.pos = i + 1
			return unsafe.String(unsafe.SliceData(s), len(s)), nil
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

// escaped decodes a string holding escapes into a new buffer.
func (d *Decoder) escaped(start int) (string, error) {
	buf := make([]byte, 0, 32)
	i := start
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(buf), nil
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
				buf = append(buf, d.data[i])
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
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
				buf = utf8.AppendRune(buf, r)
			default:
				d.pos = i
				return "", d.fail("invalid escape")
			}
			i++
		case c < 0x80:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && size <= 1 {
				d.pos = i
				return "", d.fail("invalid UTF-8 in string")
			}
			buf = append(buf, d.data[i:i+size]...)
			i += size
		}
	}
	d.pos = len(d.data)
	return "", d.fail("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
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
	lit := d.data[start:i]
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(lit), len(lit)), 64)
	if err != nil {
		return nil, d.fail("number out of range")
	}
	d.pos = i
	return d.boxFloat(f), nil
}

// presize sizes the slabs from cheap vectorised counts, so a typical
// claims set needs one allocation for all its string values and one for
// all its numbers: quotes bound strings (member names included, hence the
// colons taken off), commas bound numbers.
func (d *Decoder) presize() {
	q := bytes.Count(d.data, quote)
	n := bytes.Count(d.data, comma)
	c := bytes.Count(d.data, colon)
	d.strs = make([]string, 0, min(max(q/2-c, 0)+2, 64))
	d.floats = make([]float64, 0, min(n+1, 8))
}

var quote, comma, colon = []byte{'"'}, []byte{','}, []byte{':'}

// eface is the memory layout of an empty interface.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

var (
	stringType = func() unsafe.Pointer { var v any = ""; return (*eface)(unsafe.Pointer(&v)).typ }()
	floatType  = func() unsafe.Pointer { var v any = 0.0; return (*eface)(unsafe.Pointer(&v)).typ }()
	arrayType  = func() unsafe.Pointer { var v any = []any(nil); return (*eface)(unsafe.Pointer(&v)).typ }()
)

// box returns v as an `any` whose data word points into *slab, instead of
// a fresh allocation per value. A slab element is never modified after it
// is boxed; a full slab is replaced, not grown, so earlier pointers stay
// valid (the old array lives on through them).
func box[T any](slab *[]T, v T, typ unsafe.Pointer, minCap int) any {
	if len(*slab) == cap(*slab) {
		*slab = make([]T, 0, max(2*cap(*slab), minCap))
	}
	*slab = append(*slab, v)
	var out any
	e := (*eface)(unsafe.Pointer(&out))
	e.typ, e.data = typ, unsafe.Pointer(&(*slab)[len(*slab)-1])
	return out
}

func (d *Decoder) boxString(s string) any { return box(&d.strs, s, stringType, 8) }
func (d *Decoder) boxFloat(f float64) any { return box(&d.floats, f, floatType, 4) }
func (d *Decoder) boxArray(a []any) any   { return box(&d.arrays, a, arrayType, 4) }
