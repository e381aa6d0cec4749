package jwks_test

import (
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwks"
)

// A JWK whose RSA modulus carries a leading zero octet (a Java BigInteger
// habit) is loaded, as go-jose and so Grafana load it, and the leniency is
// reported once in the log and in Health, not on every refetch.
func TestLenientKeysReported(t *testing.T) {
	rk := jwttest.RSA("lenient", 2048, "java")
	jwk := rk.JWK(false)
	jwk["n"] = base64.RawURLEncoding.EncodeToString(append([]byte{0}, rk.Public.(*rsa.PublicKey).N.Bytes()...))

	var logs logBuffer
	p := newIDP(jwttest.JWKSOf(jwk), "")
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	r := newRemote(t, p, jwks.Options{Now: clk.Now, Logger: slogDebug(&logs)})
	if ks, err := r.KeysFor(t.Context(), "java", "RS256"); err != nil || len(ks) != 1 {
		t.Fatalf("KeysFor(java, RS256) = %v, %v", ks, err)
	}

	h := r.Health()
	if len(h.Warnings) != 1 || !strings.Contains(h.Warnings[0], `"java"`) || !strings.Contains(h.Warnings[0], "zero") {
		t.Fatalf("Health().Warnings = %q, want one line naming the kid and the leading zero", h.Warnings)
	}
	if len(h.Skipped) != 0 {
		t.Errorf("the key is loaded, not skipped: %+v", h.Skipped)
	}
	clk.Advance(time.Minute)
	if err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), `level=INFO msg="jwks: keys loaded leniently"`); n != 1 {
		t.Errorf("leniency logged at info %d times, want once:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), `level=DEBUG msg="jwks: keys loaded leniently"`); n != 1 {
		t.Errorf("the unchanged refetch is not logged at debug:\n%s", logs.String())
	}

	// A set without such keys says nothing.
	p.serve(200, jwttest.JWKS(key1), "")
	clk.Advance(time.Minute)
	if err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if w := r.Health().Warnings; len(w) != 0 {
		t.Errorf("Warnings = %q after the set changed", w)
	}
}
