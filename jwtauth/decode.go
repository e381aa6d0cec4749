package jwtauth

import (
	"encoding/json"
	"errors"
	"fmt"
)

// DecodeClaims decodes the verified claims into dst, a pointer to a struct
// or a map, as encoding/json's Unmarshal would decode the token's payload:
// struct fields by their json tags, numbers into int64, float64 or
// json.Number fields, unknown claims ignored. It decodes the verified
// payload bytes themselves, so there is no JSON round trip through Claims.
//
// A claim whose type does not fit its field (a string claim into an int64,
// say) or a dst that is not a non-nil pointer is an error (wrapping
// encoding/json's, which names the field and the types, never the value).
// DecodeClaims never modifies Claims, and dst shares no memory with it. For
// an Identity not built by a Verifier (a literal, in tests) it encodes
// Claims to JSON first. DecodeClaims on a nil Identity is an error.
func (id *Identity) DecodeClaims(dst any) error {
	if id == nil {
		return errors.New("jwtauth: DecodeClaims on a nil Identity")
	}
	data := []byte(id.payload) // a copy: Unmarshal's strings never share the payload
	if id.payload == "" {
		var err error
		if data, err = json.Marshal(id.Claims); err != nil {
			return fmt.Errorf("jwtauth: encoding claims: %w", err)
		}
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return fmt.Errorf("jwtauth: decoding claims: %w", err)
	}
	return nil
}
