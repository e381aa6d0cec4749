package claims

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jwtgate/jwtgate/internal/detail"
)

// maxShown is roughly how many bytes of token-derived text an error detail
// shows. Longer text is cut on a rune boundary and marked with "…".
const maxShown = 64

// maxExprShown bounds how much of a configured JMESPath expression a detail
// shows. Expressions come from configuration, not from tokens, so the bound
// only keeps messages readable.
const maxExprShown = 128

// newError builds the *Error every failure of this package returns.
func newError(sentinel error, claim, detail string) *Error {
	return &Error{Err: sentinel, Claim: claim, Detail: detail}
}

// quote renders token-derived text for an error detail: Go-quoted, ASCII
// only (so control characters, CR/LF and homoglyphs are visible as escapes)
// and truncated to about maxShown bytes.
func quote(s string) string { return quoteLimit(s, maxShown) }

func quoteLimit(s string, limit int) string { return detail.Quote(s, limit) }

// jsonType names the JSON type of a decoded claim value; values that no JSON
// decoder produces are named by their Go type.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case unreadable:
		return "unreadable JSON"
	default:
		return fmt.Sprintf("Go type %T", v)
	}
}

// render shows a claim value as compact JSON, truncated to about maxShown
// bytes. The walk stops as soon as the limit is passed, so the cost does not
// grow with the size of the value beyond sorting one object's keys.
func render(v any) string {
	b := appendValue(nil, v, maxShown)
	if len(b) <= maxShown {
		return string(b)
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "…"
}

func appendValue(b []byte, v any, limit int) []byte {
	if len(b) > limit {
		return b
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case json.Number:
		if _, ok := parseDecimal(string(x), nil); ok {
			return append(b, x...)
		}
		return append(b, quoteLimit(string(x), limit)...)
	case unreadable:
		return append(b, "(unreadable)"...)
	case string:
		return append(b, quoteLimit(x, limit)...)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if len(b) > limit {
				return b
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e, limit)
		}
		return append(b, ']')
	case map[string]any:
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if len(b) > limit {
				return b
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, quoteLimit(k, limit)...)
			b = append(b, ':')
			b = appendValue(b, x[k], limit)
		}
		return append(b, '}')
	default:
		return fmt.Appendf(b, "(%T)", v)
	}
}

// renderList shows a list of token-derived strings, bounded like render.
func renderList(list []string) string {
	b := []byte{'['}
	for i, s := range list {
		if len(b) > maxShown {
			b = fmt.Appendf(b, "… %d more", len(list)-i)
			break
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, quote(s)...)
	}
	return string(append(b, ']'))
}

// formatTime shows a NumericDate as RFC 3339 in UTC.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
