package grafanaini

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/ini.v1"

	"github.com/jwtgate/jwtgate/claims"
)

// iniUsers holds the auto_assign_* values of [users] (file and
// GF_USERS_* separately), expanded, empty ones dropped.
type iniUsers struct{ file, env map[string]iniVal }

// readUsers reads [users] once, when the first enabled section needs it, so a
// disabled configuration does not expand $__file in [users].
func (d *iniDoc) readUsers() (iniUsers, error) {
	if d.users != nil {
		return *d.users, nil
	}
	u := iniUsers{file: map[string]iniVal{}, env: map[string]iniVal{}}
	if s, err := d.file.GetSection(iniUsersSection); err == nil {
		for _, k := range s.Keys() {
			if slices.Contains(iniUsersKeys, k.Name()) {
				v, loc := d.fileValue(iniUsersSection, k)
				u.file[k.Name()] = iniVal{v: v, loc: loc}
			}
		}
	}
	for _, k := range iniUsersKeys {
		e := iniEnvUsers + strings.ToUpper(k)
		if v, ok := d.env[e]; ok {
			u.env[k] = iniVal{v: v, loc: Loc{Env: e}}
		}
	}
	for _, m := range []map[string]iniVal{u.file, u.env} {
		if err := d.expandAll(m, iniUsersSection, iniUsersKeys); err != nil {
			return iniUsers{}, err
		}
	}
	d.users = &u
	return u, nil
}

