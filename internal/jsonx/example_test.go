package jsonx_test

import (
	"errors"
	"fmt"

	"github.com/jwtgate/jwtgate/internal/jsonx"
)

func ExampleParseObject() {
	claims, err := jsonx.ParseObject(`{"sub":"alice","exp":1900000000,"aud":["a","b"]}`)
	fmt.Println(claims["sub"], claims["exp"], claims["aud"], err)

	// Two readings of one token are refused, not resolved.
	_, err = jsonx.ParseObject(`{"sub":"alice","sub":"admin"}`)
	fmt.Println(errors.Is(err, jsonx.ErrSyntax), err)
	// Output:
	// alice 1.9e+09 [a b] <nil>
	// true jsonx: duplicate member name at offset 28
}
