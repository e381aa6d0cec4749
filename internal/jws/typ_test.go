package jws_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jws"
	"github.com/jwtgate/jwtgate/internal/jwttest"
)

// The typ header is read verbatim, absent is "", and any JSON type other
// than a string is malformed, named as the typ member.
func TestTypHeader(t *testing.T) {
	k := jwttest.Ed25519(7, "d")
	for _, tc := range []struct {
		name string
		typ  any
		want string
	}{
		{"absent", nil, ""},
		{"at+jwt", "at+jwt", "at+jwt"},
		{"kept verbatim", "Application/AT+JWT", "Application/AT+JWT"},
		{"empty string", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := jws.Parse(k.Sign(jwttest.Default(), map[string]any{"typ": tc.typ}))
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.Typ)
		})
	}
	for _, typ := range []any{1, true, []string{"at+jwt"}, map[string]any{"a": "b"}} {
		_, err := jws.Parse(k.Sign(jwttest.Default(), map[string]any{"typ": typ}))
		require.ErrorIs(t, err, jws.ErrMalformed, "typ %v", typ)
		var je *jws.Error
		require.True(t, errors.As(err, &je))
		assert.Equal(t, jws.BadMember, je.Reason)
		assert.Equal(t, "typ", je.Member)
	}
	// JSON null is not a string either.
	_, err := jws.Parse(k.SignRaw(k.Alg, []byte(`{"alg":"EdDSA","typ":null}`), []byte(`{}`)))
	require.ErrorIs(t, err, jws.ErrMalformed)
}
