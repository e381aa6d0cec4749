package claims_test

import (
	"math"
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
			"exp": 1900000000.0, "nbf": 1.0, "iat": 2.0, "jti": "j", "tenant": 123.0,
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
			"n": 123.0, "u": 7.0, "f": 0.5, "l": []any{"x"}, "m": map[string]any{"k": "v"},
			"nested": map[string]any{"n": []any{1.0, 2.0}},
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
