package claims

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
)

// defaultLeeway is the clock skew allowed for "exp", "nbf" and "iat" when
// Validator.Leeway is zero. It is Grafana's fixed value.
const defaultLeeway = time.Minute

// maxSeconds bounds NumericDate values before they become a time.Time, so
// that absurd values (1e300) cannot overflow; it is about 31 million years,
// far beyond any clock plus leeway.
const maxSeconds = 1e15

// Validator checks the registered claims of a decoded claim set and the
// expectations of [Expected]. The zero value checks only the types of the
// registered claims and the time claims that are present, with a leeway of
// 60 seconds.
//
// A Validator holds no hidden state: build it with a struct literal and do
// not modify it once it is in use. Validate is then safe for concurrent use
// by multiple goroutines.
type Validator struct {
	// Expected holds the values the claims must carry (expect_claims).
	Expected Expected
	// Leeway is the clock skew allowed for exp, nbf and iat. Zero means
	// 60 seconds (Grafana's fixed value), as jwtauth's Config.Leeway; a negative value means
	// no leeway at all.
	Leeway time.Duration
	// RequireExp rejects a claim set without "exp" (absent or null) with
	// ErrMissing. Grafana has no such option: a token without exp never
	// expires there.
	RequireExp bool
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// leeway resolves the Leeway field as documented.
func (v *Validator) leeway() time.Duration {
	switch {
	case v.Leeway == 0:
		return defaultLeeway
	case v.Leeway < 0:
		return 0
	}
	return v.Leeway
}

// Validate checks the claim set c, as decoded from a token's JSON payload
// (numbers float64, arrays []any, objects map[string]any). It returns nil
// or an *[Error] wrapping exactly one sentinel:
//
//   - ErrType: "exp", "nbf" or "iat" is not a number (null is skipped),
//     "iss" or "sub" is not a string, or "aud" is neither a string nor an
//     array of strings. Claims that are absent are not type-checked.
//   - ErrExpired: now - leeway is after exp (fractional seconds of exp,
//     nbf and iat are truncated, as Grafana does).
//   - ErrNotYetValid: now + leeway is before nbf.
//   - ErrIssuedInFuture: now + leeway is before iat.
//   - ErrMissing: RequireExp and no exp, or an expected claim is absent.
//   - ErrMismatch: iss or sub differs from the expected value, aud contains
//     none of the expected audiences (any-of, as go-jose v4; an empty token
//     aud never matches), or a custom claim is not JSON-equal.
//
// When several checks fail, the first in this fixed order is reported: the
// type checks (exp, nbf, iat, iss, sub, aud), then exp, nbf and iat against
// the clock, then iss, sub and aud, then custom claims by sorted name.
//
// Validate does not allocate when the claims pass: custom claims are
// compared in map order and sorted only to pick the failure to report.
// Error details quote and truncate token values and never contain the token.
//
// A float64 in c stands for the shortest decimal that rounds to it, so
// Validate cannot tell a token's 9007199254740993 from 9007199254740992
// once both were decoded to float64; [Validator.ValidatePayload] can.
func (v *Validator) Validate(c map[string]any) error {
	return v.validate(tokenClaims{c: c})
}

// ValidatePayload is [Validator.Validate] for a claim set c decoded from
// the JSON text payload (a token's payload, whose member names must be
// unique). Custom claims whose expected value holds a number are compared
// with the token's own JSON text, decoded again from payload with
// [json.Decoder.UseNumber], so that every digit counts; a payload that
// cannot be read that way fails them with ErrMismatch. This decoding
// allocates, and happens only for such claims.
func (v *Validator) ValidatePayload(c map[string]any, payload string) error {
	return v.validate(tokenClaims{c: c, payload: payload, hasPayload: true})
}

func (v *Validator) validate(tc tokenClaims) error {
	c := tc.c
	exp, hasExp, err := numericDate(c, "exp")
	if err != nil {
		return err
	}
	nbf, hasNbf, err := numericDate(c, "nbf")
	if err != nil {
		return err
	}
	iat, hasIat, err := numericDate(c, "iat")
	if err != nil {
		return err
	}
	iss, hasIss, err := stringClaim(c, "iss")
	if err != nil {
		return err
	}
	sub, hasSub, err := stringClaim(c, "sub")
	if err != nil {
		return err
	}
	aud, hasAud := c["aud"]
	if hasAud {
		if err := checkAudienceType(aud); err != nil {
			return err
		}
	}

	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now()
	leeway := v.leeway()
	switch {
	case hasExp:
		if t.Add(-leeway).After(exp) {
			return newError(ErrExpired, "exp", fmt.Sprintf("exp %s is %s in the past (leeway %s)",
				formatTime(exp), t.Sub(exp).Truncate(time.Second), leeway))
		}
	case v.RequireExp:
		return newError(ErrMissing, "exp", "exp is required and absent")
	}
	if hasNbf && t.Add(leeway).Before(nbf) {
		return newError(ErrNotYetValid, "nbf", fmt.Sprintf("nbf %s is %s in the future (leeway %s)",
			formatTime(nbf), nbf.Sub(t).Truncate(time.Second), leeway))
	}
	if hasIat && t.Add(leeway).Before(iat) {
		return newError(ErrIssuedInFuture, "iat", fmt.Sprintf("iat %s is %s in the future (leeway %s)",
			formatTime(iat), iat.Sub(t).Truncate(time.Second), leeway))
	}

	e := &v.Expected
	if err := checkExactString("iss", e.Issuer, iss, hasIss); err != nil {
		return err
	}
	if err := checkExactString("sub", e.Subject, sub, hasSub); err != nil {
		return err
	}
	if len(e.Audience) > 0 {
		if !hasAud {
			return newError(ErrMissing, "aud", fmt.Sprintf("aud is absent, expected one of %q", e.Audience))
		}
		if !audienceMatches(aud, e.Audience) {
			return newError(ErrMismatch, "aud", fmt.Sprintf("aud %s contains none of the expected %q",
				renderAudience(aud), e.Audience))
		}
	}

	for k, want := range e.Custom {
		got, ok := tc.get(k, want)
		if !ok || !jsonEqual(want, got) {
			return firstCustomFailure(e.Custom, &tc)
		}
	}
	return nil
}

// tokenClaims is a claim set and, when known, the JSON text it was decoded
// from.
type tokenClaims struct {
	c          map[string]any
	payload    string                     // the JSON text c was decoded from
	hasPayload bool                       // false: compare the decoded values
	members    map[string]json.RawMessage // payload's members, read on first use
}

// unreadable stands for a claim whose JSON text could not be read again;
// it equals no expected value.
type unreadable struct{}

// get returns claim k for comparison with want. When want holds a number
// and the payload is known, the claim is decoded again from the payload,
// keeping its numbers as json.Number.
func (tc *tokenClaims) get(k string, want any) (any, bool) {
	got, ok := tc.c[k]
	if !ok || !tc.hasPayload || !hasNumber(want) {
		return got, ok
	}
	if tc.members == nil {
		var m map[string]json.RawMessage // a local: &tc.members would move tc to the heap
		if err := json.Unmarshal([]byte(tc.payload), &m); err != nil || m == nil {
			m = map[string]json.RawMessage{}
		}
		tc.members = m
	}
	raw, ok := tc.members[k]
	if !ok {
		return unreadable{}, true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return unreadable{}, true
	}
	return v, true
}

// firstCustomFailure reports the failing custom claim that sorts first.
func firstCustomFailure(want map[string]any, tc *tokenClaims) error {
	for _, k := range slices.Sorted(maps.Keys(want)) {
		got, ok := tc.get(k, want[k])
		if !ok {
			return newError(ErrMissing, k, fmt.Sprintf("%s is absent, expected %s", quote(k), render(want[k])))
		}
		if !jsonEqual(want[k], got) {
			return newError(ErrMismatch, k, fmt.Sprintf("%s is %s (%s), expected %s (%s)",
				quote(k), render(got), jsonType(got), render(want[k]), jsonType(want[k])))
		}
	}
	return nil
}

// numericDate reads a NumericDate claim. Absent and null are "not present";
// any other non-number is ErrType.
func numericDate(c map[string]any, name string) (time.Time, bool, error) {
	raw, ok := c[name]
	if !ok || raw == nil {
		return time.Time{}, false, nil
	}
	var f float64
	switch x := raw.(type) {
	case float64:
		f = x
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(x), 64); err != nil {
			return time.Time{}, false, newError(ErrType, name, fmt.Sprintf("%s %s is not a number", name, quote(string(x))))
		}
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	default:
		return time.Time{}, false, newError(ErrType, name, fmt.Sprintf("%s has type %s, want number", name, jsonType(raw)))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, false, newError(ErrType, name, fmt.Sprintf("%s is not a finite number", name))
	}
	f = max(-maxSeconds, min(maxSeconds, f))
	return time.Unix(int64(f), 0), true, nil // int64() truncates toward zero
}

