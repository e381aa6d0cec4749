// Package jwtauth authenticates HTTP requests by a JSON Web Token the way
// Grafana's [auth.jwt] does, configured by the same keys, and goes further
// where Grafana falls short: remote key sets that survive rotation and
// outages, several issuers behind one middleware, a verified-token cache,
// strict standards checks and a fail-closed middleware.
//
// Build a [Verifier] from a [Config] with [New] (or from a grafana.ini with
// [LoadINI]), then wrap a handler:
//
//	v, err := jwtauth.New(jwtauth.Config{
//		JWKSetURL:     "https://idp.example.com/realms/acme/protocol/openid-connect/certs",
//		ExpectClaims:  map[string]any{"iss": "https://idp.example.com/realms/acme", "aud": "grafana"},
//		UsernameClaim: "preferred_username",
//		EmailClaim:    "email",
//	})
//	if err != nil { ... }
//	defer v.Close()
//	http.Handle("/", v.Middleware(app))
//
// The handler reads the verified identity with [FromContext]. A refused
// request never reaches it: [DefaultErrorHandler] (or Config.ErrorHandler)
// answers with 401, 403, 400 or 503 and a small JSON body that never echoes
// the token or the error text. Every failure satisfies errors.Is with
// exactly one sentinel (ErrExpired, ErrSignature, ...) and errors.As with
// [*ValidationError].
//
// A Verifier is safe for concurrent use by multiple goroutines.
//
// # Identity mapping and JMESPath
//
// The identity follows Grafana's JWT client, in its order:
//
//  1. Login from UsernameClaim (a top-level string claim), else
//     UsernameAttributePath; Email likewise; Name from the name claim;
//     Groups are the string elements of the GroupsAttributePath result.
//  2. Unless SkipOrgRoleSync: the role from RoleAttributePath (an error or a
//     non-string result means no role); GrafanaAdmin gives Admin plus
//     IsGrafanaAdmin; any other invalid string means no role.
//     AllowAssignGrafanaAdmin always sets IsGrafanaAdmin (true or false), so
//     a caller syncing users demotes former admins.
//  3. Org roles: with no matching OrgMapping entry (external:org[:Role],
//     \: escapes a colon, * on either side), DefaultOrg ("1") gets the role,
//     or AutoAssignOrgRole (Viewer) without one; otherwise the * entries and
//     the matching ones merge by highest role (None < Viewer < Editor < Admin),
//     and a valid role raises each mapped org to at least that role. Org names
//     are kept as written and * stays the literal key "*": resolving them is
//     the caller's job, since a library has no org database.
//  4. RoleAttributeStrict with no org roles is ErrNoRole (403), checked before
//     the next rule.
//  5. A configured username or email source that yields neither is
//     ErrMissingClaim; with no source configured at all, Login is the subject.
//  6. A run-time error in the username, email, groups or org path is
//     ErrAttributePath (400).
//
// Every expression is compiled once by New; a syntax error, an unknown
// function or a wrong argument count is ErrInvalidConfig naming the field.
// The engine is github.com/jmespath/go-jmespath (v0.4.0), not the
// jmespath-community edition current Grafana uses. Its functions: abs, avg,
// ceil, contains, ends_with, floor, join, keys, length, map,
// max, max_by, merge, min, min_by, not_null, reverse, sort,
// sort_by, starts_with, sum, to_array, to_number, to_string,
// type, values; plus 'raw strings', JSON literals, ||, &&,
// !, comparisons, filters [?…], projections, slices, pipes and
// multi-selects. Not available: let-expressions, lower, upper, split,
// trim, replace, find_first, items, from_items, zip, group_by and
// arithmetic; expressions using them are refused when the configuration loads.
//
// Pitfall: contains(groups[*], 'admin') && 'Admin' || 'Viewer' fails at run
// time when groups is absent, which means no role, not Viewer (as in
// Grafana). Guard it: contains(not_null(groups, []), 'admin') && 'Admin' || 'Viewer'.
//
// # Security model
//
// What Verify checks, in order:
//
//  1. Size and shape. Tokens over 64 KiB are refused before any decoding.
//     Only the compact serialization: exactly three non-empty base64url segments
//     (= padding tolerated, as AWS ALB sends; the signature is checked over the
//     input as received and, only if that fails, unpadded). JSON serialization,
//     JWE and anything with whitespace, +, / or % are ErrMalformed.
//  2. Header. A JSON object with unique members; alg, kid and typ strings.
//     crit (no extension is understood, RFC 7515 §4.1.11), zip, b64 and
//     enc are refused. jku, x5u, jwk, x5c and x5t are never used:
//     keys come only from configuration (RFC 8725 §3.10). cty is not
//     checked; typ only with TokenTypes (after the signature, step 6).
//  3. Payload. A JSON object, parsed strictly: duplicate members, invalid
//     UTF-8, unpaired surrogates and nesting deeper than 64 are refused (RFC 7519
//     §4, RFC 8259 §8.1), so no two parsers can read different claims from one
//     token.
//  4. Algorithm. alg must be in Algorithms (default: all 13 below);
//     none is never accepted, in any case, and cannot be configured (RFC 8725
//     §3.1, §3.2). A key verifies only the algorithms of its type (RSA: RS*/PS*,
//     ECDSA: the ES* of its curve, Ed25519: EdDSA, oct: HS*), so HS256 signed with
//     an RSA public key is ErrAlgorithm.
//  5. Key. Exact kid match; every matching key is tried.
//  6. Signature, with the standard library's crypto: RSASSA-PKCS1-v1_5 and
//     PSS (salt = hash length, RFC 7518 §3.5) with the signature exactly the
//     modulus size; ECDSA R||S exactly twice the curve size, DER refused, R and S
//     in [1, n−1] (CVE-2022-21449 class); Ed25519 (RFC 8037); HMAC in constant
//     time, only with secrets at least as long as the hash (RFC 7518 §3.2).
//     A differential fuzz test checks the verdicts against go-jose.
//     Then, with TokenTypes, typ must be one of them (RFC 8725 §3.11;
//     "at+jwt" for RFC 9068 access tokens), else ErrClaimMismatch.
//  7. Claims. exp, nbf, iat with a 60 s leeway (configurable), only
//     when present (RequireExp makes exp mandatory); registered claims of the
//     wrong JSON type are ErrMalformed; expect_claims: iss/sub byte for
//     byte, aud any-of, others JSON-equal (numbers by exact decimal value);
//     sub required.
//  8. Identity. Username/email claims or JMESPath paths, role, groups and
//     org roles as Grafana maps them; role_attribute_strict gives 403.
//     Scopes from scope or scp (a string or an array of strings, else
//     ErrMalformed).
//
// Keys: private keys are never loaded (any PEM block containing PRIVATE, any
// JWK with private members); RSA outside 2048 to 4096 bits or with an
// exponent outside [3, 2^31), EC points off their curve or with wrong-length
// coordinates, non-canonical or small-order Ed25519 keys and empty or short
// HMAC secrets are refused or skipped; JWKs with use other than sig, key_ops
// with neither verify nor sign, or an alg that does not fit the key are
// skipped. As in go-jose (and Grafana), a zero-padded RSA n or e and
// key_ops ["sign"] are tolerated and reported (keys.Set.Warnings).
//
// Requests and responses: the Bearer scheme is matched case-insensitively; a
// repeated token header or auth_token parameter is refused; with URLLogin
// the auth_token parameter is removed from the URL before your handler (and any
// proxy) sees it. Responses never echo the token, a claim or the error text;
// logs name the reason, claim and a truncated, quoted detail, never the token.
//
// Not checked, by design: typ without TokenTypes, cty, jti replay (no state), certificate
// dates and chains of CERTIFICATE/x5c keys, and control characters in
// login, email or name (Grafana accepts them; sanitise before copying them into
// headers, as examples/gateway does).
//
// Deliberate deviations from Grafana, each for a reason: RS384 is accepted;
// Bearer is case-insensitive (RFC 9110 §11.1); aud is any-of (go-jose v4,
// which current Grafana uses); the error for several failed claims is
// deterministic; when neither a username nor an email source is configured,
// Login is the subject (Grafana would refuse every token); malformed tokens
// are refused with 401 rather than silently passed to other authenticators; JWKS
// handling as listed under Remote key sets; PEM CERTIFICATE blocks accepted;
// private keys anywhere in a key file refused.
//
// # Verified-token cache
//
// A browser sends the same token with every request, so Verify remembers
// tokens it accepted: Config.TokenCacheSize entries (default 4096; negative
// turns it off), keyed by the exact token, tokens over 8 KiB never cached. A
// hit costs no crypto, yet still re-checks exp, nbf and iat against the clock
// and that the key that verified the token is still in the key set (a
// rotated-out key drops its tokens; a refetch of the same keys keeps them).
// A spray of unique tokens only evicts entries: memory stays bounded. Each
// call returns its own Identity, with its own deep copy of Claims and of
// every slice and map in it, so a handler may modify what it gets; the
// cached copy is out of every caller's reach. DPoP proofs and client
// certificates are checked on every request, cache hits included.
//
// # Configuration files (grafana.ini)
//
// Point jwtauth.LoadINI at your grafana.ini: it reads [auth.jwt] and the
// auto_assign_* keys of [users], then applies the GF_AUTH_JWT_* and
// GF_USERS_* environment overrides, as Grafana does. A disabled or missing
// [auth.jwt] returns ErrDisabled.
//
//	ini key                                                      Config field                               default                 notes
//	enabled                                                      —                                          false                   false or missing: ErrDisabled
//	header_name                                                  HeaderName                                 Authorization           one "Bearer " removed, any case
//	url_login                                                    URLLogin                                   false                   auth_token is removed from the URL before your handler
//	cookie_name †                                                CookieName                                 off                     read when header and auth_token are absent
//	key_file                                                     KeyFile                                    —                       PEM PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE
//	key_value                                                    KeyValue                                   —                       base64 of that PEM
//	key_id                                                       KeyID                                      —                       kid of the PEM key; empty: only tokens without kid match
//	jwk_set_file                                                 JWKSetFile                                 —                       read once at start
//	jwk_set_value                                                JWKSetValue                                —                       base64 JWKS
//	jwk_set_url                                                  JWKSetURL                                  —                       https unless insecure_allow_http; {{kid}} supported
//	oidc_issuer_url †                                            OIDCIssuerURL                              —                       JWKS found by OIDC discovery; pins iss
//	jwk_set_bearer_token_file                                    JWKSetBearerTokenFile                      —                       re-read on every fetch
//	cache_ttl                                                    CacheTTL                                   60m                     capped by Cache-Control max-age; 0 disables caching
//	min_refresh_interval †                                       MinRefreshInterval                         30s                     refresh floor and unknown-kid rate limit
//	max_stale †                                                  MaxStale                                   1h                      serve the last good set while fetches fail; 0: never
//	tls_client_ca                                                TLSClientCA                                system roots
//	tls_client_cert, tls_client_key †                            TLSClientCert, TLSClientKey                —                       mTLS to the JWKS server
//	tls_skip_verify_insecure                                     TLSSkipVerifyInsecure                      false
//	insecure_allow_http †                                        InsecureAllowHTTP                          false                   Grafana allows http only with app_mode = development
//	algorithms †                                                 Algorithms                                 all 13, RS384 included  comma/space list or JSON array; none never
//	expect_claims                                                ExpectClaims                               {}                      JSON object; aud: the token must contain at least one
//	leeway †                                                     Leeway                                     60s                     0: none
//	require_exp †                                                RequireExp                                 false                   refuse tokens without exp
//	token_cache_size †                                           TokenCacheSize                             4096                    0: off
//	username_claim, email_claim                                  UsernameClaim, EmailClaim                  —                       top-level claim
//	username_attribute_path, email_attribute_path                UsernameAttributePath, EmailAttributePath  —                       JMESPath
//	role_attribute_path, role_attribute_strict                   RoleAttributePath, RoleAttributeStrict     —, false                strict: 403 ErrNoRole
//	allow_assign_grafana_admin                                   AllowAssignGrafanaAdmin                    false
//	skip_org_role_sync                                           SkipOrgRoleSync                            false
//	groups_attribute_path, org_attribute_path                    GroupsAttributePath, OrgAttributePath      —
//	org_mapping                                                  OrgMapping                                 —                       comma/space list with "quoted items", or JSON array
//	auto_sign_up                                                 AutoSignUp                                 false                   reported as Identity.AllowSignUp
//	auto_assign_org_role ([users] or [auth.jwt])                 AutoAssignOrgRole                          Viewer                  None/Viewer/Editor/Admin, case-sensitive
//	auto_assign_org, auto_assign_org_id ([users] or [auth.jwt])  DefaultOrg                                 org 1                   the id when auto_assign_org is on
//	default_org †                                                DefaultOrg                                 1                       wins over auto_assign_org_id
//	token_types †                                                TokenTypes                                 any typ                 comma/space list; at+jwt for RFC 9068 access tokens
//	resource_metadata_url †                                      ResourceMetadataURL                        —                       RFC 9728 metadata URL in every challenge
//	dpop †                                                       DPoP                                       off                     off, allowed or required (RFC 9449)
//	dpop_proof_max_age †                                         DPoPProofMaxAge                            5m                      proof iat window and jti memory
//	dpop_algorithms †                                            DPoPAlgorithms                             ES*, EdDSA, RS256, PS256  list; asymmetric only
//	dpop_nonce_key, dpop_nonce_key_file †                        DPoPNonceKey                               no nonces               base64 of ≥ 32 bytes, or a file holding it
//	public_url †                                                 PublicURL                                  from the request        scheme://host[:port] clients see, for htu
//	cert_bound_tokens †                                          CertBoundTokens                            false                   RFC 8705 cnf x5t#S256 needs the client certificate
//	client_cert_header †                                         ClientCertHeader                           r.TLS only              header a TLS-terminating proxy sets; URL-escaped PEM
//	enable_login_token, signout_redirect_url                     —                                          —                       accepted and ignored
//
// † jwtgate extension. Keys, HTTPClient, Now, ErrorHandler, Logger,
// TokenExtractor and OnVerify have no ini form. Precedence for the
// auto_assign_* keys, highest first: GF_AUTH_JWT_<KEY>, GF_USERS_<KEY>,
// [auth.jwt], [users]. Extra [auth.jwt.<name>] sections (overridden by
// GF_AUTH_JWT_<NAME>_<KEY>) are more issuers for LoadINIAll and NewMulti;
// each must set enabled (true, or false to skip it) and inherits nothing
// from [auth.jwt]. For a Config that LoadINI or LoadINIAll returned, New
// and NewMulti name the ini key, section and line in their errors.
//
// # Deliberate differences from Grafana
//
// Configuration file:
//   - Mistakes are errors, not silent defaults: an unknown key (expected_claims
//     gets "did you mean expect_claims?"), an unknown GF_AUTH_JWT_* variable, a
//     malformed boolean, duration, integer, JSON, list, role or algorithm, or bad
//     base64 fail, naming the line, section and key. Grafana ignores unknown keys
//     and falls back to the default for bad values.
//   - A duration needs a unit (cache_ttl = 3600 is an error; Grafana silently
//     uses 60m). An explicit 0 means "none" for cache_ttl, leeway,
//     max_stale and token_cache_size.
//   - ; and # start an inline comment only after white space, so
//     jwk_set_url = https://h/jwks#k1 keeps its fragment.
//   - $__env{} and $__file{} expand as in Grafana; $__vault{} is an error.
//   - app_mode = development does not allow http key sets; set
//     insecure_allow_http = true.
//   - header_name defaults to Authorization; Grafana skips JWT auth when it is
//     empty.
//
// Verification:
//   - RS384 is accepted, and algorithms restricts the list.
//   - The Bearer scheme is matched case-insensitively; a repeated header is refused.
//   - An unknown kid triggers one rate-limited refresh of a remote key set; the
//     last good set is served for max_stale while fetches fail; non-2xx
//     responses are never cached; bodies are size-capped; unusable JWKs are
//     skipped instead of failing the whole set; max-age=0 means 30 s, not 24 h.
//   - aud in expect_claims matches if the token's aud contains any expected
//     value (old Grafana, with go-jose v2/v3, required all).
//   - Leeway is configurable; tokens without exp can be refused with require_exp.
//   - PEM CERTIFICATE blocks are accepted; private keys and RSA keys under 2048
//     bits are rejected.
//   - When neither a username nor an email source is configured, Login is the
//     subject (Grafana would refuse every token as "missing login and email").
//   - Responses: 401 invalid_token with WWW-Authenticate, 403 for ErrNoRole,
//     503 for unavailable keys, 400 for JMESPath errors. There is no redirect to
//     /login, and a bad token is never silently passed on to other
//     authentication methods.
//   - JMESPath uses github.com/jmespath/go-jmespath; expressions that need the
//     jmespath-community extensions of current Grafana fail at New (see
//     "Identity mapping and JMESPath").
package jwtauth
