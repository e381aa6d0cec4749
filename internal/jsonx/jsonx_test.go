package jsonx

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var seeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e3`, `-12.25E-2`, `"x"`,
	`{"sub":"alice","exp":1900000000,"aud":["a","b"],"n":null,"o":{"k":[1,{"z":true}]}}`,
	`{"s":"caf\u00e9 \ud83d\ude00 \" \\ \/ \b\f\n\r\t"}`,
	`{"a":1}x`, `{"a":1,"a":2}`, `{"a":"\ud800"}`, `{"a":"\udc00\ud800"}`, "{\"a\":\"\xff\"}",
	`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`, `{"a":1e400}`,
	`{"a":tru}`, `{"a" 1}`, `{"a":1,}`, `[1,]`, `{,}`, "{\"a\":\"\t\"}", `"\x"`, `"\u12"`,
	` { "a" : [ 1 , 2 ] } `, `{"a":[[[[[[[[[[]]]]]]]]]]}`, `{"a":"é"}`, `1 2`, ``, ` `,
	// Arrays that outgrow their initial room, nested, and refused
	// half-way.
	`[1,2,3,4,5,6,[7,8,9,10,11],12,13,[14,[15,16,17]],18]`, `[[1,2,3,4,5,6,7,8,9,10],[11,12]]`,
	`[1,2,3,4,5,6,7,8,9,[1,x]]`, `[1,2,3,4,5,6,7,8,9,10`,
}

func TestParseMatchesEncodingJSON(t *testing.T) {
	for _, s := range seeds {
		t.Run(s, func(t *testing.T) { checkAgainstStdlib(t, []byte(s)) })
	}
}

// checkAgainstStdlib asserts that whatever jsonx accepts, encoding/json
// accepts too with the same value, and that what encoding/json rejects,
// jsonx rejects. jsonx may reject more (duplicates, bad UTF-8, surrogates,
// depth).
func checkAgainstStdlib(t *testing.T, data []byte) {
	t.Helper()
	got, err := Parse(string(data))
	var want any
	stdErr := json.Unmarshal(data, &want)
	if err != nil {
		require.ErrorIs(t, err, ErrSyntax)
		return
	}
	require.NoError(t, stdErr, "jsonx accepted what encoding/json rejects: %q", data)
	assert.Equal(t, want, got, "input %q", data)
}

func TestStricterThanEncodingJSON(t *testing.T) {
	for _, s := range []string{
		`{"a":1,"a":2}`,            // duplicate member
		`{"a":{"b":1,"b":1}}`,      // nested duplicate
		`{"a":"\ud800"}`,           // lone high surrogate
		`{"a":"\udc00"}`,           // lone low surrogate
		"{\"a\":\"\xc3\x28\"}",     // invalid UTF-8
		"{\"a\\u0000\":1,\"a\":2}", // distinct names: fine below
	} {
		_, err := Parse(s)
		if strings.Contains(s, `\u0000`) {
			require.NoError(t, err)
			continue
		}
		require.ErrorIs(t, err, ErrSyntax, s)
	}
}

func TestDepthLimit(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	_, err := Parse(ok)
	require.NoError(t, err)
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	_, err = Parse(deep)
	require.ErrorIs(t, err, ErrSyntax)
	huge := strings.Repeat(`{"a":`, 100000)
	_, err = ParseObject(huge)
	require.ErrorIs(t, err, ErrSyntax)
}

func TestParseObject(t *testing.T) {
	m, err := ParseObject(`{"sub":"alice","exp":12}`)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"sub": "alice", "exp": 12.0}, m)
	for _, s := range []string{`[]`, `"a"`, `42`, `null`, `{"a":1}{"b":2}`, ``} {
		_, err := ParseObject(s)
		require.ErrorIs(t, err, ErrSyntax, s)
	}
	var e *Error
	_, err = ParseObject(`{"a":x}`)
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 5, e.Offset)
}

func TestObjectCallback(t *testing.T) {
	d := New(`{"alg":"RS256","kid":"k1","x":[1,{"y":null}]}`)
	got := map[string]string{}
	err := d.Object(func(name string) error {
		if d.Peek() == '"' {
			s, err := d.String()
			got[name] = s
			return err
		}
		return d.Skip()
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"alg": "RS256", "kid": "k1"}, got)
	d = New(`{"alg":"a","alg":"b"}`)
	err = d.Object(func(string) error { return d.Skip() })
	require.ErrorIs(t, err, ErrSyntax)
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstStdlib(t, data)
	})
}

func BenchmarkParseObject(b *testing.B) {
	data := `{"exp":1900000000,"iat":1899996400,"nbf":1899996400,"jti":"0b1e5c1e-7f2a-4d8e-9c3b-5a6f7e8d9c0b","iss":"https://sso.example.com/realms/acme","aud":["grafana","account"],"sub":"6b1d3f2e-8a4c-4e5f-9b7a-1c2d3e4f5a6b","typ":"Bearer","azp":"grafana","scope":"openid email profile","email_verified":true,"name":"Jane Doe","preferred_username":"jdoe","email":"jane.doe@example.com","realm_access":{"roles":["default-roles-acme","offline_access","grafana-editor"]},"groups":["/engineering","/engineering/platform"]}`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseObject(data); err != nil {
			b.Fatal(err)
		}
	}
}

// Many values of every kind, in arrays far longer than their initial room.
func TestManyValues(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"a":[`)
	for i := range 300 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"s` + strings.Repeat("x", i%7) + `",` + strings.Repeat("1", 1+i%5) + `,[` + `"n",2.5]`)
	}
	b.WriteString(`]}`)
	checkAgainstStdlib(t, []byte(b.String()))
}