// stringClaim reads "iss" or "sub": when present it must be a string.
func stringClaim(c map[string]any, name string) (string, bool, error) {
	raw, ok := c[name]
	if !ok {
		return "", false, nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", false, newError(ErrType, name, fmt.Sprintf("%s has type %s, want string", name, jsonType(raw)))
	}
	return s, true, nil
}

func checkAudienceType(aud any) error {
	switch x := aud.(type) {
	case string, []string:
		return nil
	case []any:
		for i, e := range x {
			if _, ok := e.(string); !ok {
				return newError(ErrType, "aud", fmt.Sprintf("aud[%d] has type %s, want string", i, jsonType(e)))
			}
		}
		return nil
	}
	return newError(ErrType, "aud", fmt.Sprintf("aud has type %s, want string or array of strings", jsonType(aud)))
}

// checkExactString compares iss or sub with its expectation, if any.
func checkExactString(name, want, got string, present bool) error {
	switch {
	case want == "":
		return nil
	case !present:
		return newError(ErrMissing, name, fmt.Sprintf("%s is absent, expected %q", name, want))
	case got != want:
		return newError(ErrMismatch, name, fmt.Sprintf("%s %s does not equal expected %q", name, quote(got), want))
	}
	return nil
}

// audienceMatches reports whether the type-checked aud holds at least one
// of want.
func audienceMatches(aud any, want []string) bool {
	switch x := aud.(type) {
	case string:
		return slices.Contains(want, x)
	case []string:
		for _, s := range x {
			if slices.Contains(want, s) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && slices.Contains(want, s) {
				return true
			}
		}
	}
	return false
}

func renderAudience(aud any) string {
	if s, ok := aud.([]string); ok {
		return renderList(s)
	}
	return render(aud)
}
