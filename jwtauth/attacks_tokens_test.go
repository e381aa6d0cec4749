package jwtauth_test

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/internal/jwttest"
	"github.com/jwtgate/jwtgate/jwtauth"
)

// Attack catalog entries (see attacks_test.go) for token parsing, claims and time,
// signature encodings and the cost of the token itself.

func TestAttackTokens(t *testing.T) {
	t.Run("ATK-01_not_compact_jws", testATK01)
	t.Run("ATK-02_base64_padding", testATK02)
	t.Run("ATK-03_wrong_json_shapes", testATK03)
	t.Run("ATK-09_time_claims_beyond_leeway", testATK09)
	t.Run("ATK-10_missing_required_claims", testATK10)
	t.Run("ATK-11_registered_claim_types", testATK11)
	t.Run("ATK-12_iss_sub_byte_exact", testATK12)
	t.Run("ATK-13_aud_confusion", testATK13)
	t.Run("ATK-14_expect_claims_types", testATK14)
	t.Run("ATK-29_oversized_tokens", testATK29)
	t.Run("ATK-31_deeply_nested_json", testATK31)
	t.Run("ATK-32_alg_none", testATK32)
	t.Run("ATK-37_unknown_crit", testATK37)
	t.Run("ATK-44_jws_json_serialization", testATK44)
	t.Run("ATK-45_compression_jwe_params", testATK45)
	t.Run("ATK-46_period_flood", testATK46)

	// jwtgate's own entries.
	t.Run("ATK-100_duplicate_members", testATK100)
	t.Run("ATK-101_invalid_utf8_surrogates", testATK101)
	t.Run("ATK-105_signature_substitution", testATK105)
	t.Run("ATK-106_nested_jwt", testATK106)
	t.Run("ATK-113_non_finite_numeric_dates", testATK113)
	t.Run("ATK-114_token_cache_expiry", testATK114)
	t.Run("ATK-115_rsa_eddsa_hmac_signature_edges", testATK115)
	t.Run("ATK-116_unencoded_payload_b64", testATK116)
}

// atkVE returns err's *ValidationError.
func atkVE(t testing.TB, err error) *jwtauth.ValidationError {
	t.Helper()
	var ve *jwtauth.ValidationError
	require.ErrorAs(t, err, &ve)
	return ve
}

// atkAllocPerCall returns the average bytes allocated by fn over n calls.
func atkAllocPerCall(n int, fn func()) uint64 {
	fn() // warm up lazily initialised state
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		fn()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(n)
}

