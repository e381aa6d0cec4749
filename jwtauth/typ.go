package jwtauth

import (
	"strings"
)

// tokenTypes is a compiled Config.TokenTypes: each value lower-cased and
// without its "application/" prefix. nil accepts any typ.
type tokenTypes []string

// mediaPrefix is the prefix RFC 7515 §4.1.9 lets a typ value leave out.
const mediaPrefix = "application/"

// newTokenTypes validates Config.TokenTypes. nil stays nil (any typ); an
// empty non-nil list, an empty value or one with spaces or control
// characters fails.
func newTokenTypes(list []string, errs configErrors) (tokenTypes, error) {
	if list == nil {
		return nil, nil
	}
	if len(list) == 0 {
		return nil, errs.field("TokenTypes", "empty; leave it nil to accept any typ")
	}
	tt := make(tokenTypes, 0, len(list))
	for _, s := range list {
		t := withoutMediaPrefix(s)
		if t == "" || strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return nil, errs.field("TokenTypes", "%q is not a media type such as \"at+jwt\"", s)
		}
		tt = append(tt, strings.ToLower(t))
	}
	return tt, nil
}

// withoutMediaPrefix removes a leading "application/", in any case.
func withoutMediaPrefix(s string) string {
	if len(s) >= len(mediaPrefix) && strings.EqualFold(s[:len(mediaPrefix)], mediaPrefix) {
		return s[len(mediaPrefix):]
	}
	return s
}

// check accepts typ when tt is nil or lists it, compared as RFC 7515
// §4.1.9 says: case-insensitively, "application/" optional. An absent (or
// empty) typ is refused when tt is set.
func (tt tokenTypes) check(typ string) error {
	if tt == nil {
		return nil
	}
	if typ == "" {
		return fail(ErrClaimMismatch, "typ", "no typ header; want "+tt.String())
	}
	t := withoutMediaPrefix(typ)
	for _, want := range tt {
		if strings.EqualFold(t, want) {
			return nil
		}
	}
	return fail(ErrClaimMismatch, "typ", "typ "+quote(typ)+" is not "+tt.String())
}

// String lists the accepted types for error details: "at+jwt" or one of
// "at+jwt", "jwt".
func (tt tokenTypes) String() string {
	if len(tt) == 1 {
		return quote(tt[0])
	}
	q := make([]string, len(tt))
	for i, t := range tt {
		q[i] = quote(t)
	}
	return "one of " + strings.Join(q, ", ")
}
