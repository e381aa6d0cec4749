package grafanaini

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/ini.v1"
)

const (
	iniMainSection  = "auth.jwt"
	iniUsersSection = "users"
	iniEnvMain      = "GF_AUTH_JWT_"
	iniEnvUsers     = "GF_USERS_"
)

// iniVal is one raw value with its origin.
type iniVal struct {
	v   string
	loc Loc
}

// iniDoc is a parsed document plus what error messages need.
type iniDoc struct {
	file  *ini.File
	name  string                        // file name for messages; "" from ParseINI
	lines map[string]map[string]iniLine // section -> key -> where it was last set
	heads map[string]int                // section -> line of its first header
	env   map[string]string             // non-empty GF_AUTH_JWT_* / GF_USERS_* variables
	owner map[string]string             // GF_AUTH_JWT_* variable -> the section it sets
	vars  []string                      // the whole env list, for ${NAME} expansions
	users *iniUsers                     // [users] values, read on first use
}

// iniLine records the last line setting a key and whether its raw value
// was wrapped in backquotes or triple quotes (taken as is).
type iniLine struct {
	n      int
	quoted bool
}

func (d *iniDoc) errorf(l Loc, section, key, format string, args ...any) error {
	return &Error{File: d.name, Loc: l, Section: section, Key: key, Detail: fmt.Sprintf(format, args...)}
}

func parse(data []byte, env []string, name string, all bool) ([]Section, error) {
	d := &iniDoc{name: name, env: iniEnv(env), vars: env}
	if err := d.load(data); err != nil {
		return nil, err
	}
	if err := d.checkSectionNames(); err != nil {
		return nil, err
	}
	if err := d.checkKeysOutsideSections(); err != nil {
		return nil, err
	}
	extras, err := d.extraSections()
	if err != nil {
		return nil, err
	}
	main, st, err := d.section(iniMainSection, iniEnvMain)
	if err != nil {
		return nil, err
	}
	enabled := st == on
	if !all {
		if !enabled {
			return nil, ErrDisabled
		}
		return []Section{main}, nil
	}
	secs := []Section{main}
	for _, x := range extras {
		sec, st, err := d.section(x.section, x.envPrefix)
		if err != nil {
			return nil, err
		}
		switch {
		case st == unset:
			return nil, d.noEnabled(x)
		case st == off:
			continue
		case !enabled:
			return nil, d.errorf(Loc{Line: d.sectionLine(x.section)}, x.section, "", "enabled while [auth.jwt] is disabled; enable [auth.jwt] (the first issuer) or disable this section")
		}
		secs = append(secs, sec)
	}
	if !enabled {
		return nil, ErrDisabled
	}
	return secs, nil
}

// noEnabled reports an extra section that does not say whether it is
// enabled: Grafana would skip it silently, leaving an issuer the user
// configured unused.
func (d *iniDoc) noEnabled(x iniExtra) error {
	if l := d.sectionLine(x.section); l > 0 {
		return d.errorf(Loc{Line: l}, x.section, "", "no \"enabled\" key; an extra issuer is used only with enabled = true (write enabled = false to keep it off)")
	}
	return d.errorf(Loc{}, x.section, "", "%sENABLED is not set; an extra issuer is used only when it is true (set it to false to keep it off)", x.envPrefix)
}

// checkKeysOutsideSections reports [auth.jwt] keys written before any
// section header in a file that has no [auth.jwt]: a snippet pasted
// without its header would otherwise read as "not enabled".
func (d *iniDoc) checkKeysOutsideSections() error {
	if _, err := d.file.GetSection(iniMainSection); err == nil {
		return nil // a full grafana.ini may have keys of its own at the top
	}
	s, err := d.file.GetSection(ini.DefaultSection)
	if err != nil {
		return nil
	}
	first, found := 0, false
	for _, k := range s.Keys() {
		if _, ok := lookupINIKey(k.Name()); !ok {
			continue
		}
		if l := d.lines[ini.DefaultSection][k.Name()].n; !found || l < first {
			first, found = l, true
		}
	}
	if !found {
		return nil
	}
	return d.errorf(Loc{Line: first}, "", "", "[auth.jwt] keys outside any section, and the file has no [auth.jwt]: add the line \"[auth.jwt]\" above them")
}

