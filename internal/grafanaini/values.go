package grafanaini

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jwtgate/jwtgate/claims"
	"github.com/jwtgate/jwtgate/internal/algs"
	"github.com/jwtgate/jwtgate/internal/smallfile"
)

// iniExpandRE matches Grafana's expansions: ${NAME}, $__env{NAME},
// $__file{path} and any other $__name{...}.
var iniExpandRE = regexp.MustCompile(`\$(|__\w+)\{([^}]+)\}`)

func iniExpand(v string, vars []string) (string, error) {
	if !strings.Contains(v, "$") {
		return v, nil
	}
	var err error
	out := iniExpandRE.ReplaceAllStringFunc(v, func(m string) string {
		if err != nil {
			return m
		}
		sub := iniExpandRE.FindStringSubmatch(m)
		switch sub[1] {
		case "", "__env":
			return iniLookupEnv(vars, sub[2])
		case "__file":
			var s string
			s, err = iniReadFile(sub[2])
			return s
		default:
			err = fmt.Errorf("unsupported expansion %s{...} (only $__env, ${...} and $__file are)", "$"+sub[1])
			return m
		}
	})
	return out, err
}

// iniLookupEnv returns the last value of name in vars, or "".
func iniLookupEnv(vars []string, name string) string {
	for i := len(vars) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(vars[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

func iniReadFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("$__file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("$__file{%s}: not a regular file", path)
	}
	b, err := smallfile.Read(path)
	if err != nil {
		return "", fmt.Errorf("$__file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// iniBool accepts the spellings of ini.v1's Key.Bool.
func iniBool(v string) (bool, error) {
	switch v {
	case "1", "t", "T", "true", "TRUE", "True", "YES", "yes", "Yes", "y", "ON", "on", "On":
		return true, nil
	case "0", "f", "F", "false", "FALSE", "False", "NO", "no", "No", "n", "OFF", "off", "Off":
		return false, nil
	}
	return false, fmt.Errorf("%s is not a boolean (use true or false)", iniQuote(v))
}

func iniDuration(v string) (time.Duration, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n == 0 {
			return 0, nil
		}
		alt := ""
		switch {
		case n%3600 == 0:
			alt = fmt.Sprintf(" (or %q)", strconv.FormatInt(n/3600, 10)+"h")
		case n%60 == 0:
			alt = fmt.Sprintf(" (or %q)", strconv.FormatInt(n/60, 10)+"m")
		}
		return 0, fmt.Errorf("%s has no unit; for seconds write %q%s", iniQuote(v), v+"s", alt)
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s is not a duration (examples: 90s, 60m, 1h30m)", iniQuote(v))
	}
	if d < 0 {
		return 0, fmt.Errorf("%s is negative", iniQuote(v))
	}
	return d, nil
}

func iniInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s is not an integer", iniQuote(v))
	}
	if n < 0 {
		return 0, fmt.Errorf("%s is negative", iniQuote(v))
	}
	return n, nil
}

func iniRole(v string) error {
	switch claims.Role(v) {
	case claims.RoleNone, claims.RoleViewer, claims.RoleEditor, claims.RoleAdmin:
		return nil
	}
	for _, r := range []claims.Role{claims.RoleNone, claims.RoleViewer, claims.RoleEditor, claims.RoleAdmin} {
		if strings.EqualFold(v, string(r)) {
			return fmt.Errorf("%s is not a role; roles are case-sensitive: did you mean %s?", iniQuote(v), r)
		}
	}
	return fmt.Errorf("%s is not a role (use None, Viewer, Editor or Admin)", iniQuote(v))
}

func iniAlgorithm(a string) error {
	if algs.Index(a) >= 0 {
		return nil
	}
	if strings.EqualFold(a, "none") {
		return errors.New(`"none" is never allowed`)
	}
	for _, k := range algs.Names() {
		if strings.EqualFold(a, k) {
			return fmt.Errorf("unknown algorithm %s; names are case-sensitive: did you mean %s?", iniQuote(a), k)
		}
	}
	return fmt.Errorf("unknown algorithm %s (known: %s)", iniQuote(a), strings.Join(algs.Names(), ", "))
}

func iniExpectClaims(v string) (map[string]any, error) {
	if !strings.HasPrefix(v, "{") {
		return nil, errors.New(`must be a JSON object, like {"iss": "https://issuer.example"}`)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("invalid JSON at offset %d: %v", se.Offset, err)
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	// Decode again keeping numbers as json.Number, so that expect_claims
	// compares integers beyond 2^53 by every digit.
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	m = nil
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	for _, c := range []string{"iss", "sub"} {
		if x, ok := m[c]; ok {
			if _, isStr := x.(string); !isStr {
				return nil, fmt.Errorf("%q must be a string, not %s", c, iniJSONType(x))
			}
		}
	}
	if x, ok := m["aud"]; ok {
		switch a := x.(type) {
		case string:
		case []any:
			for _, e := range a {
				if _, isStr := e.(string); !isStr {
					return nil, fmt.Errorf(`"aud" must be a string or an array of strings; it holds %s`, iniJSONType(e))
				}
			}
		default:
			return nil, fmt.Errorf(`"aud" must be a string or an array of strings, not %s`, iniJSONType(x))
		}
	}
	return m, nil
}

func iniJSONType(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}

// iniList splits a list value like Grafana's util.SplitString: a JSON array
// of strings when it starts with "[", otherwise items separated by commas
// or white space, with "double-quoted items" kept whole. Unlike Grafana, a
// bad JSON array or an unterminated quote is an error.
func iniList(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") {
		var raw []any
		if err := json.Unmarshal([]byte(v), &raw); err != nil {
			return nil, fmt.Errorf("a list starting with [ must be a JSON array of strings: %v", err)
		}
		out := make([]string, 0, len(raw))
		for _, e := range raw {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("a JSON list holds strings only, not %s", iniJSONType(e))
			}
			if s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	var out []string
	for i := 0; i < len(v); {
		switch c := v[i]; {
		case c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
		case c == '"':
			j := strings.IndexByte(v[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quote at offset %d", i)
			}
			if j > 0 {
				out = append(out, v[i+1:i+1+j])
			}
			i += j + 2
		default:
			j := i
			for j < len(v) && !strings.ContainsRune(",\" \t\n\r\v\f", rune(v[j])) {
				j++
			}
			out = append(out, v[i:j])
			i = j
		}
	}
	return out, nil
}

// iniBase64 checks that v decodes as base64 (standard or URL alphabet,
// padded or not; New decides what it accepts). The value itself is never
// put in the error.
func iniBase64(v, what string) error {
	hint := ""
	switch {
	case strings.Contains(v, "-----BEGIN"):
		hint = " (this looks like raw PEM: base64-encode the whole PEM, or use key_file)"
	case strings.HasPrefix(v, "{"):
		hint = " (this looks like raw JSON: base64-encode the JWKS, or use jwk_set_file)"
	default:
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if _, err := enc.DecodeString(v); err == nil {
				return nil
			}
		}
	}
	return fmt.Errorf("the %s must be base64-encoded (standard alphabet)%s", what, hint)
}

// iniQuote quotes a value for an error message, truncated.
func iniQuote(v string) string {
	const max = 40
	if len(v) > max {
		return strconv.Quote(v[:max]) + "..."
	}
	return strconv.Quote(v)
}

// The DPoP modes of the dpop key, as Settings.DPoP holds them ("" when
// the key is unset).
const (
	DPoPOff      = "off"
	DPoPAllowed  = "allowed"
	DPoPRequired = "required"
)

func iniDPoPMode(v string) (string, error) {
	for _, m := range []string{DPoPOff, DPoPAllowed, DPoPRequired} {
		if v == m {
			return m, nil
		}
		if strings.EqualFold(v, m) {
			return "", fmt.Errorf("%s is not a DPoP mode; modes are lower case: did you mean %s?", iniQuote(v), m)
		}
	}
	return "", fmt.Errorf("%s is not a DPoP mode (use off, allowed or required)", iniQuote(v))
}

// iniDPoPAlgorithm accepts the asymmetric algorithms: a DPoP proof is
// signed with the client's private key, so a shared-secret algorithm has
// no meaning there.
func iniDPoPAlgorithm(a string) error {
	if err := iniAlgorithm(a); err != nil {
		return err
	}
	if strings.HasPrefix(a, "HS") {
		return fmt.Errorf("%s is symmetric; a DPoP proof is signed with the client's own key pair", iniQuote(a))
	}
	return nil
}

// minNonceKey is the shortest DPoP nonce key, in bytes.
const minNonceKey = 32

// iniNonceKey decodes a base64 DPoP nonce key (standard or URL alphabet,
// padded or not). The value itself never appears in an error.
func iniNonceKey(v string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(v); err == nil {
			if len(k) < minNonceKey {
				return nil, fmt.Errorf("the key is %d bytes; it must be at least %d (for example: openssl rand -base64 32)", len(k), minNonceKey)
			}
			return k, nil
		}
	}
	return nil, errors.New("the key must be base64-encoded (for example: openssl rand -base64 32)")
}
