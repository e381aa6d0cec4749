package jws_test

import (
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtgate/jwtgate/internal/jws"
)

// FuzzVerifyDifferential checks jwtgate's direct crypto against go-jose on
// mutated tokens of every algorithm. The contract:
//   - whatever jwtgate accepts, go-jose accepts, with the same payload;
//   - whatever go-jose accepts, jwtgate accepts too, unless jwtgate's
//     stricter parsing refused the token before any crypto (duplicate or
//     unsupported header members, invalid UTF-8, nesting depth). A token
//     that parses in both must get the same signature verdict, so the
//     signature checks (ECDSA length and range, RSA length, PSS, Ed25519,
//     HMAC) never differ.
func FuzzVerifyDifferential(f *testing.F) {
	ss := signers()
	for i, k := range ss {
		tok := k.Sign(map[string]any{"sub": "alice", "exp": 1900000000})
		f.Add(uint8(i), tok)
		f.Add(uint8(i), tok[:len(tok)-2])
		f.Add(uint8(i), tok+"A")
	}
	f.Fuzz(func(t *testing.T, idx uint8, tok string) {
		k := ss[int(idx)%len(ss)]
		alg := k.Alg

		// As jwtauth does: the signature decoded into a stack buffer.
		var sigBuf [512]byte
		p, sig, perr := jws.ParseSig(tok, sigBuf[:])
		ours := perr == nil && p.Alg == alg && jws.Verify(alg, k.Public, p.SigningInput(), sig)

		var theirs bool
		var theirPayload []byte
		if obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)}); err == nil {
			if pl, err := obj.Verify(k.Public); err == nil {
				theirs, theirPayload = true, pl
			}
		}
		switch {
		case ours && !theirs:
			t.Fatalf("jwtgate accepted a token go-jose refuses: %q", tok)
		case ours && p.Payload != string(theirPayload):
			t.Fatalf("payloads differ for %q", tok)
		case theirs && !ours && perr == nil:
			t.Fatalf("signature verdicts differ (go-jose accepts) for %q", tok)
		}
	})
}