func atkDeflate(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	require.NoError(t, err)
	_, err = w.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// ---------------------------------------------------------------- A. parsing

func testATK01(t *testing.T) {
	src := atkNewCounting(t, jwttest.JWKS(atkGood))
	h := atkNewHarness(t, func(c *jwtauth.Config) { c.JWKSetValue, c.Keys = "", src })
	tok := atkToken()
	hd, p, s := atkSplit(t, tok)
	jweHeader := jwttest.B64([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"good"}`))

	cases := map[string]string{
		"h.p":               hd + "." + p,
		"h.p.s.x":           tok + ".x",
		".p.s":              "." + p + "." + s,
		"h..s":              hd + ".." + s,
		"jwe_5_parts":       jweHeader + "." + jwttest.B64(make([]byte, 256)) + "." + jwttest.B64(make([]byte, 12)) + "." + p + "." + jwttest.B64(make([]byte, 16)),
		"percent_dot":       hd + "%2E" + p + "." + s,
		"percent_dots":      hd + "%2E" + p + "%2E" + s,
		"quoted":            `"` + tok + `"`,
		"single_quoted":     `'` + tok + `'`,
		"percent_dot_and_s": hd + "%2e" + p + "." + s,
	}
	for _, c := range []struct{ name, char string }{
		{"plus", "+"}, {"slash", "/"}, {"bang", "!"}, {"tilde", "~"},
		{"space", " "}, {"tab", "\t"}, {"newline", "\n"},
	} {
		cases["header_"+c.name] = hd[:10] + c.char + hd[10:] + "." + p + "." + s
		cases["payload_"+c.name] = hd + "." + p[:10] + c.char + p[10:] + "." + s
		cases["signature_"+c.name] = hd + "." + p + "." + s[:10] + c.char + s[10:]
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			h.refused(t, in, jwtauth.ErrMalformed)
			require.Zero(t, src.n.Load(), "a key was looked up")
		})
	}
	h.served(t, tok, "alice")
}

func testATK02(t *testing.T) {
	h := atkNewHarness(t)
	// Make every segment's length need padding: the header and an RSA-2048
	// signature always do; pick a payload filler so the payload does too.
	var tok string
	for n := 0; ; n++ {
		tok = atkGood.Sign(claimsWith(map[string]any{"x": strings.Repeat("y", n)}))
		_, p, _ := atkSplit(t, tok)
		if len(p)%4 != 0 {
			break
		}
	}
	hd, p, s := atkSplit(t, tok)
	pad := func(seg string) string {
		for len(seg)%4 != 0 {
			seg += "="
		}
		return seg
	}
	require.NotEqual(t, hd, pad(hd))
	require.NotEqual(t, p, pad(p))
	require.NotEqual(t, s, pad(s))

	t.Run("padded_segments_served", func(t *testing.T) {
		h.served(t, pad(hd)+"."+pad(p)+"."+pad(s), "alice")
	})
	for name, in := range map[string]string{
		"equals_inside_header":    hd[:8] + "=" + hd[8:] + "." + p + "." + s,
		"equals_inside_payload":   hd + "." + p[:8] + "=" + p[8:] + "." + s,
		"equals_inside_signature": hd + "." + p + "." + s[:8] + "=" + s[8:],
		"three_equals_header":     hd + "===." + p + "." + s,
		"three_equals_payload":    hd + "." + p + "===." + s,
		"three_equals_signature":  hd + "." + p + "." + s + "===",
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, in, jwtauth.ErrMalformed) })
	}
}

func testATK03(t *testing.T) {
	h := atkNewHarness(t)
	claims := atkClaimsJSON(t)
	hdr := `{"alg":"RS256","kid":"good"}`
	cases := map[string]string{
		"header_array":          atkGood.SignRaw("RS256", []byte(`[]`), []byte(claims)),
		"header_string":         atkGood.SignRaw("RS256", []byte(`"RS256"`), []byte(claims)),
		"header_null":           atkGood.SignRaw("RS256", []byte(`null`), []byte(claims)),
		"header_trailing_data":  atkGood.SignRaw("RS256", []byte(hdr+`x`), []byte(claims)),
		"header_kid_object":     atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":{}}`), []byte(claims)),
		"payload_array":         atkGood.SignRaw("RS256", []byte(hdr), []byte(`[]`)),
		"payload_string":        atkGood.SignRaw("RS256", []byte(hdr), []byte(`"alice"`)),
		"payload_number":        atkGood.SignRaw("RS256", []byte(hdr), []byte(`42`)),
		"payload_null":          atkGood.SignRaw("RS256", []byte(hdr), []byte(`null`)),
		"payload_jwt":           atkGood.SignRaw("RS256", []byte(hdr), []byte(atkToken())),
		"payload_jwt_as_string": atkGood.SignRaw("RS256", []byte(hdr), []byte(strconv.Quote(atkToken()))),
		"payload_two_objects":   atkGood.SignRaw("RS256", []byte(hdr), []byte(`{"sub":"a"}{"sub":"b"}`)),
		"payload_deflate":       atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"good","zip":"DEF"}`), atkDeflate(t, []byte(claims))),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) { h.refused(t, in, jwtauth.ErrMalformed) })
	}
}

// ------------------------------------------------------ C. claims and time

func testATK09(t *testing.T) {
	h := atkNewHarness(t)
	sec := time.Second
	for _, c := range []struct {
		name  string
		claim string
		at    time.Duration
		want  error
	}{
		{"exp_now-61s", "exp", -61 * sec, jwtauth.ErrExpired},
		{"exp_now-59s", "exp", -59 * sec, nil},
		{"nbf_now+61s", "nbf", 61 * sec, jwtauth.ErrNotYetValid},
		{"nbf_now+59s", "nbf", 59 * sec, nil},
		{"iat_now+61s", "iat", 61 * sec, jwtauth.ErrIssuedInFuture},
		{"iat_now+59s", "iat", 59 * sec, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok := atkGood.Sign(claimsWith(map[string]any{c.claim: jwttest.Unix(c.at)}))
			if c.want == nil {
				h.served(t, tok, "alice")
			} else {
				h.refused(t, tok, c.want)
			}
		})
	}
	t.Run("no_leeway_exp_now-1s", func(t *testing.T) {
		h := atkNewHarness(t, func(c *jwtauth.Config) { c.Leeway = -1 })
		h.refused(t, atkGood.Sign(claimsWith(map[string]any{"exp": jwttest.Unix(-sec)})), jwtauth.ErrExpired)
	})
}

func testATK10(t *testing.T) {
	h := atkNewHarness(t)
	t.Run("no_sub", func(t *testing.T) {
		h.refused(t, atkGood.Sign(claimsWith(map[string]any{"sub": nil})), jwtauth.ErrMissingClaim)
	})
	t.Run("empty_sub", func(t *testing.T) {
		h.refused(t, atkGood.Sign(claimsWith(map[string]any{"sub": ""})), jwtauth.ErrMissingClaim)
	})
	t.Run("no_login_no_email", func(t *testing.T) {
		h := atkNewHarness(t, func(c *jwtauth.Config) { c.UsernameClaim, c.EmailClaim = "login", "email" })
		h.refused(t, atkToken(), jwtauth.ErrMissingClaim)
		h.served(t, atkGood.Sign(claimsWith(map[string]any{"email": "alice@example.com"})), "alice")
	})
	noExp := atkGood.Sign(claimsWith(map[string]any{"exp": nil}))
	t.Run("no_exp_served", func(t *testing.T) { h.served(t, noExp, "alice") })
	t.Run("no_exp_RequireExp", func(t *testing.T) {
		h := atkNewHarness(t, func(c *jwtauth.Config) { c.RequireExp = true })
		h.refused(t, noExp, jwtauth.ErrMissingClaim)
	})
	t.Run("expected_iss_absent", func(t *testing.T) {
		h := atkNewHarness(t, func(c *jwtauth.Config) {
			c.ExpectClaims = map[string]any{"iss": "https://idp.example.com"}
		})
		h.refused(t, atkToken(), jwtauth.ErrMissingClaim)
	})
}

func testATK11(t *testing.T) {
	h := atkNewHarness(t)
	for name, kv := range map[string]map[string]any{
		"exp_string":          {"exp": "1900000000"},
		"exp_true":            {"exp": true},
		"exp_array":           {"exp": []any{1}},
		"exp_object":          {"exp": map[string]any{}},
		"nbf_string":          {"nbf": "0"},
		"iat_string":          {"iat": "x"},
		"sub_number":          {"sub": 123},
		"sub_array":           {"sub": []any{"a"}},
		"iss_number":          {"iss": 1},
		"aud_number":          {"aud": 42},
		"aud_object":          {"aud": map[string]any{"x": 1}},
		"aud_nested_array":    {"aud": []any{[]any{"api"}}},
		"aud_mixed_array":     {"aud": []any{"api", 1}},
		"aud_array_with_null": {"aud": []any{"api", nil}},
	} {
		t.Run(name, func(t *testing.T) {
			h.refused(t, atkGood.Sign(claimsWith(kv)), jwtauth.ErrMalformed)
		})
	}
}

func testATK12(t *testing.T) {
	const iss = "https://idp.example.com"
	h := atkNewHarness(t, func(c *jwtauth.Config) {
		c.ExpectClaims = map[string]any{"iss": iss, "sub": "svc-1"}
	})
	sign := func(iss, sub string) string {
		return atkGood.Sign(claimsWith(map[string]any{"iss": iss, "sub": sub}))
	}
	for name, bad := range map[string]string{
		"case":           "https://IDP.example.com",
		"trailing_slash": iss + "/",
		"trailing_space": iss + " ",
		"cyrillic_a":     "https://idp.ex\u0430mple.com",
		"nul_suffix":     iss + "\x00",
	} {
		t.Run("iss_"+name, func(t *testing.T) { h.refused(t, sign(bad, "svc-1"), jwtauth.ErrClaimMismatch) })
	}
	t.Run("sub_case", func(t *testing.T) { h.refused(t, sign(iss, "SVC-1"), jwtauth.ErrClaimMismatch) })
	t.Run("exact_served", func(t *testing.T) { h.served(t, sign(iss, "svc-1"), "svc-1") })

	// NFD differs from NFC only for composable characters, so this case
	// expects an issuer that has one (U+00E9, NFC) and sends e + U+0301.
	t.Run("iss_nfd_instead_of_nfc", func(t *testing.T) {
		const nfc = "https://idp.example.com/t\u00e9nant"
		const nfd = "https://idp.example.com/te\u0301nant"
		h := atkNewHarness(t, func(c *jwtauth.Config) {
			c.ExpectClaims = map[string]any{"iss": nfc, "sub": "svc-1"}
		})
		h.refused(t, sign(nfd, "svc-1"), jwtauth.ErrClaimMismatch)
		h.served(t, sign(nfc, "svc-1"), "svc-1")
	})
}

func testATK13(t *testing.T) {
	h := atkNewHarness(t, func(c *jwtauth.Config) { c.ExpectClaims = map[string]any{"aud": "api"} })
	for _, c := range []struct {
		name string
		aud  any
		want error
	}{
		{"empty_array", []any{}, jwtauth.ErrClaimMismatch},
		{"empty_string", "", jwtauth.ErrClaimMismatch},
		{"absent", nil, jwtauth.ErrMissingClaim},
		{"upper_case", "API", jwtauth.ErrClaimMismatch},
		{"list_containing", []any{"other", "api"}, nil},
		{"exact_string", "api", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok := atkGood.Sign(claimsWith(map[string]any{"aud": c.aud}))
			if c.want == nil {
				h.served(t, tok, "alice")
			} else {
				h.refused(t, tok, c.want)
			}
		})
	}
}

func testATK14(t *testing.T) {
	expect := map[string]any{
		"tenant": 123,
		"admin":  true,
		"groups": []any{"a", "b"},
		"org":    map[string]any{"id": "x"},
	}
	h := atkNewHarness(t, func(c *jwtauth.Config) { c.ExpectClaims = expect })
	base := func() jwttest.Claims { return claimsWith(expect) }
	// sign marshals the claims and applies textual replacements, for number
	// spellings json.Marshal cannot produce.
	sign := func(c jwttest.Claims, repl ...string) string {
		b, err := json.Marshal(c)
		require.NoError(t, err)
		s := string(b)
		for i := 0; i+1 < len(repl); i += 2 {
			require.Contains(t, s, repl[i])
			s = strings.Replace(s, repl[i], repl[i+1], 1)
		}
		return atkGood.Sign(s)
	}
	with := func(k string, v any) jwttest.Claims {
		c := base()
		c[k] = v
		return c
	}
	t.Run("all_equal_served", func(t *testing.T) { h.served(t, sign(base()), "alice") })
	t.Run("tenant_123.0_served", func(t *testing.T) {
		h.served(t, sign(base(), `"tenant":123`, `"tenant":123.0`), "alice")
	})
	for name, tok := range map[string]string{
		"tenant_string":      sign(with("tenant", "123")),
		"admin_string":       sign(with("admin", "true")),
		"groups_reordered":   sign(with("groups", []any{"b", "a"})),
		"groups_superset":    sign(with("groups", []any{"a", "b", "c"})),
		"org_extra_member":   sign(with("org", map[string]any{"id": "x", "extra": 1})),
		"tenant_null":        sign(base(), `"tenant":123`, `"tenant":null`),
		"admin_null":         sign(base(), `"admin":true`, `"admin":null`),
		"groups_null":        sign(base(), `"groups":["a","b"]`, `"groups":null`),
		"org_null":           sign(base(), `"org":{"id":"x"}`, `"org":null`),
		"tenant_123.5":       sign(base(), `"tenant":123`, `"tenant":123.5`),
		"admin_one":          sign(with("admin", 1)),
		"org_id_wrong_value": sign(with("org", map[string]any{"id": "y"})),
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, tok, jwtauth.ErrClaimMismatch) })
	}
	for k := range expect {
		t.Run(k+"_absent", func(t *testing.T) {
			c := base()
			delete(c, k)
			h.refused(t, sign(c), jwtauth.ErrMissingClaim)
		})
	}
	t.Run("iss_number_in_config", func(t *testing.T) {
		cfg := atkConfig()
		cfg.ExpectClaims = map[string]any{"iss": 5}
		_, err := jwtauth.New(cfg)
		requireOnly(t, err, jwtauth.ErrInvalidConfig)
		require.ErrorContains(t, err, "ExpectClaims")
	})
}

// ------------------------------------------------------ E. request handling

func testATK29(t *testing.T) {
	require.Less(t, jwtauth.MaxTokenBytes, 1<<20)
	src := atkNewCounting(t, jwttest.JWKS(atkGood))
	h := atkNewHarness(t, func(c *jwtauth.Config) { c.JWKSetValue, c.Keys = "", src })
	aud := make([]any, 100000)
	for i := range aud {
		aud[i] = "api-" + strconv.Itoa(i)
	}
	inputs := map[string]string{
		"1MiB_of_A":      strings.Repeat("A", 1<<20),
		"1MiB_claim":     atkGood.Sign(claimsWith(map[string]any{"blob": strings.Repeat("x", 1<<20)})),
		"aud_100k_items": atkGood.Sign(claimsWith(map[string]any{"aud": aud})),
	}
	capText := strconv.Itoa(jwtauth.MaxTokenBytes)
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			err := h.refused(t, in, jwtauth.ErrMalformed)
			require.Contains(t, atkVE(t, err).Detail, capText, "not decided by the size cap")
			require.Zero(t, src.n.Load(), "a key was looked up")
			alloc := atkAllocPerCall(5, func() { _, _ = h.verify(t, in) })
			t.Logf("%d bytes per call", alloc)
			require.Less(t, alloc, uint64(64<<10), "a size-capped token allocated %d bytes", alloc)
		})
	}
	t.Run("middleware_1MiB_header", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", strings.Repeat("A", 1<<20))
		res := h.serve(t, r)
		require.False(t, res.next)
		requireOnly(t, res.err, jwtauth.ErrMalformed)
		atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrMalformed)
		require.Contains(t, atkVE(t, res.err).Detail, capText)
		require.Zero(t, src.n.Load())
	})
}

// ---------------------------------------------------- F. resource exhaustion

func testATK31(t *testing.T) {
	h := atkNewHarness(t)
	nested := func(depth int) string {
		return strings.Repeat("[", depth) + strings.Repeat("]", depth)
	}
	claimsNested := func(depth int) string {
		c := atkClaimsJSON(t)
		return c[:len(c)-1] + `,"deep":` + nested(depth) + `}`
	}
	t.Run("claim_100000_deep", func(t *testing.T) {
		h.refused(t, atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"good"}`), []byte(claimsNested(100000))), jwtauth.ErrMalformed)
	})
	t.Run("claim_6000_deep", func(t *testing.T) {
		tok := atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"good"}`), []byte(claimsNested(6000)))
		id, err := h.verify(t, tok)
		if err != nil {
			requireOnly(t, err, jwtauth.ErrMalformed)
		} else {
			require.Equal(t, "alice", id.Subject)
		}
	})
	t.Run("header_10000_deep", func(t *testing.T) {
		hdr := `{"alg":"RS256","kid":"good","x":` + nested(10000) + `}`
		h.refused(t, atkGood.SignRaw("RS256", []byte(hdr), []byte(atkClaimsJSON(t))), jwtauth.ErrMalformed)
	})
}

// ---------------------------------------------------------- G. CVE classes

func testATK32(t *testing.T) {
	h := atkNewHarness(t)
	payload := atkClaimsJSON(t)
	_, _, genuineSig := atkSplit(t, atkToken())
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		for _, kid := range []string{`,"kid":"good"`, ``} {
			hdr := jwttest.B64([]byte(`{"alg":"`+alg+`"`+kid+`}`)) + "." + jwttest.B64([]byte(payload))
			name := alg
			if kid == "" {
				name += "_no_kid"
			}
			t.Run(name+"_empty_signature", func(t *testing.T) { h.refused(t, hdr+".", jwtauth.ErrAlgorithm) })
			t.Run(name+"_copied_signature", func(t *testing.T) { h.refused(t, hdr+"."+genuineSig, jwtauth.ErrAlgorithm) })
		}
	}
	for name, algs := range map[string][]string{
		"config_none":       {"none"},
		"config_RS256_NONE": {"RS256", "NONE"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := atkConfig()
			cfg.Algorithms = algs
			_, err := jwtauth.New(cfg)
			requireOnly(t, err, jwtauth.ErrInvalidConfig)
			require.ErrorContains(t, err, "Algorithms")
		})
	}
}

func testATK37(t *testing.T) {
	h := atkNewHarness(t)
	claims := []byte(atkClaimsJSON(t))
	for name, hdr := range map[string]string{
		"crit_exp":       `{"alg":"RS256","kid":"good","crit":["exp"],"exp":1}`,
		"crit_cnf":       `{"alg":"RS256","kid":"good","crit":["cnf"],"cnf":{"jkt":"x"}}`,
		"crit_url":       `{"alg":"RS256","kid":"good","crit":["http://example.invalid/ext"],"http://example.invalid/ext":true}`,
		"crit_empty":     `{"alg":"RS256","kid":"good","crit":[]}`,
		"crit_b64_false": `{"alg":"RS256","kid":"good","crit":["b64"],"b64":false}`,
	} {
		t.Run(name, func(t *testing.T) {
			h.refused(t, atkGood.SignRaw("RS256", []byte(hdr), claims), jwtauth.ErrMalformed)
		})
	}
}

func testATK44(t *testing.T) {
	h := atkNewHarness(t)
	tok := atkToken()
	hd, p, s := atkSplit(t, tok)
	_, _, attackerSig := atkSplit(t, atkAttacker.SignRaw("RS256", atkB64Decode(t, hd), atkB64Decode(t, p)))
	forged := jwttest.B64([]byte(`{"sub":"admin","exp":` + strconv.FormatInt(jwttest.Unix(time.Hour), 10) + `}`))
	js := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	for name, in := range map[string]string{
		"flattened": js(map[string]any{"protected": hd, "payload": p, "signature": s}),
		"general_valid_plus_garbage": js(map[string]any{"payload": p, "signatures": []any{
			map[string]any{"protected": hd, "signature": s},
			map[string]any{"protected": hd, "signature": "garbage"},
		}}),
		"general_valid_plus_attacker": js(map[string]any{"payload": p, "signatures": []any{
			map[string]any{"protected": hd, "signature": attackerSig},
			map[string]any{"protected": hd, "signature": s},
		}}),
		"signature_without_protected": js(map[string]any{"payload": p, "signature": s, "header": map[string]any{"alg": "RS256", "kid": "good"}}),
		"polyglot":                    `{"` + hd + "." + forged + "." + s + `":"","protected":"` + hd + `","payload":"` + p + `","signature":"` + s + `"}`,
		"polyglot_spaces":             `{"  ` + hd + "." + forged + "." + s + `  ":"","protected":"` + hd + `","payload":"` + p + `","signature":"` + s + `"}`,
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, in, jwtauth.ErrMalformed) })
	}
}

func atkB64Decode(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func testATK45(t *testing.T) {
	src := atkNewCounting(t, jwttest.JWKS(atkGood))
	h := atkNewHarness(t, func(c *jwtauth.Config) { c.JWKSetValue, c.Keys = "", src })
	bomb := atkDeflate(t, bytes.Repeat([]byte(" "), 11<<20)) // inflates to 11 MiB (> 10 MB)
	zipTok := atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"good","zip":"DEF"}`), bomb)
	require.LessOrEqual(t, len(zipTok), jwtauth.MaxTokenBytes, "the bomb must fit under the cap to test zip handling")
	rnd := func(n int) string {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return jwttest.B64(b)
	}
	dirJWE := jwttest.B64([]byte(`{"alg":"dir","enc":"A256GCM","zip":"DEF"}`)) + ".." + rnd(12) + "." + jwttest.B64(bomb) + "." + rnd(16)
	pbes2 := jwttest.B64([]byte(`{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":2147483647,"p2s":"`+rnd(16)+`"}`)) +
		"." + rnd(24) + "." + rnd(12) + "." + rnd(64) + "." + rnd(16)
	for name, in := range map[string]string{
		"a_zip_bomb_jws":   zipTok,
		"b_dir_jwe_zip":    dirJWE,
		"c_pbes2_huge_p2c": pbes2,
	} {
		t.Run(name, func(t *testing.T) {
			h.refused(t, in, jwtauth.ErrMalformed)
			require.Zero(t, src.n.Load(), "a key was looked up")
			// Nothing is inflated, decrypted or derived: the refusal costs
			// about as much as decoding the token once (no wall-time bound,
			// see the file comment).
			alloc := atkAllocPerCall(5, func() { _, _ = h.verify(t, in) })
			t.Logf("%d bytes per call", alloc)
			require.Less(t, alloc, uint64(256<<10), "allocated %d bytes per call", alloc)
		})
	}
}

