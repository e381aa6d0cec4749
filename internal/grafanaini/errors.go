package grafanaini

import (
	"errors"
	"fmt"
)

// ErrDisabled is returned when [auth.jwt] has enabled false or missing.
var ErrDisabled = errors.New("grafanaini: [auth.jwt] is not enabled")

// Loc is where a value came from: a line of the document or an
// environment variable. The zero Loc is unknown.
type Loc struct {
	Line int    // 1-based line in the document; 0 when unknown
	Env  string // environment variable name when the value came from env
}

// Error is a configuration error in the document's terms; the zero Error
// has an empty text. Its text is
// "<where>: [<section>] <key>: <detail>", each part present only when
// known, where is "file:line", "line N", "file" or "env NAME". Detail never
// holds a key value that may be secret.
type Error struct {
	File    string // file name; "" for a document given as bytes
	Loc            // where the offending value is
	Section string // "auth.jwt", "auth.jwt.<name>", "users"; may be empty
	Key     string // the ini key; may be empty
	Detail  string
}

// Error returns Prefix followed by Detail.
func (e *Error) Error() string { return e.Prefix() + e.Detail }

// Prefix is the text of e before its Detail: "file:7: [auth.jwt] key: ".
// It is "" for the zero Error.
func (e *Error) Prefix() string {
	where := ""
	switch {
	case e.Env != "":
		where = "env " + e.Env + ": "
	case e.Line > 0 && e.File != "":
		where = fmt.Sprintf("%s:%d: ", e.File, e.Line)
	case e.Line > 0:
		where = fmt.Sprintf("line %d: ", e.Line)
	case e.File != "":
		where = e.File + ": "
	}
	subject := ""
	if e.Section != "" {
		subject = "[" + e.Section + "]"
		if e.Key != "" {
			subject += " " + e.Key
		}
		subject += ": "
	}
	return where + subject
}
