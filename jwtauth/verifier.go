package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtgate/jwtgate/claims"
	"github.com/jwtgate/jwtgate/internal/algs"
	"github.com/jwtgate/jwtgate/internal/jsonx"
	"github.com/jwtgate/jwtgate/internal/jws"
	"github.com/jwtgate/jwtgate/internal/mapper"
	"github.com/jwtgate/jwtgate/jwks"
	"github.com/jwtgate/jwtgate/keys"
)

// MaxTokenBytes is the largest token Verify accepts. Longer input is
// refused with ErrMalformed before any base64, JSON or crypto work.
const MaxTokenBytes = jws.MaxTokenBytes

// Verifier verifies tokens against one Config (New) or several issuers
// (NewMulti). It is safe for concurrent use; Close releases it.
type Verifier struct {
	issuers    []*issuer
	byIssuer   map[string]*issuer
	multi      bool
	headerName string // canonical
	urlLogin   bool
	cookie     string
	onError    func(w http.ResponseWriter, r *http.Request, err error)
	log        *slog.Logger
	now        func() time.Time
	cache      *tokenCache
	ch         *challenge // WWW-Authenticate additions; nil when none
	sc         *sender    // DPoP and certificate-bound tokens; nil when both are off
	// noTokenDetail names the sources looked at, for ErrNoToken.
	noTokenDetail string
	// rs is what ResourceMetadataHandler reports beyond the issuers.
	rs resourceInfo

	extractor func(r *http.Request) (string, error) // Config.TokenExtractor; nil: extract
	onVerify  func(ctx context.Context, e Event)    // config 0's OnVerify; nil: off
	hooked    bool                                  // some config sets OnVerify
	anonymous atomic.Uint64                         // requests without a token let through by OptionalMiddleware

	refused   [len(reasons)]atomic.Uint64
	closeOnce sync.Once
	closeErr  error
}

// issuer is everything one Config verifies with.
type issuer struct {
	iss        string // pinned issuer; "" when none
	source     keys.Source
	static     *keys.Set
	remote     *jwks.Remote
	sourceName string
	allowed    uint32 // bit i: algs.Name(i) allowed
	types      tokenTypes
	validator  claims.Validator
	mapper     *mapper.Mapper
	signUp     bool
	log        *slog.Logger // NewMulti: this config's Logger, else config 0's
	onError    func(w http.ResponseWriter, r *http.Request, err error)
	onVerify   func(ctx context.Context, e Event) // OnVerify for tokens routed here

	verified atomic.Uint64 // Stats().Verified is the sum over issuers
	refused  atomic.Uint64
}

// Verify verifies a raw compact JWS (without "Bearer ") and returns the
// identity it carries. The checks, in order: size cap, compact form and
// header, the issuer (NewMulti), alg allow-list, key lookup by kid,
// signature, typ (TokenTypes), registered and expected claims, sub,
// identity mapping and scopes.
//
// A failure is a *ValidationError matching exactly one sentinel with
// errors.Is. ctx bounds a key fetch; when it ends first the error also
// matches ctx.Err().
//
// With DPoP on, a DPoP-bound token (cnf.jkt), and under DPoPRequired any
// token, is refused with ErrDPoP: its proof can only be checked against
// the request, by VerifyRequest or Middleware. Likewise a certificate-bound
// token under CertBoundTokens is refused with ErrCertBinding.
func (v *Verifier) Verify(ctx context.Context, token string) (*Identity, error) {
	id, _, err := v.verifyFor(ctx, token, nil)
	return id, err
}

// verifyFor is Verify, with the token's sender constraints (DPoP proof,
// client certificate) checked against r after the token itself verified
// (cache hits included); r is nil for Verify. It also returns the issuer
// the token was routed to (nil when it was refused before routing).
func (v *Verifier) verifyFor(ctx context.Context, token string, r *http.Request) (*Identity, *issuer, error) {
	var start time.Time
	if v.hooked {
		start = time.Now()
	}
	id, is, cached, err := v.verifyToken(ctx, token)
	dpop := v.dpopScheme(r)
	if err == nil && v.sc != nil {
		err = v.sc.check(r, dpop, token, id)
	}
	if err != nil {
		v.refuse(ctx, is, err)
		id, err = nil, v.withChallenge(v.sc.annotate(err, dpop))
	} else {
		is.verified.Add(1)
	}
	if v.hooked {
		v.report(ctx, start, is, id, err, cached)
	}
	return id, is, err
}

// verifyToken answers from the verified-token cache when it can, and
// verifies token otherwise; cached says which.
func (v *Verifier) verifyToken(ctx context.Context, token string) (_ *Identity, _ *issuer, cached bool, _ error) {
	if v.cache != nil && token != "" && len(token) <= MaxTokenBytes {
		if id, is := v.cache.get(ctx, token); id != nil {
			if v.log.Enabled(ctx, slog.LevelDebug) {
				v.log.LogAttrs(ctx, slog.LevelDebug, "jwt verified from cache")
			}
			return id, is, true, nil
		}
	}
	id, is, err := v.verify(ctx, token)
	return id, is, false, err
}

