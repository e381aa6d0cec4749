package claims

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Expected holds the claim values a token must carry: Grafana's
// expect_claims, split the way [ParseExpected] splits it. The zero value
// expects nothing.
type Expected struct {
	// Issuer, when not empty, must equal the token's "iss" byte for byte.
	Issuer string
	// Subject, when not empty, must equal the token's "sub" byte for byte.
	Subject string
	// Audience, when not empty, must share at least one value with the
	// token's "aud" (a string counts as a one-element list).
	Audience []string
	// Custom maps every other claim name to the value the token must carry,
	// compared as JSON: numbers by value (123 equals 123.0, not "123"),
	// arrays in order, objects key for key, and null only equal to a present
	// null. Values must be JSON-typed (nil, bool, float64, string, []any,
	// map[string]any), as [ParseExpected] returns them; any other value is
	// converted through encoding/json on every comparison.
	Custom map[string]any
}

// ParseExpected splits an expect_claims object. "iss" and "sub" must be
// non-empty strings; "aud" must be a string or an array of strings (an
// empty array means no audience check); every other key, including "exp",
// "nbf", "iat" and "jti", becomes an exact-match requirement in
// [Expected.Custom].
//
// m may come from encoding/json or from Go code: Custom values are
// converted once to the types encoding/json decodes to, so an int 123
// matches a token's 123 and a []string matches a JSON array. A value that
// cannot be encoded as JSON is an error.
//
// Errors are plain errors that name the key; they carry no sentinel of this
// package because they are configuration errors, not token failures.
// ParseExpected does not modify m; a nil or empty m gives the zero Expected.
func ParseExpected(m map[string]any) (Expected, error) {
	var e Expected
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		switch k {
		case "iss", "sub":
			s, ok := v.(string)
			if !ok {
				return Expected{}, fmt.Errorf("claims: expect_claims %q must be a string, got %s", k, jsonType(v))
			}
			if s == "" {
				return Expected{}, fmt.Errorf("claims: expect_claims %q must not be empty", k)
			}
			if k == "iss" {
				e.Issuer = s
			} else {
				e.Subject = s
			}
		case "aud":
			aud, err := parseExpectedAudience(v)
			if err != nil {
				return Expected{}, err
			}
			e.Audience = aud
		default:
			nv, err := normalizeJSON(v)
			if err != nil {
				return Expected{}, fmt.Errorf("claims: expect_claims %q: %w", k, err)
			}
			if e.Custom == nil {
				e.Custom = make(map[string]any)
			}
			e.Custom[k] = nv
		}
	}
	return e, nil
}

func parseExpectedAudience(v any) ([]string, error) {
	var aud []string
	switch x := v.(type) {
	case string:
		aud = []string{x}
	case []string:
		aud = slices.Clone(x)
	case []any:
		aud = make([]string, 0, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("claims: expect_claims \"aud\"[%d] must be a string, got %s", i, jsonType(e))
			}
			aud = append(aud, s)
		}
	default:
		return nil, fmt.Errorf("claims: expect_claims \"aud\" must be a string or an array of strings, got %s", jsonType(v))
	}
	if slices.Contains(aud, "") {
		return nil, fmt.Errorf("claims: expect_claims \"aud\" must not contain an empty string")
	}
	if len(aud) == 0 {
		return nil, nil
	}
	return aud, nil
}

// normalizeJSON converts v to the types encoding/json decodes to.
func normalizeJSON(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return v, nil
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return v, nil
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// jsonEqual reports whether the JSON-typed value got equals want, with the
// semantics of reflect.DeepEqual on decoded JSON. It does not allocate when
// want is JSON-typed.
func jsonEqual(want, got any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case float64:
		g, ok := got.(float64)
		return ok && g == w
	case string:
		g, ok := got.(string)
		return ok && g == w
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !jsonEqual(w[i], g[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !jsonEqual(wv, gv) {
				return false
			}
		}
		return true
	default:
		nw, err := normalizeJSON(want)
		if err != nil {
			return false
		}
		switch nw.(type) {
		case []any, map[string]any, nil, bool, float64, string:
			return jsonEqual(nw, got)
		}
		return false
	}
}
