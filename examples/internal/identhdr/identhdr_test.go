package identhdr

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtgate/jwtgate/jwtauth"
)

var names = Names{User: "X-Test-User", Email: "X-Test-Email", Name: "X-Test-Name", Role: "X-Test-Role", Groups: "X-Test-Groups"}

func alice() *jwtauth.Identity {
	return &jwtauth.Identity{
		Subject: "sub-alice",
		Login:   "alice",
		Email:   "alice@example.test",
		Name:    "Alice Liddell",
		Role:    jwtauth.RoleEditor,
		Groups:  []string{"dev", "ops"},
	}
}

// refusal checks that err is the refusal of field, naming problem.
func refusal(t *testing.T, err error, field, problem string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, jwtauth.ErrMalformed)
	var ve *jwtauth.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, field, ve.Claim)
	assert.True(t, strings.HasPrefix(ve.Detail, problem+" in "), "detail %q does not name %q", ve.Detail, problem)
	assert.True(t, strings.HasSuffix(ve.Detail, ": not forwarded as a header"), ve.Detail)
}

func TestEncode(t *testing.T) {
	h, err := Encode(alice(), names, false)
	require.NoError(t, err)
	assert.Equal(t, http.Header{
		"X-Test-User":   {"alice"},
		"X-Test-Email":  {"alice@example.test"},
		"X-Test-Name":   {"Alice Liddell"},
		"X-Test-Role":   {"Editor"},
		"X-Test-Groups": {"dev,ops"},
	}, h)

	t.Run("names are canonicalized", func(t *testing.T) {
		h, err := Encode(alice(), Names{User: "X-WEBAUTH-USER", Groups: "x-webauth-groups"}, false)
		require.NoError(t, err)
		assert.Equal(t, http.Header{"X-Webauth-User": {"alice"}, "X-Webauth-Groups": {"dev,ops"}}, h)
	})

	t.Run("email is the user without a login", func(t *testing.T) {
		id := alice()
		id.Login, id.Name, id.Groups = "", "", nil
		h, err := Encode(id, names, false)
		require.NoError(t, err)
		assert.Equal(t, http.Header{
			"X-Test-User":  {"alice@example.test"},
			"X-Test-Email": {"alice@example.test"},
			"X-Test-Role":  {"Editor"},
		}, h)

		id.Email = "alice@example.test "
		_, err = Encode(id, names, false)
		refusal(t, err, "email", "leading or trailing space")
	})

	t.Run("empty values are left out", func(t *testing.T) {
		h, err := Encode(&jwtauth.Identity{Subject: "s", Groups: []string{"", ""}}, names, false)
		require.NoError(t, err)
		assert.Empty(t, h)
	})

	t.Run("a header turned off is neither sent nor checked", func(t *testing.T) {
		id := alice()
		id.Name = "Alice\r\n"
		id.Groups = []string{"a,b"}
		off := names
		off.Name, off.Groups = "", ""
		h, err := Encode(id, off, false)
		require.NoError(t, err)
		assert.Equal(t, http.Header{
			"X-Test-User":  {"alice"},
			"X-Test-Email": {"alice@example.test"},
			"X-Test-Role":  {"Editor"},
		}, h)
	})

	t.Run("groups as JSON", func(t *testing.T) {
		id := alice()
		id.Groups = []string{"Team A", "", "b,c", "ünïcode", `["x"]`, " padded "}
		h, err := Encode(id, names, true)
		require.NoError(t, err)
		var groups []string
		require.NoError(t, json.Unmarshal([]byte(h.Get("X-Test-Groups")), &groups))
		assert.Equal(t, []string{"Team A", "b,c", "ünïcode", `["x"]`, " padded "}, groups)
		assert.Equal(t, "alice", h.Get("X-Test-User"))
	})

	t.Run("non-ASCII is kept as UTF-8", func(t *testing.T) {
		id := alice()
		id.Login, id.Name = "jürgen", "Jürgen Groß"
		h, err := Encode(id, names, false)
		require.NoError(t, err)
		assert.Equal(t, "jürgen", h.Get("X-Test-User"))
		assert.Equal(t, "Jürgen Groß", h.Get("X-Test-Name"))
	})
}

func TestEncodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		change     func(*jwtauth.Identity)
		groupsJSON bool
		field      string
		problem    string
	}{
		{"CRLF in login", func(id *jwtauth.Identity) { id.Login = "alice\r\nX-WEBAUTH-ROLE: Admin" }, false, "login", "control character"},
		{"LF in login", func(id *jwtauth.Identity) { id.Login = "alice\n" }, false, "login", "control character"},
		{"TAB in login", func(id *jwtauth.Identity) { id.Login = "al\tice" }, false, "login", "control character"},
		{"leading space in login", func(id *jwtauth.Identity) { id.Login = " admin" }, false, "login", "leading or trailing space"},
		{"invalid UTF-8 in login", func(id *jwtauth.Identity) { id.Login = "al\xffice" }, false, "login", "invalid UTF-8"},
		{"NUL in email", func(id *jwtauth.Identity) { id.Email = "alice@example.test\x00admin" }, false, "email", "control character"},
		{"trailing space in email", func(id *jwtauth.Identity) { id.Email = "admin@example.test " }, false, "email", "leading or trailing space"},
		{"DEL in name", func(id *jwtauth.Identity) { id.Name = "Alice\x7f" }, false, "name", "control character"},
		{"C1 control in name", func(id *jwtauth.Identity) { id.Name = "Alice\u0085" }, false, "name", "control character"},
		{"space around role", func(id *jwtauth.Identity) { id.Role = " Admin" }, false, "role", "leading or trailing space"},
		{"comma in a group", func(id *jwtauth.Identity) { id.Groups = []string{"dev,admins"} }, false, "groups", "comma or white space in a group name"},
		{"space in a group", func(id *jwtauth.Identity) { id.Groups = []string{"dev admins"} }, false, "groups", "comma or white space in a group name"},
		{"NBSP in a group", func(id *jwtauth.Identity) { id.Groups = []string{"dev\u00a0admins"} }, false, "groups", "comma or white space in a group name"},
		{"leading space in a group", func(id *jwtauth.Identity) { id.Groups = []string{" dev"} }, false, "groups", "leading or trailing space"},
		{"CRLF in a group", func(id *jwtauth.Identity) { id.Groups = []string{"dev\r\nX-A: b"} }, false, "groups", "control character"},
		{"group read as JSON", func(id *jwtauth.Identity) { id.Groups = []string{`["admins"]`} }, false, "groups", `first group starts with "["`},
		{"group read as JSON after an empty one", func(id *jwtauth.Identity) { id.Groups = []string{"", `[admins`} }, false, "groups", `first group starts with "["`},
		{"LF in a group, JSON", func(id *jwtauth.Identity) { id.Groups = []string{"dev\nops"} }, true, "groups", "control character"},
		{"CRLF in login, JSON groups", func(id *jwtauth.Identity) { id.Login = "a\r\nb" }, true, "login", "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := alice()
			tc.change(id)
			h, err := Encode(id, names, tc.groupsJSON)
			assert.Nil(t, h)
			refusal(t, err, tc.field, tc.problem)
		})
	}

	t.Run("first refusal in user, email, name, role, groups order", func(t *testing.T) {
		id := &jwtauth.Identity{Login: "l\n", Email: "e\n", Name: "n\n", Role: "r\n", Groups: []string{"g\n"}}
		for _, field := range []string{"login", "email", "name", "role", "groups"} {
			_, err := Encode(id, names, false)
			refusal(t, err, field, "control character")
			switch field {
			case "login":
				id.Login = "l"
			case "email":
				id.Email = "e"
			case "name":
				id.Name = "n"
			case "role":
				id.Role = "r"
			}
		}
	})

	t.Run("the email refused as the user is named email", func(t *testing.T) {
		id := alice()
		id.Login, id.Email = "", "a@b\nX: y"
		_, err := Encode(id, Names{User: "X-Test-User"}, false)
		refusal(t, err, "email", "control character")
	})
}

func TestIdentityError(t *testing.T) {
	err := identityError("login", "control character", "alice\r\nX-Role: Admin")
	assert.Equal(t, `jwtauth: malformed token (login): control character in "alice\r\nX-Role: Admin": not forwarded as a header`, err.Error())

	long := strings.Repeat("a", 64)
	err = identityError("name", "control character", long+"\n")
	var ve *jwtauth.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, `control character in "`+long+`...": not forwarded as a header`, ve.Detail)
	assert.Nil(t, ve.Err)

	err = identityError("name", "control character", long)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, `control character in "`+long+`": not forwarded as a header`, ve.Detail, "64 bytes are shown whole")
}

func TestUnsafeValue(t *testing.T) {
	for _, tc := range []struct {
		v          string
		trim, want string
	}{
		{"alice", "", ""},
		{"Team A", "", ""},
		{"ünïcode", "", ""},
		{" admin", "leading or trailing space", ""},
		{"admin ", "leading or trailing space", ""},
		{"\u00a0admin", "", ""}, // only ASCII spaces are stripped by header parsers
		{"a\rb", "control character", "control character"},
		{"a\nb", "control character", "control character"},
		{"a\x00b", "control character", "control character"},
		{"a\tb", "control character", "control character"},
		{"a\x7fb", "control character", "control character"},
		{"a\u0085b", "control character", "control character"},
		{" a\nb", "control character", "control character"},
		{"a\xffb", "invalid UTF-8", "invalid UTF-8"},
	} {
		assert.Equal(t, tc.trim, unsafeValue(tc.v, true), "%q with trim", tc.v)
		assert.Equal(t, tc.want, unsafeValue(tc.v, false), "%q without trim", tc.v)
	}
}

func TestEncodeGroups(t *testing.T) {
	for _, tc := range []struct {
		groups       []string
		comma, asArr string
	}{
		{nil, "", ""},
		{[]string{"", ""}, "", ""},
		{[]string{"dev"}, "dev", `["dev"]`},
		{[]string{"dev", "", "ops"}, "dev,ops", `["dev","ops"]`},
		{[]string{"dev", "[ops]"}, "dev,[ops]", `["dev","[ops]"]`}, // only a first "[" reads as JSON
	} {
		got, err := encodeGroups(tc.groups, false)
		require.NoError(t, err)
		assert.Equal(t, tc.comma, got, "%q", tc.groups)
		got, err = encodeGroups(tc.groups, true)
		require.NoError(t, err)
		assert.Equal(t, tc.asArr, got, "%q as JSON", tc.groups)
	}
	_, err := encodeGroups([]string{"ok", "a b"}, false)
	refusal(t, err, "groups", "comma or white space in a group name")
	assert.Contains(t, err.Error(), `"a b"`)
	assert.True(t, errors.Is(err, jwtauth.ErrMalformed))
}