// errorHandler is the ErrorHandler for a refusal of a token routed to is
// (nil: refused before routing).
func (v *Verifier) errorHandler(is *issuer) func(w http.ResponseWriter, r *http.Request, err error) {
	if is != nil && is.onError != nil {
		return is.onError
	}
	return v.onError
}

func (v *Verifier) refuse(ctx context.Context, is *issuer, err error) {
	i := reasonIndex(err)
	if i >= 0 {
		v.refused[i].Add(1)
	}
	if is != nil {
		is.refused.Add(1)
	}
	level := slog.LevelInfo
	if errors.Is(err, ErrNoToken) {
		level = slog.LevelDebug
	}
	log := v.log
	if is != nil && is.log != nil {
		log = is.log
	}
	if !log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("reason", ReasonName(err))}
	var ve *ValidationError
	if errors.As(err, &ve) {
		if ve.Claim != "" {
			attrs = append(attrs, slog.String("claim", ve.Claim))
		}
		if ve.Detail != "" {
			attrs = append(attrs, slog.String("detail", ve.Detail))
		}
		if ve.Err != nil {
			attrs = append(attrs, slog.String("cause", ve.Err.Error()))
		}
	}
	if is != nil && is.iss != "" && v.multi {
		attrs = append(attrs, slog.String("issuer", is.iss))
	}
	log.LogAttrs(ctx, level, "jwt refused", attrs...)
}

// withChallenge returns err carrying the Verifier's challenge attributes
// (see SetErrorHeaders), as a copy so that no error value is shared.
func (v *Verifier) withChallenge(err error) error {
	ve, ok := err.(*ValidationError)
	if v.ch == nil || !ok || ve.ch != nil {
		return err
	}
	c := *ve
	c.ch = v.ch
	return &c
}

func fail(reason error, claim, detail string) error {
	return &ValidationError{Reason: reason, Claim: claim, Detail: detail}
}

func (v *Verifier) verify(ctx context.Context, token string) (*Identity, *issuer, error) {
	if token == "" {
		return nil, nil, fail(ErrMalformed, "", "empty token")
	}
	if len(token) > MaxTokenBytes {
		return nil, nil, fail(ErrMalformed, "", fmt.Sprintf("token is %d bytes, over the %d-byte cap", len(token), MaxTokenBytes))
	}
	// The verified-token cache was looked up by verifyToken.
	//
	// The signature is only read while verifying, so it is decoded into
	// this array on the stack (512 bytes: up to RSA-4096) instead of the
	// heap buffer that the claims' strings share.
	var sigBuf [512]byte
	t, sig, err := jws.ParseSig(token, sigBuf[:])
	if err != nil {
		return nil, nil, parseError(err)
	}
	c, err := jsonx.ParseObject(t.Payload)
	if err != nil {
		return nil, nil, fail(ErrMalformed, "", "payload is not a valid JSON object: "+err.Error())
	}

	is, err := v.route(c)
	if err != nil {
		return nil, nil, err
	}
	ai := algs.Index(t.Alg)
	if ai < 0 || is.allowed&(1<<ai) == 0 {
		return nil, is, fail(ErrAlgorithm, "alg", "alg "+quote(t.Alg)+" not allowed")
	}
	alg := algs.Name(ai) // canonical string, not sharing the token's memory

	ks, err := is.source.KeysFor(ctx, t.KID, alg)
	if err != nil {
		return nil, is, keyError(err, t.KID, alg)
	}
	key, ok := verifySig(&t, sig, alg, ks)
	if !ok && is.remote != nil {
		// The provider may have replaced the key under the same kid: the
		// remote refreshes at most once per MinRefreshInterval, and the
		// token is accepted only if a new key verifies it.
		if fresh := is.remote.KeysAfterFailure(ctx, t.KID, alg, ks); fresh != nil {
			ks = fresh
			key, ok = verifySig(&t, sig, alg, ks)
		}
	}
	if !ok {
		return nil, is, fail(ErrSignature, "", "signature does not verify with "+plural(len(ks), "key")+" of kid "+quote(t.KID))
	}
	if err := is.types.check(t.Typ); err != nil {
		return nil, is, err
	}

	// The claims validator and Identity.DecodeClaims read the payload's JSON
	// text again, the first only for numbers in expect_claims.
	payload := t.Payload
	if err := is.validator.ValidatePayload(c, payload); err != nil {
		return nil, is, claimError(err)
	}
	sub, _ := c["sub"].(string)
	if sub == "" {
		return nil, is, fail(ErrMissingClaim, "sub", "no sub claim")
	}
	m, err := is.mapper.Map(c)
	if err != nil {
		return nil, is, claimError(err)
	}
	scopes, err := scopesOf(c)
	if err != nil {
		return nil, is, err
	}
	id := &Identity{
		Subject:        sub,
		Login:          m.Login,
		Email:          m.Email,
		Name:           m.Name,
		Role:           m.Role,
		IsGrafanaAdmin: m.IsGrafanaAdmin,
		Groups:         m.Groups,
		OrgRoles:       m.OrgRoles,
		AllowSignUp:    is.signUp,
		Claims:         c,
		Scopes:         scopes,
		payload:        payload,
	}
	id.Issuer, _ = c["iss"].(string)
	id.Confirmation, _ = c["cnf"].(map[string]any)
	if exp, ok := c["exp"].(float64); ok {
		id.ExpiresAt = time.Unix(int64(exp), 0)
	}
	if v.cache != nil {
		v.cache.put(token, id, is, t.KID, alg, key)
	}
	return id, is, nil
}

