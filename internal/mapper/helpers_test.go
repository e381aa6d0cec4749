package mapper_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/claims"
)

// decode turns JSON text into a claim map typed exactly like a decoded
// token (float64, []any, map[string]any).
func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), s)
	return m
}

var sentinels = []error{
	claims.ErrExpired, claims.ErrNotYetValid, claims.ErrIssuedInFuture, claims.ErrMismatch,
	claims.ErrMissing, claims.ErrNoRole, claims.ErrPath, claims.ErrType,
}

// requireOnly asserts that err is a *claims.Error matching want and no other
// sentinel of package claims.
func requireOnly(t testing.TB, err, want error) *claims.Error {
	t.Helper()
	require.ErrorIs(t, err, want)
	for _, s := range sentinels {
		if s != want {
			require.NotErrorIs(t, err, s)
		}
	}
	ce, ok := errors.AsType[*claims.Error](err)
	require.True(t, ok, "error %T is not a *claims.Error", err)
	require.Equal(t, want, ce.Err)
	return ce
}