// iniEnv keeps the non-empty variables jwtgate reads. Later duplicates win.
func iniEnv(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !(strings.HasPrefix(k, iniEnvMain) || strings.HasPrefix(k, iniEnvUsers)) {
			continue
		}
		if strings.TrimSpace(v) == "" {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

// load parses data with ini.v1 and records key lines.
func (d *iniDoc) load(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{File: d.name, Detail: "not valid ini syntax"}
		}
	}()
	f, err := ini.LoadSources(ini.LoadOptions{
		// Inline comments are removed by iniValue, which requires white
		// space before ";" or "#" (ini.v1 would cut at any of them).
		IgnoreInlineComment: true,
		// Quotes are removed by iniValue, so that list items can be quoted.
		PreserveSurroundedQuote: true,
	}, data)
	if err != nil {
		return d.iniSyntaxError(data, err)
	}
	d.file = f
	d.lines, d.heads = scanINILines(data)
	return nil
}

// iniSyntaxError turns an ini.v1 parse error into a message with a line
// number that never repeats the offending text (it may be key material).
func (d *iniDoc) iniSyntaxError(data []byte, err error) error {
	var text, msg string
	var dnf ini.ErrDelimiterNotFound
	var ekn ini.ErrEmptyKeyName
	e := err.Error()
	switch {
	case errors.As(err, &dnf):
		text, msg = dnf.Line, "expected \"key = value\", a [section] or a comment"
	case errors.As(err, &ekn):
		text, msg = ekn.Line, "a key name is missing before \"=\""
	case strings.HasPrefix(e, "unclosed section: "):
		text, msg = strings.TrimPrefix(e, "unclosed section: "), "section header without \"]\""
	case strings.HasPrefix(e, "missing closing key quote from "):
		msg = "a value opened with \"\"\" or ` is never closed"
	case strings.HasPrefix(e, "missing closing key quote: "):
		text, msg = strings.TrimPrefix(e, "missing closing key quote: "), "a quoted key name is never closed"
	case strings.Contains(e, "empty section name"):
		msg = "empty section name \"[]\""
	default:
		msg = "not valid ini syntax"
	}
	line := 0
	if text = strings.TrimSpace(text); text != "" {
		for i, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) == text {
				line = i + 1
				break
			}
		}
	}
	return &Error{File: d.name, Loc: Loc{Line: line}, Detail: msg}
}