// parseError converts a jws parse error. An unsecured JWS (RFC 7519 §6:
// "h.p." with alg "none" in any case, or any other alg jwtgate does not
// know) and a header without alg are algorithm faults, as with a copied
// signature, not malformed tokens.
func parseError(err error) error {
	var je *jws.Error
	if !errors.As(err, &je) {
		return fail(ErrMalformed, "", "not a compact JWS")
	}
	switch je.Reason {
	case jws.NoAlg:
		return fail(ErrAlgorithm, "alg", "no alg header")
	case jws.Unsecured:
		return fail(ErrAlgorithm, "alg", "unsecured JWS: alg is absent or not a signature algorithm")
	}
	// je.Member names the header member of a BadMember or Unsupported fault.
	return fail(ErrMalformed, je.Member, je.Detail)
}

// route picks the issuer of a token: the only one, or (NewMulti) the one
// its iss names, before any key is looked up.
func (v *Verifier) route(c map[string]any) (*issuer, error) {
	if !v.multi {
		return v.issuers[0], nil
	}
	raw, present := c["iss"]
	iss, isString := raw.(string)
	switch {
	case !present || raw == nil:
		return nil, fail(ErrClaimMismatch, "iss", "no iss claim to route by")
	case !isString:
		return nil, fail(ErrMalformed, "iss", "iss is not a string")
	}
	is, ok := v.byIssuer[iss]
	if !ok {
		return nil, fail(ErrClaimMismatch, "iss", "issuer "+quote(iss)+" is not configured")
	}
	return is, nil
}

// verifySig tries every key over the signing input as received and, only if
// that fails and the token carried '=' padding, over the unpadded input
// (AWS ALB signs its padded form; other signers the unpadded one).
func verifySig(t *jws.Token, sig []byte, alg string, ks []keys.Key) (any, bool) {
	in := t.SigningInput()
	for _, k := range ks {
		if jws.Verify(alg, k.Public, in, sig) {
			return k.Public, true
		}
	}
	if un, ok := t.UnpaddedSigningInput(); ok {
		for _, k := range ks {
			if jws.Verify(alg, k.Public, un, sig) {
				return k.Public, true
			}
		}
	}
	return nil, false
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// keyError turns a key-source error into a ValidationError.
func keyError(err error, kid, alg string) error {
	switch {
	case errors.Is(err, keys.ErrUnknownKey):
		return fail(ErrUnknownKey, "kid", "kid "+quote(kid)+" not in key set")
	case errors.Is(err, keys.ErrAlgorithm):
		return fail(ErrAlgorithm, "alg", "no key with kid "+quote(kid)+" can verify "+alg)
	default:
		// Unavailable keys, a cancelled ctx, or a custom Source failing:
		// fail closed with 503, keeping the cause.
		cause := err
		if err == jwks.ErrUnavailable { // the bare sentinel adds nothing to Reason
			cause = nil
		}
		return &ValidationError{Reason: ErrKeysUnavailable, Detail: "the key source failed", Err: cause}
	}
}

// claimError converts a claims package error.
func claimError(err error) error {
	var ce *claims.Error
	if !errors.As(err, &ce) {
		return &ValidationError{Reason: ErrMalformed, Detail: "claims", Err: err}
	}
	reason := ce.Err
	if reason == claims.ErrType {
		reason = ErrMalformed
	}
	return &ValidationError{Reason: reason, Claim: ce.Claim, Detail: ce.Detail}
}

// Close stops background work (remote key refreshes) of every issuer. It
// is idempotent and safe to call concurrently; verification after Close
// still works from cached keys but starts no new background work.
func (v *Verifier) Close() error {
	v.closeOnce.Do(func() {
		var errs []error
		for _, is := range v.issuers {
			if is.remote != nil {
				errs = append(errs, is.remote.Close())
			}
		}
		v.closeErr = errors.Join(errs...)
	})
	return v.closeErr
}

// Refresh fetches every remote key set now (JWKSetURL, OIDCIssuerURL),
// for example to warm the cache at start-up or from a readiness probe. It
// does nothing for static key sources and returns the joined fetch errors,
// which wrap ErrKeysUnavailable.
func (v *Verifier) Refresh(ctx context.Context) error {
	var errs []error
	for _, is := range v.issuers {
		if is.remote != nil {
			if err := is.remote.Refresh(ctx); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