func testATK46(t *testing.T) {
	h := atkNewHarness(t)
	inputs := map[string]string{
		"a_then_1M_dots":       "a" + strings.Repeat(".", 1000000),
		"1MiB_of_dots":         strings.Repeat(".", 1<<20),
		"valid_then_100k_dots": atkToken() + strings.Repeat(".", 100000),
	}
	const bound = 4 << 20
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			h.refused(t, in, jwtauth.ErrMalformed)
			alloc := atkAllocPerCall(5, func() { _, _ = h.verify(t, in) })
			t.Logf("%d bytes per call", alloc)
			require.Less(t, alloc, uint64(bound), "allocated %d bytes per call", alloc)
		})
		t.Run("middleware_"+name, func(t *testing.T) {
			r := atkBearer(in)
			res := h.serve(t, r)
			require.False(t, res.next)
			requireOnly(t, res.err, jwtauth.ErrMalformed)
			atkRequireResponse(t, res.code, res.header, res.body, jwtauth.ErrMalformed)
			mw := h.v.Middleware(http.NotFoundHandler())
			alloc := atkAllocPerCall(5, func() { mw.ServeHTTP(httptest.NewRecorder(), r) })
			t.Logf("%d bytes per call", alloc)
			require.Less(t, alloc, uint64(bound), "allocated %d bytes per call", alloc)
		})
	}
}

