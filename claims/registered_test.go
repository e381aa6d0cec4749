package claims_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/claims"
)

func validator(t testing.TB, expect string) *claims.Validator {
	t.Helper()
	e, err := claims.ParseExpected(decode(t, expect))
	require.NoError(t, err)
	return &claims.Validator{Expected: e, Now: fixedNow}
}

// TestIntegrationClaimValidation mirrors Grafana's test of the same name.
func TestIntegrationClaimValidation(t *testing.T) {
	t.Run("validates iss field for equality", func(t *testing.T) {
		v := validator(t, `{"iss":"http://foo"}`)
		require.NoError(t, v.Validate(decode(t, `{"sub":"foo","iss":"http://foo"}`)))
		requireOnly(t, v.Validate(decode(t, `{"sub":"foo","iss":"http://foo/"}`)), claims.ErrMismatch)
		requireOnly(t, v.Validate(decode(t, `{"sub":"foo","iss":"http://bar"}`)), claims.ErrMismatch)
	})

	t.Run("validates sub field for equality", func(t *testing.T) {
		v := validator(t, `{"sub":"foo"}`)
		require.NoError(t, v.Validate(decode(t, `{"sub":"foo"}`)))
		requireOnly(t, v.Validate(decode(t, `{"sub":"bar"}`)), claims.ErrMismatch)
	})

	// Grafana's test, written for go-jose v2/v3, requires every expected
	// audience to be present ("all-of"): ["foo"] and ["bar","baz"] fail
	// against ["foo","bar"]. jwtgate follows go-jose v4's any-of semantics,
	// which current Grafana inherits through AnyAudience: one shared value
	// is enough. Only a token sharing no value fails.
	t.Run("validates aud field for inclusion (any-of)", func(t *testing.T) {
		v := validator(t, `{"aud":["foo","bar"]}`)
		for _, aud := range []string{`["bar","foo"]`, `["foo","bar","baz"]`, `["foo"]`, `["bar","baz"]`, `"bar"`} {
			require.NoError(t, v.Validate(decode(t, `{"sub":"foo","aud":`+aud+`}`)), aud)
		}
		requireOnly(t, v.Validate(decode(t, `{"sub":"foo","aud":["baz"]}`)), claims.ErrMismatch)
		requireOnly(t, v.Validate(decode(t, `{"sub":"foo"}`)), claims.ErrMissing)
	})

	t.Run("validates custom claims for equality", func(t *testing.T) {
		v := validator(t, `{"my-str":"foo","my-number":123}`)
		require.NoError(t, v.Validate(decode(t, `{"sub":"foo","my-str":"foo","my-number":123}`)))
		requireOnly(t, v.Validate(decode(t, `{"sub":"foo","my-str":"bar","my-number":123}`)), claims.ErrMismatch)
		requireOnly(t, v.Validate(decode(t, `{"sub":"foo","my-str":"foo","my-number":100}`)), claims.ErrMismatch)
		requireOnly(t, v.Validate(decode(t, `{"sub":"foo","my-number":123}`)), claims.ErrMissing)
		requireOnly(t, v.Validate(decode(t, `{"sub":"foo","my-str":"foo"}`)), claims.ErrMissing)
	})

	v := validator(t, `{}`)
	for _, tc := range []struct {
		name  string
		claim string
		at    time.Duration
		want  error
	}{
		{"exp in the future", "exp", time.Hour, nil},
		{"exp in the past", "exp", -time.Hour, claims.ErrExpired},
		{"nbf in the past", "nbf", -time.Hour, nil},
		{"nbf in the future", "nbf", time.Hour, claims.ErrNotYetValid},
		{"iat in the past", "iat", -time.Hour, nil},
		{"iat in the future", "iat", time.Hour, claims.ErrIssuedInFuture},
	} {
		t.Run("validates "+tc.name, func(t *testing.T) {
			err := v.Validate(decodef(t, `{"sub":"foo",%q:%v}`, tc.claim, unix(tc.at)))
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			ce := requireOnly(t, err, tc.want)
			assert.Equal(t, tc.claim, ce.Claim)
		})
	}
}

