package jws_test

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/jwtgate/jwtgate/internal/jws"
)

func ExampleParse() {
	b64 := base64.RawURLEncoding.EncodeToString
	payload := b64([]byte(`{"sub":"alice"}`))
	for _, tok := range []string{
		b64([]byte(`{"alg":"none"}`)) + "." + payload + ".",  // unsecured
		b64([]byte(`{"alg":"HS256"}`)) + "." + payload + ".", // signature cut off
		b64([]byte(`{"alg":"HS256","crit":["x"]}`)) + "." + payload + ".AA",
	} {
		_, err := jws.Parse(tok)
		var e *jws.Error
		if errors.As(err, &e) {
			switch e.Reason {
			case jws.Unsecured:
				fmt.Println("unsecured:", e.Detail)
			case jws.BadSignature:
				fmt.Println("bad signature:", e.Detail)
			case jws.Unsupported:
				fmt.Println("unsupported member", e.Member)
			}
		}
	}
	// Output:
	// unsecured: signature: empty, and alg is absent or not a signature algorithm
	// bad signature: signature: empty segment
	// unsupported member crit
}