// --------------------------------------------------- jwtgate's own entries

// ATK-100: duplicate members (RFC 7515 §5.2, RFC 8725 §2.6): two parsers
// reading different values from one token.
func testATK100(t *testing.T) {
	h := atkNewHarness(t)
	claims := []byte(atkClaimsJSON(t))
	for name, tok := range map[string]string{
		"header_alg_twice":   atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"good","alg":"none"}`), claims),
		"header_alg_twice_2": atkGood.SignRaw("RS256", []byte(`{"alg":"HS256","kid":"good","alg":"RS256"}`), claims),
		"header_kid_twice":   atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"other","kid":"good"}`), claims),
		"claim_sub_twice":    atkGood.Sign(`{"sub":"alice","sub":"admin","exp":` + strconv.FormatInt(jwttest.Unix(time.Hour), 10) + `}`),
		"claim_exp_twice":    atkGood.Sign(`{"sub":"alice","exp":1,"exp":` + strconv.FormatInt(jwttest.Unix(time.Hour), 10) + `}`),
		"claim_escaped_dup":  atkGood.Sign(`{"sub":"alice","s\u0075b":"admin"}`),
		"nested_dup":         atkGood.Sign(`{"sub":"alice","org":{"id":"a","id":"b"}}`),
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, tok, jwtauth.ErrMalformed) })
	}
}