func TestValidate_leeway(t *testing.T) {
	for _, tc := range []struct {
		name   string
		claim  string
		at     time.Duration
		leeway time.Duration
		want   error
	}{
		{"exp now-59s", "exp", -59 * time.Second, 0, nil},
		{"exp now-60s", "exp", -60 * time.Second, 0, nil},
		{"exp now-61s", "exp", -61 * time.Second, 0, claims.ErrExpired},
		{"nbf now+59s", "nbf", 59 * time.Second, 0, nil},
		{"nbf now+60s", "nbf", 60 * time.Second, 0, nil},
		{"nbf now+61s", "nbf", 61 * time.Second, 0, claims.ErrNotYetValid},
		{"iat now+59s", "iat", 59 * time.Second, 0, nil},
		{"iat now+61s", "iat", 61 * time.Second, 0, claims.ErrIssuedInFuture},
		{"negative leeway means none: exp now-1s", "exp", -time.Second, -1, claims.ErrExpired},
		{"negative leeway means none: exp now", "exp", 0, -1, nil},
		{"negative leeway means none: nbf now+1s", "nbf", time.Second, -1, claims.ErrNotYetValid},
		{"negative leeway means none: iat now+1s", "iat", time.Second, -1, claims.ErrIssuedInFuture},
		{"leeway 5m: exp now-4m", "exp", -4 * time.Minute, 5 * time.Minute, nil},
		{"leeway 5m: exp now-6m", "exp", -6 * time.Minute, 5 * time.Minute, claims.ErrExpired},
		{"leeway 5m: nbf now+4m", "nbf", 4 * time.Minute, 5 * time.Minute, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &claims.Validator{Leeway: tc.leeway, Now: fixedNow}
			err := v.Validate(decodef(t, `{%q:%v}`, tc.claim, unix(tc.at)))
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			requireOnly(t, err, tc.want)
		})
	}
}

func TestValidate_fractionalSecondsTruncated(t *testing.T) {
	v := &claims.Validator{Leeway: -1, Now: func() time.Time { return now.Add(500 * time.Millisecond) }}
	// exp now+0.9 truncates to now, which is before now+0.5s: expired.
	requireOnly(t, v.Validate(decodef(t, `{"exp":%v}`, unix(0)+0.9)), claims.ErrExpired)
	// nbf now+0.9 truncates to now: valid.
	require.NoError(t, v.Validate(decodef(t, `{"nbf":%v}`, unix(0)+0.9)))
	require.NoError(t, v.Validate(decodef(t, `{"exp":%v}`, unix(time.Second)+0.1)))
}

