package jwtauth

import (
	"net/http"
	"strings"
)

// normalizeHTU returns an http(s) URI without its query and fragment,
// normalized as RFC 9449 §4.3 asks (RFC 3986 §6.2.2 syntax-based and
// §6.2.3 scheme-based normalization):
//   - scheme and host lower-cased;
//   - the port dropped when it is empty or the scheme's default (80, 443);
//   - percent-encodings upper-cased, and decoded when they encode an
//     unreserved character (ALPHA DIGIT - . _ ~);
//   - an empty path becomes "/".
//
// Everything else is compared exactly: dot segments are not removed, and
// the path keeps its case. ok is false for anything but an absolute http or
// https URI, for userinfo, and for a malformed percent-encoding or port.
func normalizeHTU(s string) (string, bool) {
	scheme, rest, found := strings.Cut(s, "://")
	if !found {
		return "", false
	}
	scheme = strings.ToLower(scheme)
	var defaultPort string
	switch scheme {
	case "https":
		defaultPort = "443"
	case "http":
		defaultPort = "80"
	default:
		return "", false
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if strings.IndexByte(authority, '@') >= 0 {
		return "", false
	}
	host, port := authority, ""
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.Contains(authority[i:], "]") {
		host, port = authority[:i], authority[i+1:]
	}
	if !validHost(host) {
		return "", false
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return "", false
		}
	}
	host, ok := normalizePercent(strings.ToLower(host))
	if !ok {
		return "", false
	}
	host = strings.ToLower(host) // a decoded %41 is upper case again
	path, ok = normalizePercent(path)
	if !ok {
		return "", false
	}
	if path == "" {
		path = "/"
	}
	var b strings.Builder
	b.Grow(len(scheme) + 3 + len(host) + 1 + len(port) + len(path))
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" && port != defaultPort {
		b.WriteByte(':')
		b.WriteString(port)
	}
	b.WriteString(path)
	return b.String(), true
}

// normalizePercent upper-cases the hex digits of every percent-encoding in
// s and decodes those of unreserved characters (RFC 3986 §6.2.2.1-2). It
// returns s itself when nothing changes.
func normalizePercent(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		c := hi<<4 | lo
		if unreserved(c) {
			b.WriteByte(c)
		} else {
			const hexUpper = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(hexUpper[hi])
			b.WriteByte(hexUpper[lo])
		}
		i += 2
	}
	return b.String(), true
}

// validHost reports whether host is non-empty and either a bracketed IP
// literal or free of ':', '[' and ']' (RFC 3986 §3.2.2).
func validHost(host string) bool {
	if host == "" {
		return false
	}
	if host[0] == '[' {
		return len(host) > 2 && host[len(host)-1] == ']' && !strings.ContainsAny(host[1:len(host)-1], "[]")
	}
	return !strings.ContainsAny(host, ":[]")
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// requestHTU returns the normalized URI of r that a proof's htu must
// match: the PublicURL origin (or r.TLS's scheme and r.Host) and the
// request's path as sent, without query and fragment. X-Forwarded-* headers
// are never read.
func (s *sender) requestHTU(r *http.Request) (string, bool) {
	path := "/"
	if r.URL != nil {
		if p := r.URL.EscapedPath(); p != "" {
			path = p
		}
	}
	if path[0] != '/' { // "*" (OPTIONS) or an opaque URL
		return "", false
	}
	origin := s.origin
	if origin == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		origin = scheme + "://" + r.Host
	}
	return normalizeHTU(origin + path)
}
