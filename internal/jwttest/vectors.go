package jwttest

import (
	"embed"
	"encoding/json"
	"sort"
)

// The published RFC 7515, 7520 and 8037 JWS examples (public key, token,
// decoded header and payload), one JSON file each.
//
//go:embed vectors/*.json
var vectorFS embed.FS

// Vector is one published JWS example.
type Vector struct {
	File          string          `json:"-"`
	Source        string          `json:"source"`
	Alg           string          `json:"alg"`
	Key           json.RawMessage `json:"key"` // public JWK (oct keys whole)
	Token         string          `json:"token"`
	Header        string          `json:"header"`
	Payload       string          `json:"payload"`
	Expect        string          `json:"expect"`
	JWTAuthVerify json.RawMessage `json:"jwtauth_verify"`
}

// Vectors returns every published vector, sorted by file name.
func Vectors() []Vector {
	ents, err := vectorFS.ReadDir("vectors")
	if err != nil {
		panic(err)
	}
	var out []Vector
	for _, e := range ents {
		b, err := vectorFS.ReadFile("vectors/" + e.Name())
		if err != nil {
			panic(err)
		}
		var v Vector
		if err := json.Unmarshal(b, &v); err != nil {
			panic(e.Name() + ": " + err.Error())
		}
		v.File = e.Name()
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// JWKS returns {"keys":[v.Key]}.
func (v Vector) JWKS() []byte { return JWKSOf(v.Key) }