func TestValidate_timeClaimTypes(t *testing.T) {
	v := &claims.Validator{Now: fixedNow, RequireExp: true}
	for _, tc := range []struct {
		name, claims string
		want         error
	}{
		{"exp null is skipped, then required", `{"exp":null}`, claims.ErrMissing},
		{"exp absent with RequireExp", `{"sub":"a"}`, claims.ErrMissing},
		{"exp as string", `{"exp":"1900000000"}`, claims.ErrType},
		{"exp as bool", `{"exp":true}`, claims.ErrType},
		{"exp as array", `{"exp":[1]}`, claims.ErrType},
		{"exp as object", `{"exp":{}}`, claims.ErrType},
		{"nbf as string", `{"exp":1900000000,"nbf":"0"}`, claims.ErrType},
		{"iat as string", `{"exp":1900000000,"iat":"x"}`, claims.ErrType},
		{"huge exp", `{"exp":1e300}`, nil},
		{"huge negative exp", `{"exp":-1e300}`, claims.ErrExpired},
		{"huge nbf", `{"exp":1900000000,"nbf":1e300}`, claims.ErrNotYetValid},
		{"nbf null skipped", `{"exp":1900000000,"nbf":null,"iat":null}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Validate(decode(t, tc.claims))
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			requireOnly(t, err, tc.want)
		})
	}

	t.Run("exp absent without RequireExp is accepted (Grafana parity)", func(t *testing.T) {
		require.NoError(t, (&claims.Validator{Now: fixedNow}).Validate(decode(t, `{"sub":"a"}`)))
		require.NoError(t, (&claims.Validator{Now: fixedNow}).Validate(decode(t, `{"exp":null}`)))
	})
}

// TestValidate_registeredTypes covers ATK-11.
func TestValidate_registeredTypes(t *testing.T) {
	v := &claims.Validator{Now: fixedNow}
	for _, c := range []string{
		`{"sub":123}`, `{"sub":["a"]}`, `{"sub":null}`, `{"iss":1}`,
		`{"aud":42}`, `{"aud":{"x":1}}`, `{"aud":[["api"]]}`, `{"aud":["api",1]}`, `{"aud":null}`,
	} {
		t.Run(c, func(t *testing.T) {
			requireOnly(t, v.Validate(decode(t, c)), claims.ErrType)
		})
	}
	for _, c := range []string{`{"aud":"api"}`, `{"aud":[]}`, `{"aud":["a","b"]}`, `{"jti":1,"iss":"x","sub":""}`} {
		t.Run(c, func(t *testing.T) {
			require.NoError(t, v.Validate(decode(t, c)))
		})
	}
}

// TestValidate_issSubBytes covers ATK-12.
func TestValidate_issSubBytes(t *testing.T) {
	v := validator(t, `{"iss":"https://idp.example.com","sub":"svc-1"}`)
	require.NoError(t, v.Validate(decode(t, `{"iss":"https://idp.example.com","sub":"svc-1"}`)))
	for _, iss := range []string{
		"https://IDP.example.com",
		"https://idp.example.com/",
		"https://idp.example.com ",
		"https://idp.ex\u0430mple.com",
		"https://idp.example.com\x00",
		"https://idp.example.com\u0301", // a combining mark: NFD-style suffix
	} {
		t.Run(iss, func(t *testing.T) {
			requireOnly(t, v.Validate(map[string]any{"iss": iss, "sub": "svc-1"}), claims.ErrMismatch)
		})
	}
	ce := requireOnly(t, v.Validate(decode(t, `{"iss":"https://idp.example.com","sub":"SVC-1"}`)), claims.ErrMismatch)
	assert.Equal(t, "sub", ce.Claim)
	ce = requireOnly(t, v.Validate(decode(t, `{"sub":"svc-1"}`)), claims.ErrMissing)
	assert.Equal(t, "iss", ce.Claim)
}

// TestValidate_audience covers ATK-13.
func TestValidate_audience(t *testing.T) {
	v := validator(t, `{"aud":"api"}`)
	for _, tc := range []struct {
		claims string
		want   error
	}{
		{`{"aud":[]}`, claims.ErrMismatch},
		{`{"aud":""}`, claims.ErrMismatch},
		{`{"aud":"API"}`, claims.ErrMismatch},
		{`{}`, claims.ErrMissing},
		{`{"aud":["other","api"]}`, nil},
		{`{"aud":"api"}`, nil},
	} {
		t.Run(tc.claims, func(t *testing.T) {
			err := v.Validate(decode(t, tc.claims))
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			requireOnly(t, err, tc.want)
		})
	}
	t.Run("empty expected list means no check", func(t *testing.T) {
		v := validator(t, `{"aud":[]}`)
		require.NoError(t, v.Validate(decode(t, `{}`)))
		require.NoError(t, v.Validate(decode(t, `{"aud":"x"}`)))
	})
	t.Run("Go-typed aud", func(t *testing.T) {
		require.NoError(t, v.Validate(map[string]any{"aud": []string{"x", "api"}}))
		requireOnly(t, v.Validate(map[string]any{"aud": []string{"x"}}), claims.ErrMismatch)
	})
}

// TestValidate_expectClaimsTyping covers ATK-14.
func TestValidate_expectClaimsTyping(t *testing.T) {
	v := validator(t, `{"tenant":123,"admin":true,"groups":["a","b"],"org":{"id":"x"},"opt":null}`)
	base := `"admin":true,"groups":["a","b"],"org":{"id":"x"},"opt":null`
	require.NoError(t, v.Validate(decode(t, `{"tenant":123,`+base+`}`)))
	require.NoError(t, v.Validate(decode(t, `{"tenant":123.0,`+base+`}`)))
	for _, tc := range []struct {
		name, claims string
		want         error
		claim        string
	}{
		{"number as string", `{"tenant":"123",` + base + `}`, claims.ErrMismatch, "tenant"},
		{"bool as string", `{"tenant":123,"admin":"true","groups":["a","b"],"org":{"id":"x"},"opt":null}`, claims.ErrMismatch, "admin"},
		{"array reordered", `{"tenant":123,"admin":true,"groups":["b","a"],"org":{"id":"x"},"opt":null}`, claims.ErrMismatch, "groups"},
		{"array superset", `{"tenant":123,"admin":true,"groups":["a","b","c"],"org":{"id":"x"},"opt":null}`, claims.ErrMismatch, "groups"},
		{"object superset", `{"tenant":123,"admin":true,"groups":["a","b"],"org":{"id":"x","extra":1},"opt":null}`, claims.ErrMismatch, "org"},
		{"key absent", `{"admin":true,"groups":["a","b"],"org":{"id":"x"},"opt":null}`, claims.ErrMissing, "tenant"},
		{"key null", `{"tenant":null,` + base + `}`, claims.ErrMismatch, "tenant"},
		{"expected null, absent", `{"tenant":123,"admin":true,"groups":["a","b"],"org":{"id":"x"}}`, claims.ErrMissing, "opt"},
		{"expected null, present value", `{"tenant":123,"admin":true,"groups":["a","b"],"org":{"id":"x"},"opt":0}`, claims.ErrMismatch, "opt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ce := requireOnly(t, v.Validate(decode(t, tc.claims)), tc.want)
			assert.Equal(t, tc.claim, ce.Claim)
		})
	}

	t.Run("registered names in expect_claims are custom checks", func(t *testing.T) {
		v := validator(t, `{"jti":"abc","exp":1900000000}`)
		require.NoError(t, v.Validate(decode(t, `{"jti":"abc","exp":1900000000}`)))
		requireOnly(t, v.Validate(decode(t, `{"jti":"abc","exp":1900000001}`)), claims.ErrMismatch)
	})

	t.Run("Go-typed expectations from a struct literal", func(t *testing.T) {
		v := &claims.Validator{Now: fixedNow, Expected: claims.Expected{Custom: map[string]any{
			"n": 123, "l": []string{"a"}, "m": map[string]int{"k": 1},
		}}}
		require.NoError(t, v.Validate(decode(t, `{"n":123,"l":["a"],"m":{"k":1}}`)))
		requireOnly(t, v.Validate(decode(t, `{"n":"123","l":["a"],"m":{"k":1}}`)), claims.ErrMismatch)
	})
}

func TestValidate_firstFailureIsDeterministic(t *testing.T) {
	v := validator(t, `{"iss":"i","sub":"s","aud":"a","c1":1,"c2":2,"c3":3,"c4":4}`)
	v.RequireExp = true
	for _, tc := range []struct {
		claims string
		want   error
		claim  string
	}{
		{`{"exp":"x","sub":1,"aud":5}`, claims.ErrType, "exp"},
		{`{"exp":1,"sub":1,"aud":5}`, claims.ErrType, "sub"},
		{`{"exp":1,"nbf":9e9,"aud":5}`, claims.ErrType, "aud"},
		{`{"exp":1,"nbf":9e9}`, claims.ErrExpired, "exp"},
		{`{"nbf":9e9,"iat":9e9}`, claims.ErrMissing, "exp"},
		{`{"exp":9e9,"nbf":9e9,"iat":9e9}`, claims.ErrNotYetValid, "nbf"},
		{`{"exp":9e9,"iat":9e9,"iss":"x"}`, claims.ErrIssuedInFuture, "iat"},
		{`{"exp":9e9,"iss":"x","sub":"x"}`, claims.ErrMismatch, "iss"},
		{`{"exp":9e9,"iss":"i","aud":"x"}`, claims.ErrMissing, "sub"},
		{`{"exp":9e9,"iss":"i","sub":"s","aud":"x","c1":0}`, claims.ErrMismatch, "aud"},
		{`{"exp":9e9,"iss":"i","sub":"s","aud":"a","c4":0,"c3":0,"c2":0}`, claims.ErrMissing, "c1"},
		{`{"exp":9e9,"iss":"i","sub":"s","aud":"a","c1":1,"c4":0,"c3":0,"c2":0}`, claims.ErrMismatch, "c2"},
		{`{"exp":9e9,"iss":"i","sub":"s","aud":"a","c1":1,"c2":2,"c3":3}`, claims.ErrMissing, "c4"},
	} {
		t.Run(tc.claims, func(t *testing.T) {
			c := decode(t, tc.claims)
			for range 20 { // map iteration order varies between runs
				ce := requireOnly(t, v.Validate(c), tc.want)
				require.Equal(t, tc.claim, ce.Claim)
			}
		})
	}
}

func TestValidate_details(t *testing.T) {
	v := validator(t, `{"iss":"https://idp","tenant":"t1"}`)
	for _, tc := range []struct {
		claims map[string]any
		want   string
	}{
		{
			map[string]any{"exp": unix(-3*time.Minute - 12*time.Second)},
			"claims: token expired (exp): exp 2026-11-23T09:56:48Z is 3m12s in the past (leeway 1m0s)",
		},
		{
			map[string]any{"nbf": unix(2 * time.Hour)},
			"claims: token not valid yet (nbf): nbf 2026-11-23T12:00:00Z is 2h0m0s in the future (leeway 1m0s)",
		},
		{
			map[string]any{"iss": "https://evil\r\nSet-Cookie: s=1\r\n<script>" + strings.Repeat("x", 100)},
			`claims: claim mismatch (iss): iss "https://evil\r\nSet-Cookie: s=1\r\n<script>xxxxxxxxxxxxxxxxxxxxxxxxx…" does not equal expected "https://idp"`,
		},
		{
			map[string]any{"iss": "https://idp.ex\u0430mple"},
			`claims: claim mismatch (iss): iss "https://idp.ex\u0430mple" does not equal expected "https://idp"`,
		},
		{
			map[string]any{"iss": "https://idp", "tenant": 1.0},
			`claims: claim mismatch (tenant): "tenant" is 1 (number), expected "t1" (string)`,
		},
		{
			map[string]any{"iss": "https://idp"},
			`claims: claim missing (tenant): "tenant" is absent, expected "t1"`,
		},
		{
			map[string]any{"exp": "soon"},
			`claims: claim has the wrong type (exp): exp has type string, want number`,
		},
		{
			decode(t, `{"aud":["a",{"b":1}]}`),
			`claims: claim has the wrong type (aud): aud[1] has type object, want string`,
		},
	} {
		err := v.Validate(tc.claims)
		require.Error(t, err)
		assert.Equal(t, tc.want, err.Error())
	}

	// A mismatching custom value is shown truncated, never whole.
	v = validator(t, `{"big":"x"}`)
	err := v.Validate(map[string]any{"big": []any{strings.Repeat("A", 10000), strings.Repeat("B", 10000)}})
	requireOnly(t, err, claims.ErrMismatch)
	assert.Less(t, len(err.Error()), 300)
	assert.NotContains(t, err.Error(), strings.Repeat("A", 100))
}

func TestValidate_nilNowAndZeroValidator(t *testing.T) {
	var v claims.Validator
	require.NoError(t, v.Validate(nil))
	require.NoError(t, v.Validate(map[string]any{"exp": float64(time.Now().Add(time.Minute).Unix())}))
	requireOnly(t, v.Validate(map[string]any{"exp": float64(time.Now().Add(-2 * time.Minute).Unix())}), claims.ErrExpired)
}

func TestValidate_noAllocationsOnSuccess(t *testing.T) {
	v := validator(t, `{"iss":"https://idp","sub":"svc","aud":["api","web"],"tenant":"t1","groups":["a","b"],"org":{"id":1}}`)
	c := decodef(t, `{"iss":"https://idp","sub":"svc","aud":["x","web"],"tenant":"t1","groups":["a","b"],"org":{"id":1},"exp":%v,"nbf":%v,"iat":%v}`,
		unix(time.Hour), unix(-time.Hour), unix(-time.Hour))
	require.NoError(t, v.Validate(c))
	allocs := testing.AllocsPerRun(100, func() {
		if err := v.Validate(c); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
