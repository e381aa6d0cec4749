package jwtauth

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jwtgate/jwtgate/internal/grafanaini"
)

// iniSnake turns a Config field name into its ini key: JWKSetURL -> jwk_set_url.
func iniSnake(field string) string {
	var b strings.Builder
	r := []rune(field)
	for i, c := range r {
		upper := c >= 'A' && c <= 'Z'
		if upper && i > 0 {
			prevLower := r[i-1] >= 'a' && r[i-1] <= 'z'
			nextLower := i+1 < len(r) && r[i+1] >= 'a' && r[i+1] <= 'z'
			if prevLower || nextLower {
				b.WriteByte('_')
			}
		}
		b.WriteString(strings.ToLower(string(c)))
	}
	return b.String()
}

// Every Config field with a text form has an ini key named after it, so a
// new field cannot be forgotten here.
func TestINIKeysCoverConfig(t *testing.T) {
	noText := []string{"Keys", "HTTPClient", "Now", "ErrorHandler", "Logger", "TokenExtractor", "OnVerify"}
	renamed := map[string]string{"DPoP": "dpop", "DPoPProofMaxAge": "dpop_proof_max_age", "DPoPAlgorithms": "dpop_algorithms",
		"DPoPNonceKey": "dpop_nonce_key", "JWKSetURL": "jwk_set_url", "JWKSetFile": "jwk_set_file", "JWKSetValue": "jwk_set_value",
		"JWKSetBearerTokenFile": "jwk_set_bearer_token_file", "TLSClientCA": "tls_client_ca", "OIDCIssuerURL": "oidc_issuer_url",
		"URLLogin": "url_login", "KeyID": "key_id", "CacheTTL": "cache_ttl"}
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		f := ct.Field(i).Name
		if slices.Contains(noText, f) || !ct.Field(i).IsExported() {
			continue
		}
		key, ok := renamed[f]
		if !ok {
			key = iniSnake(f)
		}
		if !slices.Contains(grafanaini.KeyNames(), key) {
			t.Errorf("Config.%s has no ini key %q", f, key)
		}
	}
}

// The key table of the package documentation lists every key.
func TestINIKeysDocumented(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range grafanaini.KeyNames() {
		row := regexp.MustCompile(`(?m)^//\t([a-z_]+( †)?, )*` + k + `( †)?( |,|$)`)
		if !row.Match(src) {
			t.Errorf("key %s missing from the key table in doc.go", k)
		}
	}
}

// configFromINI copies every Settings field into the Config field of the
// same name and type, so a field added to both cannot be dropped on the way.
func TestConfigFromINICopiesEveryField(t *testing.T) {
	var s grafanaini.Settings
	sv := reflect.ValueOf(&s).Elem()
	for i := range sv.NumField() {
		f := sv.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x" + sv.Type().Field(i).Name)
			if sv.Type().Field(i).Name == "DPoP" {
				f.SetString(grafanaini.DPoPRequired) // checked below
			}
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(i + 1))
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		case reflect.Map:
			f.Set(reflect.MakeMap(f.Type()))
		default:
			t.Fatalf("Settings.%s: kind %s not covered by this test", sv.Type().Field(i).Name, f.Kind())
		}
	}
	c := configFromINI(s)
	cv := reflect.ValueOf(c)
	for i := range sv.NumField() {
		name := sv.Type().Field(i).Name
		cf := cv.FieldByName(name)
		if !cf.IsValid() {
			t.Errorf("Settings.%s has no Config field", name)
			continue
		}
		if name == "DPoP" {
			continue
		}
		if !reflect.DeepEqual(cf.Interface(), sv.Field(i).Interface()) {
			t.Errorf("Config.%s = %v, want %v", name, cf.Interface(), sv.Field(i).Interface())
		}
	}
}

func TestDPoPModeFromINI(t *testing.T) {
	for in, want := range map[string]DPoPMode{"": DPoPOff, grafanaini.DPoPOff: DPoPOff, grafanaini.DPoPAllowed: DPoPAllowed, grafanaini.DPoPRequired: DPoPRequired} {
		if got := dpopModeFromINI(in); got != want {
			t.Errorf("dpopModeFromINI(%q) = %v, want %v", in, got, want)
		}
	}
}
