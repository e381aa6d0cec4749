// Package identhdr turns a verified [jwtauth.Identity] into header values
// that an upstream reads back exactly as the token stated them, for the
// examples that pass an identity on in headers (examples/gateway to its
// upstream, examples/nginx to nginx's auth_request). The header names
// belong to each example; the rules for the values live here, once.
//
// A value is refused, never altered, when a header cannot carry it
// faithfully: a control character (CR, LF, NUL, TAB, DEL, C1) could split
// or cut the header, and leading or trailing spaces would be stripped by
// the receiving header parser, so " admin" would arrive as "admin". Groups
// are comma-joined, as Grafana's auth proxy reads them, or a JSON array.
// The refusal is a *jwtauth.ValidationError wrapping jwtauth.ErrMalformed,
// which jwtauth's error handler answers with 401.
package identhdr

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jwtgate/jwtgate/jwtauth"
)

// Names are the headers that carry an identity. An empty name turns its
// header off: its value is then neither sent nor checked.
type Names struct {
	User, Email, Name, Role, Groups string
}

// Encode returns the headers that carry id under names, or an error
// wrapping jwtauth.ErrMalformed when a value cannot be carried faithfully.
// The User header holds the login, or the email when id has no login. A
// header whose value is empty is left out, and so are empty group names.
// With groupsJSON the groups are a JSON array; comma-joined (the default),
// a group name holding a comma or white space is refused, and so is a
// first group starting with "[". Values are checked in the order user,
// email, name, role, groups, and the first refusal is returned.
func Encode(id *jwtauth.Identity, names Names, groupsJSON bool) (http.Header, error) {
	h := http.Header{}
	set := func(name, field, value string) error {
		if name == "" || value == "" {
			return nil
		}
		if p := unsafeValue(value, true); p != "" {
			return identityError(field, p, value)
		}
		h.Set(name, value)
		return nil
	}
	user, userField := id.Login, "login"
	if user == "" {
		user, userField = id.Email, "email"
	}
	if err := set(names.User, userField, user); err != nil {
		return nil, err
	}
	if err := set(names.Email, "email", id.Email); err != nil {
		return nil, err
	}
	if err := set(names.Name, "name", id.Name); err != nil {
		return nil, err
	}
	if err := set(names.Role, "role", string(id.Role)); err != nil {
		return nil, err
	}
	if names.Groups != "" {
		groups, err := encodeGroups(id.Groups, groupsJSON)
		if err != nil {
			return nil, err
		}
		if groups != "" {
			h.Set(names.Groups, groups)
		}
	}
	return h, nil
}

// encodeGroups renders groups for one header: comma-joined, or a JSON
// array. Comma-joined, a group holding a comma or white space is refused
// (Grafana splits the header on both, so "a,admins" would become two
// groups), and so is a first group starting with "[" (Grafana would read
// the header as JSON). Empty group names are left out.
func encodeGroups(groups []string, asJSON bool) (string, error) {
	var kept []string
	for _, grp := range groups {
		if grp == "" {
			continue
		}
		if p := unsafeValue(grp, !asJSON); p != "" {
			return "", identityError("groups", p, grp)
		}
		if !asJSON && strings.IndexFunc(grp, func(c rune) bool { return c == ',' || unicode.IsSpace(c) }) >= 0 {
			return "", identityError("groups", "comma or white space in a group name", grp)
		}
		kept = append(kept, grp)
	}
	if len(kept) == 0 {
		return "", nil
	}
	if asJSON {
		b, err := json.Marshal(kept)
		return string(b), err
	}
	if strings.HasPrefix(kept[0], "[") {
		return "", identityError("groups", `first group starts with "["`, kept[0])
	}
	return strings.Join(kept, ","), nil
}

// identityError is the refusal of value, found in the identity's field
// (login, email, name, role, groups) for problem. The value is quoted and
// cut to 64 bytes, so the error is safe to log.
func identityError(field, problem, value string) error {
	const maxShown = 64
	if len(value) > maxShown {
		value = value[:maxShown] + "..."
	}
	return &jwtauth.ValidationError{
		Reason: jwtauth.ErrMalformed,
		Claim:  field,
		Detail: fmt.Sprintf("%s in %q: not forwarded as a header", problem, value),
	}
}

// unsafeValue says why v cannot travel as a header value unchanged, or "".
// Control characters (CR, LF, NUL, TAB, DEL, C1) could split or truncate
// the header; with trim, leading or trailing spaces would be stripped by
// the receiver's header parser, so " admin" would arrive as "admin".
func unsafeValue(v string, trim bool) string {
	if !utf8.ValidString(v) {
		return "invalid UTF-8"
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return "control character"
	}
	if trim && strings.Trim(v, " ") != v {
		return "leading or trailing space"
	}
	return ""
}