// scanINILines finds, for each section and key, the last line that sets
// it, and the line of each section header. It follows ini.v1's line rules
// closely enough for messages: section headers, "key = value" and
// "key: value", multi-line quoted values and backslash continuations.
func scanINILines(data []byte) (map[string]map[string]iniLine, map[string]int) {
	out := map[string]map[string]iniLine{}
	heads := map[string]int{}
	section := ini.DefaultSection
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if i == 0 {
			t = strings.TrimSpace(strings.TrimPrefix(t, "\ufeff"))
		}
		if t == "" || t[0] == '#' || t[0] == ';' {
			continue
		}
		if t[0] == '[' {
			if j := strings.LastIndexByte(t, ']'); j > 0 {
				section = t[1:j]
				if _, seen := heads[section]; !seen {
					heads[section] = i + 1
				}
			}
			continue
		}
		j := strings.IndexAny(t, "=:")
		if j <= 0 {
			continue
		}
		start := i
		key := strings.Trim(strings.TrimSpace(t[:j]), "\"`")
		rest := strings.TrimSpace(t[j+1:])
		quoted := false
		for _, q := range []string{`"""`, "`"} {
			if strings.HasPrefix(rest, q) && len(rest) > len(q) {
				quoted = true
				if !strings.Contains(rest[len(q):], q) {
					for i+1 < len(lines) && !strings.Contains(lines[i+1], q) {
						i++
					}
					i++
				}
				break
			}
		}
		if !quoted {
			for strings.HasSuffix(rest, `\`) && i+1 < len(lines) {
				i++
				rest = strings.TrimSpace(lines[i])
			}
		}
		if out[section] == nil {
			out[section] = map[string]iniLine{}
		}
		out[section][key] = iniLine{n: start + 1, quoted: quoted}
	}
	return out, heads
}

// checkSectionNames reports sections that look like [auth.jwt] but are not
// matched because of case or spacing (Grafana would silently ignore them).
func (d *iniDoc) checkSectionNames() error {
	for _, s := range d.file.Sections() {
		n := s.Name()
		if n == iniMainSection || n == iniUsersSection || strings.HasPrefix(n, iniMainSection+".") {
			continue
		}
		norm := strings.ToLower(strings.TrimSpace(n))
		if norm == iniMainSection || strings.HasPrefix(norm, iniMainSection+".") || norm == iniUsersSection {
			want := norm
			if rest, ok := strings.CutPrefix(norm, iniMainSection+"."); ok {
				want = iniMainSection + "." + rest
			}
			return d.errorf(Loc{Line: d.sectionLine(n)}, n, "", "section names are case-sensitive and cannot contain spaces; did you mean [%s]?", want)
		}
	}
	return nil
}

func (d *iniDoc) sectionLine(name string) int { return d.heads[name] }

type iniExtra struct {
	section   string // "auth.jwt.<name>"
	envPrefix string // "GF_AUTH_JWT_<NAME>_"
}

var (
	iniSectionName  = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	iniPlausibleKey = regexp.MustCompile(`^[A-Za-z0-9_.\- ]{1,48}$`)
)

// iniEnvName is Grafana's environment form of a section name.
func iniEnvName(section string) string {
	return strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(section))
}

// extraSections lists the [auth.jwt.<name>] sections of the file, then the
// ones only the environment names, and checks every GF_AUTH_JWT_ variable.
func (d *iniDoc) extraSections() ([]iniExtra, error) {
	var out []iniExtra
	byEnv := map[string]string{}
	for _, s := range d.file.Sections() {
		rest, ok := strings.CutPrefix(s.Name(), iniMainSection+".")
		if !ok {
			continue
		}
		loc := Loc{Line: d.sectionLine(s.Name())}
		if !iniSectionName.MatchString(rest) {
			return nil, d.errorf(loc, s.Name(), "", "an extra issuer section is [auth.jwt.<name>], the name made of letters, digits, \"_\" and \"-\"")
		}
		e := iniEnvName(rest)
		if other, dup := byEnv[e]; dup {
			return nil, d.errorf(loc, s.Name(), "", "its environment prefix GF_AUTH_JWT_%s_ is also that of [%s]; rename one", e, other)
		}
		byEnv[e] = s.Name()
		out = append(out, iniExtra{section: s.Name(), envPrefix: iniEnvMain + e + "_"})
	}
	var names []string
	for k := range d.env {
		if strings.HasPrefix(k, iniEnvMain) {
			names = append(names, k)
		}
	}
	slices.Sort(names) // report the same variable first every time
	var envOnly []string
	d.owner = map[string]string{}
	for _, k := range names {
		sec, envName, err := d.envTarget(k, byEnv)
		if err != nil {
			return nil, err
		}
		d.owner[k] = sec
		if envName != "" && !slices.Contains(envOnly, envName) {
			envOnly = append(envOnly, envName)
		}
	}
	for _, name := range envOnly {
		out = append(out, iniExtra{section: iniMainSection + "." + strings.ToLower(name), envPrefix: iniEnvMain + name + "_"})
	}
	return out, nil
}

// envTarget finds the one section the variable v (GF_AUTH_JWT_...) sets.
// The part after the prefix is a key of [auth.jwt], or <NAME>_<KEY> for
// [auth.jwt.<name>]. Some keys end with another key (dpop_algorithms,
// dpop_nonce_key_file), so a name can have several readings: it may read
// only one way among [auth.jwt] and the file's sections, else it is an
// error; when it reads as none of them, it defines an extra section known
// only to the environment, with the longest key that fits (whose NAME it
// returns as envName).
func (d *iniDoc) envTarget(v string, byEnv map[string]string) (section, envName string, err error) {
	rest := strings.TrimPrefix(v, iniEnvMain)
	var readings []string
	if _, ok := lookupINIKey(strings.ToLower(rest)); ok {
		if rest != strings.ToUpper(rest) {
			return "", "", d.errorf(Loc{Env: v}, "", "", "environment names are upper case: use %s%s", iniEnvMain, strings.ToUpper(rest))
		}
		readings = append(readings, "["+iniMainSection+"] "+strings.ToLower(rest))
		section = iniMainSection
	}
	for _, k := range iniKeys {
		n, found := strings.CutSuffix(rest, "_"+strings.ToUpper(k.name))
		if !found || n == "" || n != strings.ToUpper(n) || !iniSectionName.MatchString(n) {
			continue
		}
		if sec, inFile := byEnv[n]; inFile {
			readings = append(readings, "["+sec+"] "+k.name)
			section = sec
		} else if envName == "" || len(n) < len(envName) {
			envName = n
		}
	}
	switch {
	case len(readings) > 1:
		return "", "", d.errorf(Loc{Env: v}, "", "", "could set %s; rename the section", strings.Join(readings, " or "))
	case len(readings) == 1:
		return section, "", nil
	case envName != "":
		return iniMainSection + "." + strings.ToLower(envName), envName, nil
	}
	hint := ""
	if near, found := nearestINIKey(rest); found {
		hint = " (did you mean " + iniEnvMain + strings.ToUpper(near) + "?)"
	}
	return "", "", d.errorf(Loc{Env: v}, "", "", "names no [auth.jwt] key%s", hint)
}
