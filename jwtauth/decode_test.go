package jwtauth_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/jwtauth/jwtauthtest"
)

type tenant struct {
	ID    int64    `json:"id"`
	Name  string   `json:"name"`
	Flags []string `json:"flags"`
}

type appClaims struct {
	Subject  string         `json:"sub"`
	Expiry   int64          `json:"exp"`
	Groups   []string       `json:"groups"`
	Tenant   tenant         `json:"tenant"`
	Quota    int64          `json:"quota"`
	Extra    map[string]any `json:"extra"`
	Optional *string        `json:"optional"`
}

func decodeClaims() map[string]any {
	return map[string]any{
		"sub":    "u-1",
		"groups": []string{"dev", "ops"},
		"tenant": map[string]any{"id": 9007199254740993, "name": "acme", "flags": []string{"beta"}},
		"quota":  1 << 40,
		"extra":  map[string]any{"k": []any{1, "two"}},
	}
}

func verifiedIdentity(t *testing.T, claims map[string]any) (*jwtauth.Identity, *jwtauth.Verifier, string) {
	t.Helper()
	iss := jwtauthtest.NewIssuer(t)
	v, err := jwtauth.New(iss.Config())
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	tok := iss.Sign(claims)
	id, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	return id, v, tok
}

// snapshot deep-copies claims through JSON, to compare against later.
func snapshot(t *testing.T, c map[string]any) string {
	t.Helper()
	b, err := json.Marshal(c)
	require.NoError(t, err)
	return string(b)
}

func TestDecodeClaimsStruct(t *testing.T) {
	id, _, _ := verifiedIdentity(t, decodeClaims())
	before := snapshot(t, id.Claims)

	var c appClaims
	require.NoError(t, id.DecodeClaims(&c))
	assert.Equal(t, "u-1", c.Subject)
	assert.Equal(t, id.ExpiresAt.Unix(), c.Expiry)
	assert.Equal(t, []string{"dev", "ops"}, c.Groups)
	// int64 beyond float64's 2^53: exact, as encoding/json decodes it.
	assert.Equal(t, tenant{ID: 9007199254740993, Name: "acme", Flags: []string{"beta"}}, c.Tenant)
	assert.Equal(t, int64(1<<40), c.Quota)
	assert.Nil(t, c.Optional)

	// Changing what was decoded does not reach Claims.
	c.Groups[0] = "changed"
	c.Tenant.Flags[0] = "changed"
	c.Extra["k"].([]any)[0] = "changed"
	c.Extra["new"] = true
	assert.Equal(t, before, snapshot(t, id.Claims), "DecodeClaims must not modify Claims")
	assert.Equal(t, []any{"dev", "ops"}, id.Claims["groups"])
}

func TestDecodeClaimsMap(t *testing.T) {
	id, _, _ := verifiedIdentity(t, decodeClaims())
	before := snapshot(t, id.Claims)
	var m map[string]any
	require.NoError(t, id.DecodeClaims(&m))
	assert.Equal(t, "acme", m["tenant"].(map[string]any)["name"])
	m["tenant"].(map[string]any)["name"] = "changed"
	m["sub"] = "changed"
	assert.Equal(t, before, snapshot(t, id.Claims))
	assert.Equal(t, "acme", id.Claims["tenant"].(map[string]any)["name"])
}

func TestDecodeClaimsTypeMismatch(t *testing.T) {
	id, _, _ := verifiedIdentity(t, decodeClaims())
	before := snapshot(t, id.Claims)
	var wrong struct {
		Groups string `json:"groups"`
		Quota  int8   `json:"quota"`
	}
	err := id.DecodeClaims(&wrong)
	require.Error(t, err)
	var te *json.UnmarshalTypeError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "groups", te.Field)
	assert.Contains(t, err.Error(), "jwtauth: decoding claims")

	var quota struct {
		Quota int8 `json:"quota"`
	}
	assert.Error(t, id.DecodeClaims(&quota), "2^40 does not fit an int8")
	var str struct {
		Sub int64 `json:"sub"`
	}
	assert.Error(t, id.DecodeClaims(&str))
	assert.Equal(t, before, snapshot(t, id.Claims))

	var notPtr appClaims
	assert.Error(t, id.DecodeClaims(notPtr))
	assert.Error(t, id.DecodeClaims(nil))
	var nilID *jwtauth.Identity
	assert.EqualError(t, nilID.DecodeClaims(&notPtr), "jwtauth: DecodeClaims on a nil Identity")
}

// An Identity answered from the verified-token cache decodes the same.
func TestDecodeClaimsCached(t *testing.T) {
	_, v, tok := verifiedIdentity(t, decodeClaims())
	id, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	require.Equal(t, uint64(1), v.Stats().TokenCacheHits)
	var c appClaims
	require.NoError(t, id.DecodeClaims(&c))
	assert.Equal(t, int64(9007199254740993), c.Tenant.ID)
}

// An Identity built by hand (tests of handlers) decodes its Claims.
func TestDecodeClaimsHandBuilt(t *testing.T) {
	id := &jwtauth.Identity{Subject: "u-1", Claims: map[string]any{"sub": "u-1", "quota": 5.0, "groups": []any{"a"}}}
	var c appClaims
	require.NoError(t, id.DecodeClaims(&c))
	assert.Equal(t, appClaims{Subject: "u-1", Quota: 5, Groups: []string{"a"}}, c)
}
