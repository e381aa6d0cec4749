package claims_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/claims"
)

func TestParseExpected(t *testing.T) {
	t.Run("splits registered and custom claims", func(t *testing.T) {
		e, err := claims.ParseExpected(decode(t, `{"iss":"https://idp","sub":"svc","aud":"api",
			"exp":1900000000,"nbf":1,"iat":2,"jti":"j","tenant":123,"tags":["a"],"org":{"id":"x"},"opt":null}`))
		require.NoError(t, err)
		assert.Equal(t, "https://idp", e.Issuer)
		assert.Equal(t, "svc", e.Subject)
		assert.Equal(t, []string{"api"}, e.Audience)
		assert.Equal(t, map[string]any{
			"exp": json.Number("1900000000"), "nbf": json.Number("1"), "iat": json.Number("2"), "jti": "j", "tenant": json.Number("123"),
			"tags": []any{"a"}, "org": map[string]any{"id": "x"}, "opt": nil,
		}, e.Custom)
	})

	t.Run("nil and empty", func(t *testing.T) {
		e, err := claims.ParseExpected(nil)
		require.NoError(t, err)
		assert.Equal(t, claims.Expected{}, e)
		e, err = claims.ParseExpected(map[string]any{"aud": []any{}})
		require.NoError(t, err)
		assert.Equal(t, claims.Expected{}, e)
	})

	t.Run("Go values are normalised to JSON types", func(t *testing.T) {
		e, err := claims.ParseExpected(map[string]any{
			"aud": []string{"a", "b"}, "n": 123, "u": uint8(7), "f": float32(0.5),
			"l": []string{"x"}, "m": map[string]string{"k": "v"}, "nested": map[string]any{"n": []int{1, 2}},
		})
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, e.Audience)
		assert.Equal(t, map[string]any{
			"n": json.Number("123"), "u": json.Number("7"), "f": json.Number("0.5"), "l": []any{"x"}, "m": map[string]any{"k": "v"},
			"nested": map[string]any{"n": []any{json.Number("1"), json.Number("2")}},
		}, e.Custom)

		v := claims.Validator{Expected: e, Now: fixedNow}
		require.NoError(t, v.Validate(decode(t, `{"aud":"b","n":123.0,"u":7,"f":0.5,"l":["x"],"m":{"k":"v"},"nested":{"n":[1,2]}}`)))
	})

	t.Run("does not keep the caller's containers", func(t *testing.T) {
		aud := []string{"a"}
		tags := []any{"x"}
		e, err := claims.ParseExpected(map[string]any{"aud": aud, "tags": tags})
		require.NoError(t, err)
		aud[0], tags[0] = "changed", "changed"
		assert.Equal(t, []string{"a"}, e.Audience)
		assert.Equal(t, []any{"x"}, e.Custom["tags"])
	})

	for _, tc := range []struct {
		name    string
		m       map[string]any
		wantMsg string
	}{
		{"iss number", map[string]any{"iss": 5.0}, `claims: expect_claims "iss" must be a string, got number`},
		{"iss int", map[string]any{"iss": 5}, `claims: expect_claims "iss" must be a string, got Go type int`},
		{"sub array", map[string]any{"sub": []any{"a"}}, `claims: expect_claims "sub" must be a string, got array`},
		{"iss empty", map[string]any{"iss": ""}, `claims: expect_claims "iss" must not be empty`},
		{"aud number", map[string]any{"aud": 1.0}, `claims: expect_claims "aud" must be a string or an array of strings, got number`},
		{"aud object", map[string]any{"aud": map[string]any{}}, `claims: expect_claims "aud" must be a string or an array of strings, got object`},
		{"aud mixed", map[string]any{"aud": []any{"a", 1.0}}, `claims: expect_claims "aud"[1] must be a string, got number`},
		{"aud empty string", map[string]any{"aud": ""}, `claims: expect_claims "aud" must not contain an empty string`},
		{"custom NaN", map[string]any{"x": math.NaN()}, `claims: expect_claims "x": json: unsupported value: NaN`},
		{"custom channel", map[string]any{"x": make(chan int)}, `claims: expect_claims "x": json: unsupported type: chan int`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := claims.ParseExpected(tc.m)
			require.Error(t, err)
			assert.Equal(t, tc.wantMsg, err.Error())
			var ce *claims.Error
			assert.NotErrorAs(t, err, &ce, "configuration errors carry no claim sentinel")
		})
	}

	t.Run("first bad key in sorted order", func(t *testing.T) {
		_, err := claims.ParseExpected(map[string]any{"sub": 1.0, "iss": 2.0, "aud": 3.0})
		require.ErrorContains(t, err, `"aud"`)
	})
}

