package jwtauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
	"github.com/jwtgate/jwtgate/keys"
)

// The attacks_*_test.go files hold one subtest per entry of the public
// attack catalog (shared/spec/attacks.md), named after its id, plus
// jwtgate's own entries from ATK-100 on, split by area: tokens, keys, JWKS
// and requests. This file holds the harness they share. Conventions of the catalog: a fixed clock, the default
// leeway, a JWKS trusting one 2048-bit RSA key "good", UsernameClaim "sub",
// and a default token {"alg":"RS256","kid":"good"} with sub=alice,
// iat=now-60s, exp=now+1h.
//
// Where the catalog gives a wall-time bound ("within 100 ms"), the house
// rule "no timing assertions in unit tests" applies: the tests assert what
// makes the bound hold instead, namely that a size cap decides before any
// key lookup (a counting keys.Source) and that memory stays bounded
// (runtime.MemStats.TotalAlloc, averaged over several calls).

var (
	// atkGood is the trusted key; atkAttacker is another RSA key that signs
	// with the same kid.
	atkGood     = jwttest.RSA("good", 2048, "good")
	atkAttacker = jwttest.RSA("attacker", 2048, "good")
)

// atkMatched returns the names of the sentinels err matches.
func atkMatched(err error) []string {
	var out []string
	for _, s := range allSentinels {
		if errors.Is(err, s) {
			out = append(out, jwtauth.ReasonName(s))
		}
	}
	return out
}

// atkRequireResponse checks a refusal answered by DefaultErrorHandler: the
// status and WWW-Authenticate header the catalog states for want, and a
// small JSON body.
func atkRequireResponse(t testing.TB, code int, h http.Header, body string, want error) {
	t.Helper()
	switch {
	case want == jwtauth.ErrNoToken:
		require.Equal(t, http.StatusUnauthorized, code)
		require.Equal(t, "Bearer", h.Get("WWW-Authenticate"))
	case want == jwtauth.ErrKeysUnavailable:
		require.Equal(t, http.StatusServiceUnavailable, code)
	case want == jwtauth.ErrNoRole:
		require.Equal(t, http.StatusForbidden, code)
	case want == jwtauth.ErrAttributePath:
		require.Equal(t, http.StatusBadRequest, code)
	default:
		require.Equal(t, http.StatusUnauthorized, code)
		require.Equal(t, `Bearer error="invalid_token"`, h.Get("WWW-Authenticate"))
	}
	require.Less(t, len(body), 256, "response body is not small")
	require.True(t, json.Valid([]byte(body)), "response body is not JSON: %q", body)
	require.Empty(t, h.Values("Set-Cookie"))
}

func atkNewCounting(t testing.TB, jwks []byte) *countingSource {
	t.Helper()
	set, err := keys.ParseJWKS(jwks)
	require.NoError(t, err)
	return &countingSource{set: set}
}

// atkConfig is the catalog's configuration.
func atkConfig() jwtauth.Config {
	return jwtauth.Config{
		JWKSetValue:   jwttest.Base64(jwttest.JWKS(atkGood)),
		UsernameClaim: "sub",
		Now:           jwttest.Clock(),
	}
}

// atkToken is the catalog's default token.
func atkToken() string { return atkGood.Sign(jwttest.Default()) }

// atkHarness is a Verifier whose ErrorHandler records the last error before
// answering with DefaultErrorHandler.
type atkHarness struct {
	v       *jwtauth.Verifier
	mu      sync.Mutex
	lastErr error
}

func (h *atkHarness) onError(w http.ResponseWriter, r *http.Request, err error) {
	h.mu.Lock()
	h.lastErr = err
	h.mu.Unlock()
	jwtauth.DefaultErrorHandler(w, r, err)
}

// atkNewHarness builds a Verifier from atkConfig with the changes applied.
func atkNewHarness(t testing.TB, changes ...func(*jwtauth.Config)) *atkHarness {
	t.Helper()
	cfg := atkConfig()
	for _, c := range changes {
		c(&cfg)
	}
	h := &atkHarness{}
	cfg.ErrorHandler = h.onError
	v, err := jwtauth.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	h.v = v
	return h
}

const atkTimeout = 10 * time.Second

// verify runs Verify under a deadline, failing the test on a panic.
func (h *atkHarness) verify(t testing.TB, token string) (id *jwtauth.Identity, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), atkTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Verify panicked: %v", p)
		}
	}()
	return h.v.Verify(ctx, token)
}

// atkResponse is what Middleware did with a request.
type atkResponse struct {
	code    int
	header  http.Header
	body    string
	next    bool
	nextReq *http.Request
	id      *jwtauth.Identity
	err     error
}

// serve runs r through Middleware under a deadline.
func (h *atkHarness) serve(t testing.TB, r *http.Request) atkResponse {
	t.Helper()
	var res atkResponse
	h.mu.Lock()
	h.lastErr = nil
	h.mu.Unlock()
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res.next = true
		res.nextReq = r
		res.id, _ = jwtauth.FromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})
	ctx, cancel := context.WithTimeout(context.Background(), atkTimeout)
	defer cancel()
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("Middleware panicked: %v", p)
			}
		}()
		h.v.Middleware(next).ServeHTTP(rec, r.WithContext(ctx))
	}()
	h.mu.Lock()
	res.err = h.lastErr
	h.mu.Unlock()
	res.code, res.header, res.body = rec.Code, rec.Result().Header, rec.Body.String()
	return res
}

// atkBearer is a GET carrying "Authorization: Bearer <token>".
func atkBearer(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header["Authorization"] = []string{"Bearer " + token}
	return r
}

// served asserts the catalog's "served": Verify returns an Identity with
// the subject, and Middleware calls next with it.
func (h *atkHarness) served(t testing.TB, token, sub string) *jwtauth.Identity {
	t.Helper()
	id, err := h.verify(t, token)
	require.NoError(t, err)
	require.NotNil(t, id)
	require.Equal(t, sub, id.Subject)
	res := h.serve(t, atkBearer(token))
	require.NoError(t, res.err)
	require.True(t, res.next, "Middleware did not call next")
	require.NotNil(t, res.id)
	require.Equal(t, sub, res.id.Subject)
	return id
}

// refused asserts that Verify fails with want (and no other sentinel) as a
// *ValidationError, and that Middleware answers with want's status and
// headers without calling next. It returns the Verify error.
func (h *atkHarness) refused(t testing.TB, token string, want error) error {
	t.Helper()
	id, err := h.verify(t, token)
	require.Nil(t, id)
	requireOnly(t, err, want)
	var ve *jwtauth.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, want, ve.Reason)

	res := h.serve(t, atkBearer(token))
	require.False(t, res.next, "Middleware called next for a refused token")
	requireOnly(t, res.err, want)
	atkRequireResponse(t, res.code, res.header, res.body, want)
	if len(token) >= 16 {
		require.NotContains(t, res.body, token)
	}
	return err
}

// atkSplit splits a compact token into its three segments.
func atkSplit(t testing.TB, tok string) (h, p, s string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	return parts[0], parts[1], parts[2]
}

func atkClaimsJSON(t testing.TB) string {
	t.Helper()
	b, err := json.Marshal(jwttest.Default())
	require.NoError(t, err)
	return string(b)
}
