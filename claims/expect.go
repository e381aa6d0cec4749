package claims

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
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
	// compared as JSON: numbers by exact decimal value (123 equals 123.0 and
	// 1.23e2, not "123"; 9007199254740993 does not equal 9007199254740992),
	// arrays in order, objects key for key, and null only equal to a present
	// null. Values should be JSON-typed as [ParseExpected] returns them (nil,
	// bool, json.Number, string, []any, map[string]any); a float64 stands for
	// its shortest decimal form, and any other value is converted through
	// encoding/json on every comparison.
	Custom map[string]any
}

// ParseExpected splits an expect_claims object. "iss" and "sub" must be
// non-empty strings; "aud" must be a string or an array of strings (an
// empty array means no audience check); every other key, including "exp",
// "nbf", "iat" and "jti", becomes an exact-match requirement in
// [Expected.Custom].
//
// m may come from encoding/json or from Go code: Custom values are
// converted once to the types encoding/json decodes to with
// [json.Decoder.UseNumber], so an int 123 matches a token's 123 and a
// []string matches a JSON array. Numbers become json.Number and keep every
// digit: decode expect_claims text with UseNumber too (a float64 has
// already lost the digits of integers beyond 2^53). A value that cannot be
// encoded as JSON is an error.
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

// normalizeJSON converts v to the types encoding/json decodes to with
// UseNumber: numbers become json.Number.
func normalizeJSON(v any) (any, error) {
	switch v.(type) {
	case nil, bool, string:
		return v, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// hasNumber reports whether the JSON-typed value v holds a number.
func hasNumber(v any) bool {
	switch x := v.(type) {
	case float64, json.Number:
		return true
	case []any:
		return slices.ContainsFunc(x, hasNumber)
	case map[string]any:
		for _, e := range x {
			if hasNumber(e) {
				return true
			}
		}
	}
	return false
}

// jsonEqual reports whether the JSON-typed value got equals want, with the
// semantics of reflect.DeepEqual on decoded JSON except that numbers
// (json.Number or float64) compare by decimal value. It does not allocate
// when want is JSON-typed.
func jsonEqual(want, got any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case float64, json.Number:
		return numberEqual(w, got)
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
		case []any, map[string]any, nil, bool, json.Number, string:
			return jsonEqual(nw, got)
		}
		return false
	}
}
