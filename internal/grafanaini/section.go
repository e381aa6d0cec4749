package grafanaini

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/jwtgate/jwtgate/claims"
	"gopkg.in/ini.v1"
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

func iniListKey(name string) bool { return name == "org_mapping" || name == "algorithms" }

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

// section builds the Config of one section. A missing section is an empty
// one (the environment may still define it). enabled reports the section's
// "enabled"; when false the Config is zero and values are not checked, but
// key names are.
func (d *iniDoc) section(name, envPrefix string) (cfg Settings, enabled bool, err error) {
	vals := map[string]iniVal{}
	if s, err := d.file.GetSection(name); err == nil {
		for _, k := range s.Keys() {
			loc := Loc{Line: d.lines[name][k.Name()].n}
			if _, ok := lookupINIKey(k.Name()); !ok {
				if !iniPlausibleKey.MatchString(k.Name()) {
					// Likely a pasted value (base64 with "=" padding):
					// do not repeat it.
					return Settings{}, false, d.errorf(loc, name, "", "not a key: the text before \"=\" or \":\" is not a key name")
				}
				return Settings{}, false, d.errorf(loc, name, k.Name(), "unknown key%s", suggestINIKey(k.Name()))
			}
			v, loc := d.fileValue(name, k)
			vals[k.Name()] = iniVal{v: v, loc: loc}
		}
	}
	envVals := map[string]iniVal{}
	for _, k := range iniKeyNames {
		e := envPrefix + strings.ToUpper(k)
		if v, ok := d.env[e]; ok {
			envVals[k] = iniVal{v: v, loc: Loc{Env: e}}
		}
	}
	// "enabled" first: the other values are expanded and checked only in
	// an enabled section.
	for _, m := range []map[string]iniVal{vals, envVals} {
		if err := d.expandAll(m, name, iniKeyNames[:1]); err != nil {
			return Settings{}, false, err
		}
	}
	if v, ok := pickINI(envVals["enabled"], vals["enabled"]); ok {
		if enabled, err = iniBool(v.v); err != nil {
			return Settings{}, false, d.errorf(v.loc, name, "enabled", "%v", err)
		}
	}
	if !enabled {
		return Settings{}, false, nil
	}
	for _, m := range []map[string]iniVal{vals, envVals} {
		if err := d.expandAll(m, name, iniKeyNames[1:]); err != nil {
			return Settings{}, false, err
		}
	}
	users, err := d.readUsers()
	if err != nil {
		return Settings{}, false, err
	}

	var c Settings
	for _, k := range iniKeys {
		v, ok := pickINI(envVals[k.name], vals[k.name])
		if !ok || k.apply == nil {
			continue
		}
		if err := k.apply(&c, v.v); err != nil {
			return Settings{}, false, d.errorf(v.loc, name, k.name, "%v", err)
		}
	}

	// auto_assign_*: GF_AUTH_JWT_, GF_USERS_, [auth.jwt], [users].
	org := func(key string) (iniVal, string, bool) {
		if v, ok := pickINI(envVals[key]); ok {
			return v, name, true
		}
		if v, ok := pickINI(users.env[key]); ok {
			return v, iniUsersSection, true
		}
		if v, ok := pickINI(vals[key]); ok {
			return v, name, true
		}
		if v, ok := pickINI(users.file[key]); ok {
			return v, iniUsersSection, true
		}
		return iniVal{}, "", false
	}
	if v, sec, ok := org("auto_assign_org_role"); ok {
		if err := iniRole(v.v); err != nil {
			return Settings{}, false, d.errorf(v.loc, sec, "auto_assign_org_role", "%v", err)
		}
		c.AutoAssignOrgRole = claims.Role(v.v)
	}
	assign := true // Grafana's default
	if v, sec, ok := org("auto_assign_org"); ok {
		if assign, err = iniBool(v.v); err != nil {
			return Settings{}, false, d.errorf(v.loc, sec, "auto_assign_org", "%v", err)
		}
	}
	id := 1
	if v, sec, ok := org("auto_assign_org_id"); ok {
		if id, err = iniInt(v.v); err == nil && id < 1 {
			err = errors.New("must be an org id of 1 or more")
		}
		if err != nil {
			return Settings{}, false, d.errorf(v.loc, sec, "auto_assign_org_id", "%v", err)
		}
	}
	// Grafana's default org: auto_assign_org_id when auto_assign_org is
	// on, else 1 (Config's "" default). default_org wins.
	if c.DefaultOrg == "" && assign && id != 1 {
		c.DefaultOrg = strconv.Itoa(id)
	}
	return c, true, nil
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
