package jwtauth_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// TestExpectClaims_bigIntegers: expect_claims compares numbers by every
// digit, from a grafana.ini value or from Go code, at the top level and
// inside arrays and objects (issue 14).
func TestExpectClaims_bigIntegers(t *testing.T) {
	k := jwttest.Ed25519(1, "k1")
	keyValue := jwttest.Base64(k.PublicPEM())
	fromINI := func(t *testing.T, expect string) jwtauth.Config {
		t.Helper()
		cfg, err := jwtauth.ParseINI([]byte("[auth.jwt]\nenabled = true\nkey_id = k1\nkey_value = "+keyValue+"\nexpect_claims = "+expect+"\n"), nil)
		require.NoError(t, err)
		return cfg
	}
	// token signs the exact payload text, so that its numbers keep their digits.
	token := func(extra string) string {
		return k.Sign(fmt.Sprintf(`{"sub":"alice","exp":%d,%s}`, jwttest.Unix(time.Hour), extra))
	}
	for _, tc := range []struct {
		name, expect, claims string
		want                 error
	}{
		{"issue 14", `{"tenant_id": 9007199254740993}`, `"tenant_id": 9007199254740992`, jwtauth.ErrClaimMismatch},
		{"reversed", `{"tenant_id": 9007199254740992}`, `"tenant_id": 9007199254740993`, jwtauth.ErrClaimMismatch},
		{"equal", `{"tenant_id": 9007199254740993}`, `"tenant_id": 9007199254740993`, nil},
		{"in an array", `{"ids": [9007199254740993]}`, `"ids": [9007199254740992]`, jwtauth.ErrClaimMismatch},
		{"in an object", `{"org": {"id": 9007199254740993}}`, `"org": {"id": 9007199254740992}`, jwtauth.ErrClaimMismatch},
		{"equal in an object", `{"org": {"id": 9007199254740993}}`, `"org": {"id": 9007199254740993.0}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newV(t, fromINI(t, tc.expect))
			tok := token(tc.claims)
			for range 2 { // the second verification of an accepted token is a cache hit
				_, err := verify(t, v, tok)
				if tc.want == nil {
					require.NoError(t, err)
					continue
				}
				requireOnly(t, err, tc.want)
			}
			if tc.want == nil {
				// The hit compares every digit too, so the token stays cached.
				require.Equal(t, uint64(1), v.Stats().TokenCacheHits)
			}
		})
	}

	t.Run("Go values", func(t *testing.T) {
		for _, want := range []any{int64(9007199254740993), json.Number("9007199254740993"), uint64(9007199254740993)} {
			v := newV(t, jwtauth.Config{KeyValue: keyValue, KeyID: "k1", ExpectClaims: map[string]any{"tenant_id": want}})
			_, err := verify(t, v, token(`"tenant_id": 9007199254740992`))
			requireOnly(t, err, jwtauth.ErrClaimMismatch)
			_, err = verify(t, v, token(`"tenant_id": 9007199254740993`))
			require.NoError(t, err, "%T", want)
		}
	})
}
