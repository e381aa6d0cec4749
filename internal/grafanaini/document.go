package grafanaini

import (
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

// load parses data with ini.v1 and records key lines. ini.v1 decides what
// is valid; when it refuses the document, the message comes from the
// first problem scanLines noticed (with its line), as ini.v1's own errors
// may repeat the offending text, which can be key material, and most carry
// no type to tell them apart.
func (d *iniDoc) load(data []byte) (err error) {
	var problem *syntaxProblem
	d.lines, d.heads, problem = scanLines(data)
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
		if problem == nil {
			return &Error{File: d.name, Detail: "not valid ini syntax"}
		}
		return &Error{File: d.name, Loc: Loc{Line: problem.line}, Detail: problem.msg}
	}
	d.file = f
	return nil
}

// syntaxProblem is a line ini.v1 refuses, as scanLines sees it.
type syntaxProblem struct {
	line int
	msg  string
}

// scanLines finds, for each section and key, the last line that sets it,
// the line of each section header, and the first line that ini.v1 would
// refuse. It follows ini.v1's line rules closely enough for messages:
// section headers, "key = value" and "key: value", quoted keys, multi-line
// quoted values and backslash continuations.
func scanLines(data []byte) (map[string]map[string]iniLine, map[string]int, *syntaxProblem) {
	out := map[string]map[string]iniLine{}
	heads := map[string]int{}
	var problem *syntaxProblem
	report := func(line int, msg string) {
		if problem == nil {
			problem = &syntaxProblem{line: line, msg: msg}
		}
	}
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
			switch j := strings.LastIndexByte(t, ']'); {
			case j < 0:
				report(i+1, "section header without \"]\"")
			case j == 1:
				report(i+1, "empty section name \"[]\"")
			default:
				section = t[1:j]
				if _, seen := heads[section]; !seen {
					heads[section] = i + 1
				}
			}
			continue
		}
		if q := keyQuote(t); q != "" && !strings.Contains(t[len(q):], q) {
			report(i+1, "a quoted key name is never closed")
			continue
		}
		j := strings.IndexAny(t, "=:")
		switch {
		case j < 0:
			report(i+1, "expected \"key = value\", a [section] or a comment")
			continue
		case j == 0:
			report(i+1, "a key name is missing before \"=\"")
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
					if i+1 == len(lines) {
						report(start+1, "a value opened with \"\"\" or ` is never closed")
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
	return out, heads, problem
}

// keyQuote returns the quote that opens a quoted key name (ini.v1 allows
// "key", `key` and """key"""), or "".
func keyQuote(t string) string {
	switch {
	case strings.HasPrefix(t, `"""`):
		return `"""`
	case t[0] == '"':
		return `"`
	case t[0] == '`':
		return "`"
	}
	return ""
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
