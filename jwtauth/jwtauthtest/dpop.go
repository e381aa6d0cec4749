package jwtauthtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// DPoPKey is a client's DPoP proof key (ES256 on P-256), for tests of
// services that take DPoP-bound tokens (RFC 9449): it binds claims to
// itself (cnf.jkt) and signs proofs. Create it with NewDPoPKey; it is safe
// for concurrent use once its fields are set.
type DPoPKey struct {
	// Now is the clock for a proof's iat. nil: time.Now.
	Now func() time.Time
	// Nonce, when not empty, goes into every proof as the nonce claim
	// (the DPoP-Nonce a server answered with, RFC 9449 §9). Default "".
	Nonce string

	key    *ecdsa.PrivateKey
	signer jose.Signer
	jkt    string
}

// NewDPoPKey returns a fresh proof key; t.Fatal on error.
func NewDPoPKey(t testing.TB) *DPoPKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("jwtauthtest: %v", err)
	}
	jwk := jose.JSONWebKey{Key: &key.PublicKey}
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, opts)
	if err != nil {
		t.Fatalf("jwtauthtest: %v", err)
	}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatalf("jwtauthtest: %v", err)
	}
	return &DPoPKey{key: key, signer: signer, jkt: base64.RawURLEncoding.EncodeToString(tp)}
}

// Thumbprint returns the key's RFC 7638 SHA-256 thumbprint, the cnf.jkt
// of tokens bound to it.
func (k *DPoPKey) Thumbprint() string { return k.jkt }

// Bind returns a copy of claims with cnf.jkt set to the key's thumbprint
// (other cnf members kept), ready for Issuer.Sign.
func (k *DPoPKey) Bind(claims map[string]any) map[string]any {
	return withCnf(claims, "jkt", k.jkt)
}

// Proof returns a proof for r (its method, and its absolute URL without
// query and fragment as htu) and accessToken (ath; left out when
// accessToken is ""), with a fresh jti, iat from Now and Nonce when set.
// It panics if r.URL is not absolute.
func (k *DPoPKey) Proof(r *http.Request, accessToken string) string {
	if r.URL == nil || r.URL.Scheme == "" || r.URL.Host == "" {
		panic("jwtauthtest: Proof needs a request with an absolute URL")
	}
	u := *r.URL
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	now := time.Now
	if k.Now != nil {
		now = k.Now
	}
	var jti [16]byte // 128 random bits (RFC 9449 §4.2 asks for at least 96)
	_, _ = rand.Read(jti[:])
	c := map[string]any{
		"jti": base64.RawURLEncoding.EncodeToString(jti[:]),
		"htm": r.Method,
		"htu": u.String(),
		"iat": now().Unix(),
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		c["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if k.Nonce != "" {
		c["nonce"] = k.Nonce
	}
	return k.ProofWith(c)
}

// ProofWith signs exactly claims as a proof (typ dpop+jwt, alg ES256, the
// public jwk in the header), for tests of broken proofs. It panics if
// claims cannot be encoded as JSON.
func (k *DPoPKey) ProofWith(claims map[string]any) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic("jwtauthtest: " + err.Error())
	}
	obj, err := k.signer.Sign(payload)
	if err != nil {
		panic("jwtauthtest: " + err.Error())
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		panic("jwtauthtest: " + err.Error())
	}
	return s
}

// Authorize sets r's Authorization to "DPoP <accessToken>" and its DPoP
// header to a fresh Proof for r.
func (k *DPoPKey) Authorize(r *http.Request, accessToken string) {
	r.Header.Set("Authorization", "DPoP "+accessToken)
	r.Header.Set("DPoP", k.Proof(r, accessToken))
}

// ClientCert is a self-signed TLS client certificate (P-256), for tests of
// certificate-bound tokens (RFC 8705 §3). Create it with NewClientCert.
type ClientCert struct {
	// TLS is the certificate and key, for tls.Config.Certificates.
	TLS tls.Certificate
	// Leaf is the parsed certificate, as a server sees it in
	// r.TLS.PeerCertificates[0].
	Leaf *x509.Certificate
}

// NewClientCert returns a fresh self-signed client certificate for cn,
// valid for a day from now; t.Fatal on error.
func NewClientCert(t testing.TB, cn string) *ClientCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("jwtauthtest: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(24 * time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	tmpl.Subject.CommonName = cn
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("jwtauthtest: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("jwtauthtest: %v", err)
	}
	return &ClientCert{TLS: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, Leaf: leaf}
}

// Thumbprint returns base64url(SHA-256(DER)), the cnf["x5t#S256"] of
// tokens bound to the certificate.
func (c *ClientCert) Thumbprint() string {
	sum := sha256.Sum256(c.Leaf.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Bind returns a copy of claims with cnf["x5t#S256"] set to the
// certificate's thumbprint (other cnf members kept).
func (c *ClientCert) Bind(claims map[string]any) map[string]any {
	return withCnf(claims, "x5t#S256", c.Thumbprint())
}

// EscapedPEM returns the certificate as nginx's $ssl_client_escaped_cert
// writes it (PEM, every byte but ALPHA DIGIT - . _ ~ percent-encoded), the
// value a proxy puts in Config.ClientCertHeader.
func (c *ClientCert) EscapedPEM() string {
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Leaf.Raw})
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for _, x := range p {
		if x >= 'a' && x <= 'z' || x >= 'A' && x <= 'Z' || x >= '0' && x <= '9' || x == '-' || x == '.' || x == '_' || x == '~' {
			b.WriteByte(x)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[x>>4])
		b.WriteByte(hex[x&15])
	}
	return b.String()
}

// withCnf returns a copy of claims whose cnf object has name set to value.
func withCnf(claims map[string]any, name, value string) map[string]any {
	out := maps.Clone(claims)
	if out == nil {
		out = map[string]any{}
	}
	cnf := map[string]any{}
	if old, ok := out["cnf"].(map[string]any); ok {
		cnf = maps.Clone(old)
	}
	cnf[name] = value
	out["cnf"] = cnf
	return out
}
