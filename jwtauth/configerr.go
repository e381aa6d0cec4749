package jwtauth

import (
	"fmt"
	"reflect"

	"github.com/jwtgate/jwtgate/internal/grafanaini"
)

// iniSource links a Config that LoadINI, ParseINI, LoadINIAll or
// ParseINIAll returned to the section it was read from, so that New and
// NewMulti can name ini keys, sections and lines in their errors.
type iniSource struct {
	file   string             // "" for ParseINI
	sec    grafanaini.Section // name, header line, where each field was set
	loaded Config             // the Config as loaded, without its source
}

// unchanged reports whether cfg still holds the loaded value of every field
// the ini can set. A Config whose ini fields were changed in Go is reported
// in Go terms, so that an error never points at a line that did not set the
// value.
func (s *iniSource) unchanged(cfg Config) bool {
	c, l := reflect.ValueOf(cfg), reflect.ValueOf(s.loaded)
	st := reflect.TypeFor[grafanaini.Settings]()
	for i := range st.NumField() {
		name := st.Field(i).Name
		if !reflect.DeepEqual(c.FieldByName(name).Interface(), l.FieldByName(name).Interface()) {
			return false
		}
	}
	return true
}

// configErrors builds New's errors about one Config: in Go terms ("Field:
// detail", with "config i: " before it under NewMulti), or, for a Config
// loaded from ini and not changed since, in the loader's terms
// ("file:line: [section] key: detail").
type configErrors struct {
	src   *iniSource
	where string // "config i: " under NewMulti; "" otherwise
}

func errorsFor(cfg Config, multi bool, i int) configErrors {
	if cfg.ini != nil && cfg.ini.unchanged(cfg) {
		return configErrors{src: cfg.ini}
	}
	if multi {
		return configErrors{where: fmt.Sprintf("config %d: ", i)}
	}
	return configErrors{}
}

// name is how the user wrote a Config field: its ini key, or its Go name
// (also for fields with no ini form).
func (e configErrors) name(field string) string {
	if e.src != nil {
		if k, ok := grafanaini.KeyOf(field); ok {
			return k
		}
	}
	return field
}

// section is where an error about the Config as a whole points: the
// section header.
func (e configErrors) section() *grafanaini.Error {
	return &grafanaini.Error{File: e.src.file, Section: e.src.sec.Name, Loc: grafanaini.Loc{Line: e.src.sec.Line}}
}

// located is where an error about field points: the line (or variable)
// that set it, else the section header.
func (e configErrors) located(field string) *grafanaini.Error {
	ie := e.section()
	ie.Key = e.name(field)
	if o, ok := e.src.sec.Origins[field]; ok {
		ie.Section, ie.Loc = o.Section, o.Loc
	}
	return ie
}

// field is an error about one field: "Field: detail". format may wrap
// errors with %w.
func (e configErrors) field(field, format string, args ...any) error {
	detail := fmt.Errorf(format, args...)
	if e.src == nil {
		return fmt.Errorf("%w: %s%s: %w", ErrInvalidConfig, e.where, field, detail)
	}
	return fmt.Errorf("%w: %s%w", ErrInvalidConfig, e.located(field).Prefix(), detail)
}

// at is an error caused by field whose Go text does not name the field
// first; in ini terms it points at field's line.
func (e configErrors) at(field, format string, args ...any) error {
	if e.src == nil {
		return e.whole(format, args...)
	}
	return e.field(field, format, args...)
}

// whole is an error about the Config as a whole.
func (e configErrors) whole(format string, args ...any) error {
	detail := fmt.Errorf(format, args...)
	if e.src == nil {
		return fmt.Errorf("%w: %s%w", ErrInvalidConfig, e.where, detail)
	}
	return fmt.Errorf("%w: %s%w", ErrInvalidConfig, e.section().Prefix(), detail)
}

// label names the Config in a message about another one: "[auth.jwt]",
// or "config i" for a Config written in Go.
func (e configErrors) label(i int) string {
	if e.src != nil {
		return "[" + e.src.sec.Name + "]"
	}
	return fmt.Sprintf("config %d", i)
}

// names is name for each field, as arguments for a format.
func (e configErrors) names(fields ...string) []any {
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = e.name(f)
	}
	return out
}