// expandAll expands the values of m in the order of names, trims them and
// drops the empty ones.
func (d *iniDoc) expandAll(m map[string]iniVal, section string, names []string) error {
	for _, k := range names {
		v, ok := m[k]
		if !ok {
			continue
		}
		x, err := iniExpand(v.v, d.vars)
		if err != nil {
			return d.errorf(v.loc, section, k, "%v", err)
		}
		if v.v = strings.TrimSpace(x); v.v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return nil
}

// fileValue returns the value of k after inline-comment and quote removal.
func (d *iniDoc) fileValue(section string, k *ini.Key) (string, Loc) {
	l := d.lines[section][k.Name()]
	loc := Loc{Line: l.n}
	if l.quoted {
		return k.Value(), loc
	}
	return iniValue(k.Value(), iniListKey(k.Name())), loc
}

// iniListKey reports the keys whose values are lists, where quotes mark
// items rather than the whole value.
func iniListKey(name string) bool {
	switch name {
	case "org_mapping", "algorithms", "token_types", "dpop_algorithms":
		return true
	}
	return false
}

// iniValue drops an inline comment (";" or "#" after a space or tab) and,
// unless keepQuotes, one pair of surrounding quotes.
func iniValue(v string, keepQuotes bool) string {
	// ini.v1 has already trimmed the space after "=", so a value that
	// starts with ";" or "#" is all comment (Pomerium's "jwk_set_url = ;URL").
	for i := 0; i < len(v); i++ {
		if (v[i] == ';' || v[i] == '#') && (i == 0 || v[i-1] == ' ' || v[i-1] == '\t') {
			v = v[:i]
			break
		}
	}
	v = strings.TrimSpace(v)
	if !keepQuotes && len(v) >= 2 {
		if q := v[0]; (q == '"' || q == '\'') && v[len(v)-1] == q && strings.IndexByte(v[1:], q) == len(v)-2 {
			v = v[1 : len(v)-1]
		}
	}
	return v
}

var iniKeyNames = func() []string {
	out := make([]string, len(iniKeys))
	for i, k := range iniKeys {
		out[i] = k.name
	}
	return out
}()

// section builds one section. A missing section is an empty one (the
// environment may still define it). When the section is not enabled its
// Settings are zero and values are not checked, but key names are.
func (d *iniDoc) section(name, envPrefix string) (sec Section, st enabledState, err error) {
	file, err := d.fileValues(name)
	if err != nil {
		return Section{}, st, err
	}
	env := d.envValues(name, envPrefix)
	if st, err = d.enabled(name, file, env); err != nil || st != on {
		return Section{}, st, err
	}
	for _, m := range []map[string]iniVal{file, env} {
		if err := d.expandAll(m, name, iniKeyNames[1:]); err != nil {
			return Section{}, st, err
		}
	}
	users, err := d.readUsers()
	if err != nil {
		return Section{}, st, err
	}
	sec = Section{Name: name, Line: d.sectionLine(name), Origins: map[string]Origin{}}
	if err := d.apply(&sec, file, env); err != nil {
		return Section{}, st, err
	}
	if err := d.orgDefaults(&sec, file, env, users); err != nil {
		return Section{}, st, err
	}
	return sec, on, nil
}

// fileValues returns the values of the section's keys in the file, after
// comment and quote removal, and refuses unknown keys.
func (d *iniDoc) fileValues(name string) (map[string]iniVal, error) {
	vals := map[string]iniVal{}
	s, err := d.file.GetSection(name)
	if err != nil {
		return vals, nil // no such section
	}
	for _, k := range s.Keys() {
		if _, ok := lookupINIKey(k.Name()); !ok {
			loc := Loc{Line: d.lines[name][k.Name()].n}
			if !iniPlausibleKey.MatchString(k.Name()) {
				// Likely a pasted value (base64 with "=" padding):
				// do not repeat it.
				return nil, d.errorf(loc, name, "", "not a key: the text before \"=\" or \":\" is not a key name")
			}
			return nil, d.errorf(loc, name, k.Name(), "unknown key%s", suggestINIKey(k.Name()))
		}
		v, loc := d.fileValue(name, k)
		vals[k.Name()] = iniVal{v: v, loc: loc}
	}
	return vals, nil
}

// envValues returns the section's values set by envPrefix + KEY variables
// (those that envTarget gave to it).
func (d *iniDoc) envValues(name, envPrefix string) map[string]iniVal {
	vals := map[string]iniVal{}
	for _, k := range iniKeyNames {
		e := envPrefix + strings.ToUpper(k)
		if v, ok := d.env[e]; ok && d.owner[e] == name {
			vals[k] = iniVal{v: v, loc: Loc{Env: e}}
		}
	}
	return vals
}

// enabledState is a section's "enabled": unset, off or on.
type enabledState int

const (
	unset enabledState = iota
	off
	on
)

// enabled expands and reads "enabled" (the environment first). The other
// values are expanded and checked only in an enabled section.
func (d *iniDoc) enabled(name string, file, env map[string]iniVal) (enabledState, error) {
	for _, m := range []map[string]iniVal{file, env} {
		if err := d.expandAll(m, name, iniKeyNames[:1]); err != nil {
			return unset, err
		}
	}
	v, ok := pickINI(env["enabled"], file["enabled"])
	if !ok {
		return unset, nil
	}
	b, err := iniBool(v.v)
	if err != nil {
		return unset, d.errorf(v.loc, name, "enabled", "%v", err)
	}
	if !b {
		return off, nil
	}
	return on, nil
}

// apply parses every value set for the section into sec, the environment
// winning over the file.
func (d *iniDoc) apply(sec *Section, file, env map[string]iniVal) error {
	for _, k := range iniKeys {
		v, ok := pickINI(env[k.name], file[k.name])
		if !ok || k.apply == nil {
			continue
		}
		if err := k.apply(&sec.Settings, v.v); err != nil {
			return d.errorf(v.loc, sec.Name, k.name, "%v", err)
		}
		if k.field != "" {
			sec.Origins[k.field] = Origin{Section: sec.Name, Key: k.name, Loc: v.loc}
		}
	}
	return nil
}

// orgDefaults applies auto_assign_org_role, auto_assign_org and
// auto_assign_org_id, taken from GF_AUTH_JWT_, GF_USERS_, the section and
// [users], in that order.
func (d *iniDoc) orgDefaults(sec *Section, file, env map[string]iniVal, users iniUsers) (err error) {
	pick := func(key string) (iniVal, string, bool) {
		for _, c := range []struct {
			v       iniVal
			section string
		}{{env[key], sec.Name}, {users.env[key], iniUsersSection}, {file[key], sec.Name}, {users.file[key], iniUsersSection}} {
			if c.v.v != "" {
				return c.v, c.section, true
			}
		}
		return iniVal{}, "", false
	}
	if v, from, ok := pick("auto_assign_org_role"); ok {
		if err := iniRole(v.v); err != nil {
			return d.errorf(v.loc, from, "auto_assign_org_role", "%v", err)
		}
		sec.Settings.AutoAssignOrgRole = claims.Role(v.v)
		sec.Origins["AutoAssignOrgRole"] = Origin{Section: from, Key: "auto_assign_org_role", Loc: v.loc}
	}
	assign := true // Grafana's default
	if v, from, ok := pick("auto_assign_org"); ok {
		if assign, err = iniBool(v.v); err != nil {
			return d.errorf(v.loc, from, "auto_assign_org", "%v", err)
		}
	}
	id := 1
	v, from, ok := pick("auto_assign_org_id")
	if ok {
		if id, err = iniInt(v.v); err == nil && id < 1 {
			err = errors.New("must be an org id of 1 or more")
		}
		if err != nil {
			return d.errorf(v.loc, from, "auto_assign_org_id", "%v", err)
		}
	}
	// Grafana's default org: auto_assign_org_id when auto_assign_org is
	// on, else 1 (Config's "" default). default_org wins.
	if sec.Settings.DefaultOrg == "" && assign && id != 1 {
		sec.Settings.DefaultOrg = strconv.Itoa(id)
		sec.Origins["DefaultOrg"] = Origin{Section: from, Key: "auto_assign_org_id", Loc: v.loc}
	}
	return nil
}

// pickINI returns the first value that is set.
func pickINI(vs ...iniVal) (iniVal, bool) {
	for _, v := range vs {
		if v.v != "" {
			return v, true
		}
	}
	return iniVal{}, false
}