// TestValidatePayload_bigNumbers: numbers in expect_claims compare by
// decimal value, also where float64 cannot tell them apart.
func TestValidatePayload_bigNumbers(t *testing.T) {
	// expect_claims as the ini loader reads it: numbers keep their digits.
	expect := func(t *testing.T, s string) *claims.Validator {
		t.Helper()
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var m map[string]any
		require.NoError(t, dec.Decode(&m))
		e, err := claims.ParseExpected(m)
		require.NoError(t, err)
		return &claims.Validator{Expected: e, Now: fixedNow}
	}
	for _, tc := range []struct {
		name, expected, payload string
		want                    error
	}{
		{"issue 14", `{"tenant_id": 9007199254740993}`, `{"tenant_id": 9007199254740992}`, claims.ErrMismatch},
		{"issue 14 reversed", `{"tenant_id": 9007199254740992}`, `{"tenant_id": 9007199254740993}`, claims.ErrMismatch},
		{"same big integer", `{"tenant_id": 9007199254740993}`, `{"tenant_id": 9007199254740993}`, nil},
		{"other spellings of one value", `{"n": 1000}`, `{"n": 1.000e3}`, nil},
		{"fraction", `{"n": 0.1}`, `{"n": 0.10}`, nil},
		{"beyond float64 precision", `{"n": 0.1}`, `{"n": 0.10000000000000000001}`, claims.ErrMismatch},
		{"negative zero", `{"n": 0}`, `{"n": -0.0}`, nil},
		{"in an array", `{"ids": [1, 9007199254740993]}`, `{"ids": [1, 9007199254740992]}`, claims.ErrMismatch},
		{"same array", `{"ids": [1, 9007199254740993]}`, `{"ids": [1.0, 9007199254740993]}`, nil},
		{"in an object", `{"org": {"id": 9007199254740993, "n": "x"}}`, `{"org": {"n": "x", "id": 9007199254740992}}`, claims.ErrMismatch},
		{"deeply nested", `{"o": {"a": [{"id": 12345678901234567890}]}}`, `{"o": {"a": [{"id": 12345678901234567891}]}}`, claims.ErrMismatch},
		{"string is not a number", `{"n": 1}`, `{"n": "1"}`, claims.ErrMismatch},
		{"absent", `{"n": 1}`, `{"m": 1}`, claims.ErrMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := expect(t, tc.expected)
			var c map[string]any // decoded as jwtauth decodes a payload: float64 numbers
			require.NoError(t, json.Unmarshal([]byte(tc.payload), &c))
			err := v.ValidatePayload(c, tc.payload)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			requireOnly(t, err, tc.want)
		})
	}

	t.Run("Validate without the payload compares the float64 as its shortest decimal", func(t *testing.T) {
		v := expect(t, `{"tenant_id": 9007199254740993}`)
		requireOnly(t, v.Validate(map[string]any{"tenant_id": float64(9007199254740992)}), claims.ErrMismatch)
		require.NoError(t, v.Validate(map[string]any{"tenant_id": json.Number("9007199254740993")}))
	})

	t.Run("a huge exponent is compared without big arithmetic", func(t *testing.T) {
		v := expect(t, `{"n": 1}`)
		requireOnly(t, v.ValidatePayload(map[string]any{"n": 1.0}, `{"n": 1e999999999999}`), claims.ErrMismatch)
		requireOnly(t, v.ValidatePayload(map[string]any{"n": 1.0}, `{"n": 1e-999999999999}`), claims.ErrMismatch)
		v = expect(t, `{"n": 1e999999999999}`)
		require.NoError(t, v.ValidatePayload(map[string]any{"n": 1.0}, `{"n": 1e999999999999}`))
		v = expect(t, `{"n": 1e100000000}`)
		require.NoError(t, v.ValidatePayload(map[string]any{"n": 1.0}, `{"n": 10e99999999}`))
	})

	t.Run("a payload that does not hold the claim fails closed", func(t *testing.T) {
		v := expect(t, `{"n": 1}`)
		requireOnly(t, v.ValidatePayload(map[string]any{"n": 1.0}, `{"m": 1}`), claims.ErrMismatch)
		requireOnly(t, v.ValidatePayload(map[string]any{"n": 1.0}, `not json`), claims.ErrMismatch)
	})

	t.Run("the detail shows both numbers", func(t *testing.T) {
		v := expect(t, `{"tenant_id": 9007199254740993}`)
		payload := `{"tenant_id": 9007199254740992}`
		var c map[string]any
		require.NoError(t, json.Unmarshal([]byte(payload), &c))
		ce := requireOnly(t, v.ValidatePayload(c, payload), claims.ErrMismatch)
		assert.Equal(t, "tenant_id", ce.Claim)
		assert.Equal(t, `"tenant_id" is 9007199254740992 (number), expected 9007199254740993 (number)`, ce.Detail)
	})
}
