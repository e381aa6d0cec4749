package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
)

// unsafeRunes are what a terminal may act on instead of printing: C0 and
// C1 controls (ESC, CR, BEL, CSI), DEL and a bidirectional override.
var unsafeRunes = []string{"\x1b", "\r", "\x07", "\x7f", "\u009b", "\u202e"}

func requirePrintable(t *testing.T, r result) {
	t.Helper()
	for _, c := range unsafeRunes {
		assert.NotContains(t, r.stdout, c)
		assert.NotContains(t, r.stderr, c)
	}
}

// Claim values with control characters are printed Go-quoted, so a valid
// token cannot put terminal escape sequences on the operator's screen.
func TestClaimValuesQuoted(t *testing.T) {
	f := setup(t)
	tok := f.key.Sign(claims(func(c jwttest.Claims) {
		c["name"] = "Alice\x1b[2J\x1b]0;pwned\x07"
		c["preferred_username"] = "ali\rce"
		c["email"] = "alice@example.com\u202egpj.exe"
		c["groups"] = []any{"dev\u009b31m", "ops"}
		c["sub"] = "alice\x7f"
	}))
	r := check(t, "", "-config", f.ini, "-now", epoch, "-token", tok)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	requirePrintable(t, r)
	lines := r.stdout[strings.Index(r.stdout, "\nVALID\n"):]
	for _, want := range []string{
		`  subject    "alice\x7f"` + "\n",
		`  login      "ali\rce"` + "\n",
		`  email      "alice@example.com\u202egpj.exe"` + "\n",
		`  name       "Alice\x1b[2J\x1b]0;pwned\a"` + "\n",
		`  groups     "dev\u009b31m, ops"` + "\n",
		"  role       Editor\n",
		"  expires    2026-11-23T13:00:00Z (in 1h0m0s)\n",
	} {
		assert.Contains(t, lines, want)
	}
}

// The same holds for what a refusal shows of the token: details, causes
// and hints.
func TestRefusalTextQuoted(t *testing.T) {
	f := setup(t)
	tok := f.key.Sign(claims(func(c jwttest.Claims) { c["aud"] = "graf\u009bana\x1b[0m" }))
	r := check(t, "", "-config", f.ini, "-now", epoch, "-token", tok)
	require.Equal(t, 1, r.code, r.stdout+r.stderr)
	requirePrintable(t, r)
	assert.Contains(t, r.stdout, "  reason     ErrClaimMismatch")
	assert.Contains(t, r.stdout, `  hint       "expect_claims wants aud = \"grafana\"; the token has \"graf\u009bana\\u001b[0m\""`+"\n")
}