// ATK-101: invalid UTF-8 and unpaired surrogates (RFC 8725 §3.7): a lenient
// decoder maps them to U+FFFD, so distinct claims compare equal.
func testATK101(t *testing.T) {
	h := atkNewHarness(t, func(c *jwtauth.Config) {
		c.ExpectClaims = map[string]any{"iss": "https://idp.example.com/\ufffd"}
	})
	for name, tok := range map[string]string{
		"sub_invalid_utf8":       atkGood.Sign([]byte("{\"sub\":\"ali\xffce\"}")),
		"iss_invalid_utf8":       atkGood.Sign([]byte("{\"sub\":\"alice\",\"iss\":\"https://idp.example.com/\xff\"}")),
		"iss_lone_high":          atkGood.Sign(`{"sub":"alice","iss":"https://idp.example.com/\ud800"}`),
		"iss_lone_low":           atkGood.Sign(`{"sub":"alice","iss":"https://idp.example.com/\udc00"}`),
		"member_name_invalid":    atkGood.Sign([]byte("{\"sub\":\"alice\",\"\xc0\xaf\":1}")),
		"overlong_slash":         atkGood.Sign([]byte("{\"sub\":\"alice\xc0\xaf\"}")),
		"header_kid_surrogate":   atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"good\ud800"}`), []byte(atkClaimsJSON(t))),
		"header_kid_invalid_utf": atkGood.SignRaw("RS256", []byte("{\"alg\":\"RS256\",\"kid\":\"good\xff\"}"), []byte(atkClaimsJSON(t))),
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, tok, jwtauth.ErrMalformed) })
	}
	t.Run("genuine_replacement_char_served", func(t *testing.T) {
		h.served(t, atkGood.Sign(claimsWith(map[string]any{"iss": "https://idp.example.com/\ufffd"})), "alice")
	})
}

// ATK-105: substitution (RFC 8725 §2.7): a genuine signature pasted onto
// another header or payload.
func testATK105(t *testing.T) {
	h := atkNewHarness(t)
	hd, p, s := atkSplit(t, atkToken())
	forgedPayload := jwttest.B64([]byte(`{"sub":"admin","exp":` + strconv.FormatInt(jwttest.Unix(time.Hour), 10) + `}`))
	otherHd, _, _ := atkSplit(t, atkGood.WithAlg("PS256").Sign(jwttest.Default()))
	other := atkGood.Sign(claimsWith(map[string]any{"sub": "bob"}))
	_, otherP, _ := atkSplit(t, other)
	for name, tok := range map[string]string{
		"forged_payload":      hd + "." + forgedPayload + "." + s,
		"payload_of_other":    hd + "." + otherP + "." + s,
		"header_alg_swapped":  otherHd + "." + p + "." + s,
		"unsigned_copied_sig": jwttest.B64([]byte(`{"alg":"RS256","kid":"good","typ":"JWT"}`)) + "." + forgedPayload + "." + s,
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, tok, jwtauth.ErrSignature) })
	}
}

// ATK-106: nested JWT (RFC 7519 §5.2 cty "JWT"; RFC 8725 §3.3): the inner
// token is never unwrapped or trusted.
func testATK106(t *testing.T) {
	h := atkNewHarness(t)
	inner := atkAttacker.Sign(claimsWith(map[string]any{"sub": "admin"}))
	for name, tok := range map[string]string{
		"cty_jwt_inner_raw":    atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"good","typ":"JWT","cty":"JWT"}`), []byte(inner)),
		"cty_jwt_inner_quoted": atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"good","typ":"JWT","cty":"JWT"}`), []byte(strconv.Quote(inner))),
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, tok, jwtauth.ErrMalformed) })
	}
}

// ATK-113: numeric dates that overflow float64 (a lax decoder gives ±Inf,
// which compares as "never expires" or "expired forever").
func testATK113(t *testing.T) {
	h := atkNewHarness(t)
	for name, v := range map[string]string{
		"exp_overflow":     `1e400`,
		"exp_neg_overflow": `-1e400`,
		"nbf_overflow":     `1e999`,
	} {
		claim := name[:3]
		t.Run(name, func(t *testing.T) {
			raw := `{"sub":"alice","` + claim + `":` + v + `}`
			h.refused(t, atkGood.Sign(raw), jwtauth.ErrMalformed) // out of float64 range
		})
	}
	t.Run("exp_far_future_served", func(t *testing.T) {
		id := h.served(t, atkGood.Sign(`{"sub":"alice","exp":1e18}`), "alice")
		require.False(t, id.ExpiresAt.IsZero())
	})
	t.Run("exp_negative_expired", func(t *testing.T) {
		h.refused(t, atkGood.Sign(`{"sub":"alice","exp":-1}`), jwtauth.ErrExpired)
	})
}

// ATK-114: the verified-token cache re-checks time claims on every hit.
func testATK114(t *testing.T) {
	clk := jwttest.NewFakeClock(jwttest.Epoch)
	h := atkNewHarness(t, func(c *jwtauth.Config) { c.Now = clk.Now })
	tok := atkGood.Sign(claimsWith(map[string]any{"exp": jwttest.Unix(2 * time.Minute)}))
	h.served(t, tok, "alice")
	h.served(t, tok, "alice") // from the cache
	clk.Advance(3*time.Minute + time.Second)
	h.refused(t, tok, jwtauth.ErrExpired)
	require.GreaterOrEqual(t, h.v.Stats().TokenCacheHits, uint64(1))
}

// ATK-115: signature encodings at the edges for RSA, EdDSA and HMAC.
func testATK115(t *testing.T) {
	ed := jwttest.Ed25519(9, "ed")
	hm := jwttest.HMAC("HS256", bytes.Repeat([]byte("s"), 32), "hm")
	h := atkNewHarness(t, func(c *jwtauth.Config) { c.JWKSetValue = jwttest.Base64(jwttest.JWKS(atkGood, ed, hm)) })
	payload := jwttest.B64([]byte(atkClaimsJSON(t)))
	in := func(alg, kid string) string {
		return jwttest.B64([]byte(`{"alg":"`+alg+`","kid":"`+kid+`"}`)) + "." + payload
	}
	rsIn, edIn, hmIn := in("RS256", "good"), in("EdDSA", "ed"), in("HS256", "hm")
	rsSig := atkGood.SignInput("RS256", []byte(rsIn))
	edSig := ed.SignInput("EdDSA", []byte(edIn))
	hmSig := hm.SignInput("HS256", []byte(hmIn))
	n := atkGood.Public.(*rsa.PublicKey).N
	// Ed25519 malleability: S + L is the same signature to a lax verifier.
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	sLE := edSig[32:]
	sBE := make([]byte, 32)
	for i := range sLE {
		sBE[31-i] = sLE[i]
	}
	sPlusL := new(big.Int).Add(new(big.Int).SetBytes(sBE), l).FillBytes(make([]byte, 32))
	malleable := append([]byte{}, edSig[:32]...)
	for i := range sPlusL {
		malleable = append(malleable, sPlusL[31-i])
	}
	for name, tok := range map[string]string{
		"rs_leading_zero":   rsIn + "." + jwttest.B64(append([]byte{0}, rsSig...)),
		"rs_truncated":      rsIn + "." + jwttest.B64(rsSig[1:]),
		"rs_zero":           rsIn + "." + jwttest.B64(make([]byte, 256)),
		"rs_one":            rsIn + "." + jwttest.B64(big.NewInt(1).FillBytes(make([]byte, 256))),
		"rs_modulus":        rsIn + "." + jwttest.B64(n.FillBytes(make([]byte, 256))),
		"rs_modulus_minus1": rsIn + "." + jwttest.B64(new(big.Int).Sub(n, big.NewInt(1)).FillBytes(make([]byte, 256))),
		"ed_s_plus_l":       edIn + "." + jwttest.B64(malleable),
		"ed_zeros":          edIn + "." + jwttest.B64(make([]byte, 64)),
		"ed_63_bytes":       edIn + "." + jwttest.B64(edSig[:63]),
		"hs_truncated_16":   hmIn + "." + jwttest.B64(hmSig[:16]),
		"hs_truncated_31":   hmIn + "." + jwttest.B64(hmSig[:31]),
		"hs_extended":       hmIn + "." + jwttest.B64(append(append([]byte{}, hmSig...), 0)),
		"hs_zeros":          hmIn + "." + jwttest.B64(make([]byte, 32)),
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, tok, jwtauth.ErrSignature) })
	}
	t.Run("genuine_served", func(t *testing.T) {
		h.served(t, rsIn+"."+jwttest.B64(rsSig), "alice")
		h.served(t, edIn+"."+jwttest.B64(edSig), "alice")
		h.served(t, hmIn+"."+jwttest.B64(hmSig), "alice")
	})
}

// ATK-116: RFC 7797 unencoded payloads ("b64":false) change what is
// signed; jwtgate refuses the header member.
func testATK116(t *testing.T) {
	h := atkNewHarness(t)
	payload := atkClaimsJSON(t)
	hdr := `{"alg":"RS256","kid":"good","b64":false}`
	input := jwttest.B64([]byte(hdr)) + "." + payload
	sig := atkGood.SignInput("RS256", []byte(input))
	for name, tok := range map[string]string{
		"detached_style": jwttest.B64([]byte(hdr)) + ".." + jwttest.B64(sig),
		"b64_false":      atkGood.SignRaw("RS256", []byte(hdr), []byte(payload)),
		"b64_true":       atkGood.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"good","b64":true}`), []byte(payload)),
	} {
		t.Run(name, func(t *testing.T) { h.refused(t, tok, jwtauth.ErrMalformed) })
	}
}
