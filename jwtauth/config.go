package jwtauth

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jwtgate/jwtgate/keys"
)

// Config mirrors Grafana's [auth.jwt] section, plus a few fields that go
// beyond it (marked "beyond Grafana"). The zero value of each field is its
// documented default; [New] reports any field that is invalid or conflicts
// with another, naming it, with an error wrapping [ErrInvalidConfig].
//
// Exactly one key source must be set: KeyFile, KeyValue, JWKSetFile,
// JWKSetValue, JWKSetURL, OIDCIssuerURL or Keys.
type Config struct {
	// HeaderName is the request header that carries the token (header_name).
	// Default "Authorization". One "Bearer " prefix is stripped, its scheme
	// matched case-insensitively; a bare token is accepted too.
	HeaderName string
	// URLLogin reads the token from the auth_token query parameter when the
	// header is absent (url_login), and removes auth_token from the request
	// URL before the next handler runs. Default false.
	URLLogin bool
	// CookieName, when set, reads the token from this cookie when neither
	// the header nor auth_token carries one (beyond Grafana). Default "" (off).
	CookieName string

	// KeyFile is a PEM file holding one public key (key_file): a
	// "PUBLIC KEY", "RSA PUBLIC KEY" or "CERTIFICATE" block. Private keys
	// and RSA keys below 2048 bits are rejected by New.
	KeyFile string
	// KeyValue is the same PEM, base64 (standard) encoded (key_value).
	KeyValue string
	// KeyID is the kid given to the KeyFile or KeyValue key (key_id). With
	// it empty, only tokens without kid match; with it set, only tokens with
	// exactly this kid.
	KeyID string
	// JWKSetFile is a local JSON Web Key Set file (jwk_set_file), read once
	// by New. Unusable keys are skipped; a set with no usable key fails New.
	JWKSetFile string
	// JWKSetValue is a JWKS document, base64 (standard) encoded (jwk_set_value).
	JWKSetValue string
	// JWKSetURL is a remote JWKS (jwk_set_url), fetched on first use and
	// cached. It must be https unless InsecureAllowHTTP is set. A URL
	// containing {{kid}} fetches one key per kid (AWS ALB style).
	JWKSetURL string
	// JWKSetBearerTokenFile holds a bearer token sent with every JWKS fetch
	// (jwk_set_bearer_token_file), re-read on each fetch. It must be
	// readable and non-empty when New runs.
	JWKSetBearerTokenFile string
	// Keys is any custom key source (beyond Grafana). It counts as the key
	// source for the "exactly one" rule.
	Keys keys.Source

	// CacheTTL is how long a fetched JWKS is cached (cache_ttl), capped by
	// the response's Cache-Control max-age and floored by MinRefreshInterval.
	// 0 means 60m; negative disables caching (one deduplicated fetch per
	// verification), which is what the ini value "0" maps to.
	CacheTTL time.Duration
	// TLSClientCA is a PEM CA bundle used to verify the JWKS server
	// (tls_client_ca). Empty means the system roots; unreadable or holding
	// no certificate fails New.
	TLSClientCA string
	// TLSClientCert and TLSClientKey are a PEM client certificate and key
	// for mTLS to the JWKS server (beyond Grafana). Both or neither.
	TLSClientCert string
	TLSClientKey  string
	// TLSSkipVerifyInsecure disables verification of the JWKS server's
	// certificate (tls_skip_verify_insecure). Default false. Do not use it
	// in production.
	TLSSkipVerifyInsecure bool
	// InsecureAllowHTTP allows an http:// JWKSetURL or OIDCIssuerURL (beyond
	// Grafana, which allows it only in development mode). Default false.
	InsecureAllowHTTP bool
	// HTTPClient fetches remote keys (beyond Grafana). nil means a client
	// built from the TLS fields with a 10 s timeout. When set, the TLS
	// fields must be empty.
	HTTPClient *http.Client
	// OIDCIssuerURL is an OpenID Connect issuer (beyond Grafana): the key
	// set is found through <issuer>/.well-known/openid-configuration, and
	// tokens must carry iss equal to it unless ExpectClaims sets "iss".
	OIDCIssuerURL string
	// MinRefreshInterval is the floor between two JWKS fetches, which also
	// rate-limits refreshes caused by unknown kids (beyond Grafana).
	// 0 means 30s.
	MinRefreshInterval time.Duration
	// MaxStale is how long past its expiry the last good JWKS keeps being
	// served while fetches fail (beyond Grafana). 0 means 1h; negative means
	// never.
	MaxStale time.Duration
	// TokenCacheSize bounds the verified-token cache, in entries (beyond
	// Grafana): it never holds more, whatever the size. 0 means 4096;
	// negative turns the cache off. Tokens over 8 KiB are never cached.
	TokenCacheSize int

	// Algorithms lists the accepted "alg" header values, compared exactly.
	// nil means EdDSA, HS256, HS384, HS512, RS256, RS384, RS512, ES256,
	// ES384, ES512, PS256, PS384 and PS512. "none" (in any case) and unknown
	// names fail New.
	Algorithms []string
	// ExpectClaims are claims every token must carry (expect_claims): "iss"
	// and "sub" exact strings, "aud" a string or list of which the token's
	// aud must contain at least one, anything else compared JSON-typed by
	// value. Default none.
	ExpectClaims map[string]any
	// Leeway is the clock skew allowed for exp, nbf and iat (beyond
	// Grafana, where it is fixed at 60s). 0 means 60s; negative means none.
	Leeway time.Duration
	// RequireExp rejects tokens without exp (beyond Grafana, which accepts
	// them). Default false.
	RequireExp bool

	// UsernameClaim names the top-level string claim used as Login
	// (username_claim).
	UsernameClaim string
	// EmailClaim names the top-level string claim used as Email (email_claim).
	EmailClaim string
	// UsernameAttributePath is a JMESPath giving Login, used only when
	// UsernameClaim is empty (username_attribute_path).
	UsernameAttributePath string
	// EmailAttributePath is a JMESPath giving Email, used only when
	// EmailClaim is empty (email_attribute_path).
	EmailAttributePath string
	// RoleAttributePath is a JMESPath giving the role (role_attribute_path):
	// None, Viewer, Editor, Admin, or GrafanaAdmin.
	RoleAttributePath string
	// RoleAttributeStrict refuses tokens that map to no valid role with
	// ErrNoRole, 403 (role_attribute_strict). Default false.
	RoleAttributeStrict bool
	// AllowAssignGrafanaAdmin sets Identity.IsGrafanaAdmin from the
	// GrafanaAdmin role (allow_assign_grafana_admin). Default false.
	AllowAssignGrafanaAdmin bool
	// SkipOrgRoleSync leaves Role, IsGrafanaAdmin and OrgRoles unset
	// (skip_org_role_sync). Groups are still mapped. Default false.
	SkipOrgRoleSync bool
	// GroupsAttributePath is a JMESPath giving the groups (groups_attribute_path).
	GroupsAttributePath string
	// OrgAttributePath is a JMESPath giving the external org names that
	// OrgMapping maps (org_attribute_path).
	OrgAttributePath string
	// OrgMapping entries read "external:org[:Role]" (org_mapping); "\:"
	// escapes a colon and "*" matches any external org or every org.
	OrgMapping []string
	// AutoSignUp is reported on Identity.AllowSignUp (auto_sign_up); storing
	// users is the caller's business.
	AutoSignUp bool
	// AutoAssignOrgRole is the role given in DefaultOrg when nothing else
	// maps (auto_assign_org_role). "" means Viewer.
	AutoAssignOrgRole Role
	// DefaultOrg is the org key used when no OrgMapping entry matches
	// (beyond Grafana). "" means "1".
	DefaultOrg string

	// TokenTypes lists the accepted "typ" header values (beyond Grafana;
	// RFC 8725 §3.11 explicit typing, RFC 9068 "at+jwt" access tokens),
	// compared case-insensitively, with or without an "application/"
	// prefix (RFC 7515 §4.1.9): "at+jwt" also accepts "AT+JWT" and
	// "application/at+jwt". A token whose typ is absent or not listed is
	// refused with ErrClaimMismatch, Claim "typ", after its signature is
	// checked. A typ that is not a JSON string is ErrMalformed. nil
	// accepts any typ, as Grafana does; an empty non-nil list, or an
	// empty value, fails New.
	//
	// An API that takes RFC 9068 access tokens sets []string{"at+jwt"}:
	// ID tokens, logout tokens and DPoP proofs signed by the same issuer
	// are then refused, whatever their aud. This works only with an
	// issuer that types its access tokens. What common providers send
	// (access token / ID token):
	//
	//	Keycloak          JWT / JWT; at+jwt for clients with the per-client "at+jwt" option on (added 2025)
	//	Auth0             JWT / JWT; at+jwt for APIs with the RFC 9068 token profile
	//	Okta              none / none (custom authorization servers; the org server's tokens are for Okta only)
	//	Microsoft Entra   JWT / JWT
	//	Ory Hydra         JWT / JWT (JWT access-token strategy)
	//	ZITADEL           JWT / JWT (JWT access tokens)
	//
	// "JWT" does not tell an access token from an ID token, so listing it
	// adds nothing; with such issuers leave TokenTypes nil and tell tokens
	// apart with ExpectClaims (an API-specific "aud"; Keycloak also puts
	// "typ": "Bearer" or "ID" in the payload, which ExpectClaims can pin).
	TokenTypes []string
	// ResourceMetadataURL is this resource's RFC 9728 protected-resource
	// metadata URL (beyond Grafana), where
	// [Verifier.ResourceMetadataHandler] is mounted. When set, every
	// WWW-Authenticate challenge of the Verifier's errors, 401 and 403
	// alike (RequireScope's too), carries resource_metadata="<it>" (RFC
	// 9728 §5.1), which is how clients such as Model Context Protocol
	// ones find the authorization server. It must be an absolute https
	// URL (http with InsecureAllowHTTP) with a host, no user info, no
	// fragment, and no space, quote, backslash, control or non-ASCII
	// byte; New fails otherwise. Under NewMulti it comes from config 0.
	// Default "" (none).
	ResourceMetadataURL string

	// DPoP selects how DPoP (RFC 9449) proofs are handled (beyond Grafana).
	// The zero value is DPoPOff.
	DPoP DPoPMode
	// DPoPProofMaxAge is how old a proof's iat may be, and how long its jti
	// is remembered against replay. 0 means 5m; below 1s fails New; Leeway
	// applies into the future. The replay memory is per Verifier and holds
	// at most 262,144 proofs; when it is full, new proofs are refused with
	// ErrDPoP. Replicas do not share it (RFC 9449 §11.1): keep this short.
	DPoPProofMaxAge time.Duration
	// DPoPAlgorithms lists the accepted proof algorithms. nil means ES256,
	// ES384, ES512, EdDSA, RS256 and PS256; symmetric algorithms and "none"
	// fail New.
	DPoPAlgorithms []string
	// DPoPNonceKey, when set (at least 32 random bytes, else New fails),
	// makes server-provided DPoP nonces (RFC 9449 §9) required. Nonces are
	// stateless (an HMAC of their issue time), valid for DPoPProofMaxAge:
	// replicas sharing the key accept each other's. nil means no nonces.
	DPoPNonceKey []byte
	// PublicURL is the scheme://host[:port] clients use to reach this
	// server, for a DPoP proof's htu behind a proxy (beyond Grafana); a
	// path, query, fragment or userinfo fails New. "" means https when the
	// connection is TLS (else http) and r.Host, which the client chooses:
	// set PublicURL when the server answers under several names.
	// X-Forwarded-* headers are never read.
	PublicURL string
	// CertBoundTokens enforces RFC 8705 §3 certificate-bound tokens: a
	// token with cnf["x5t#S256"] needs a client certificate with that
	// SHA-256 thumbprint, else ErrCertBinding. Default false.
	CertBoundTokens bool
	// ClientCertHeader names a header in which a TLS-terminating proxy
	// passes the client certificate as URL-escaped PEM (nginx
	// $ssl_client_escaped_cert). Only for a proxy that removes the header
	// from client requests. "" means the certificate comes from r.TLS only.
	ClientCertHeader string

	// TokenExtractor, when set, replaces the header, query and cookie
	// lookup (beyond Grafana): HeaderName and CookieName are not read. It
	// returns the raw compact JWS (no "Bearer " prefix), or an error
	// wrapping ErrNoToken when the request has none, which
	// OptionalMiddleware lets through. An empty token is ErrNoToken too;
	// another error is a refusal with the jwtauth sentinel it wraps, else
	// ErrMalformed (its text is logged, never sent). With URLLogin,
	// auth_token is still removed from r.URL and r.RequestURI after the
	// extractor ran, whatever it returned. An extractor reading another
	// query parameter should remove it the same way (see the example).
	// Under NewMulti it comes from config 0. nil means the default lookup.
	TokenExtractor func(r *http.Request) (string, error)
	// OnVerify is called once after every verification with its outcome
	// (beyond Grafana), for metrics and tracing: each Verify call, and each
	// VerifyRequest, Middleware or OptionalMiddleware request, including a
	// request refused before Verify (no token, a repeated header). A
	// request without a token that OptionalMiddleware lets through is not a
	// verification and is not reported; nor are RequireRole's decisions.
	// It runs on the caller's goroutine, with the request's context, and
	// must not block; Event.Identity is the Identity the caller receives.
	// Under NewMulti it comes from config 0. nil means off.
	OnVerify func(ctx context.Context, e Event)

	// Now is the clock for token times and key-cache timing. nil: time.Now.
	// Under NewMulti each config may set its own (nil: config 0's).
	Now func() time.Time
	// ErrorHandler answers refused requests in Middleware. nil:
	// DefaultErrorHandler. Under NewMulti each config may set its own for
	// the tokens routed to it (nil: config 0's); see NewMulti.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives one record per refused token (reason, claim, detail;
	// never the token) and key-fetch events. nil: no logging. Under
	// NewMulti each config may set its own (nil: config 0's); see NewMulti.
	Logger *slog.Logger

	// ini links a Config from LoadINI or ParseINI (and the All forms) to
	// its section, so that New's errors name ini keys and lines; nil for a
	// Config written in Go. See configerr.go.
	ini *iniSource
}
