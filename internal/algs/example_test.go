package algs_test

import (
	"fmt"

	"github.com/jwtgate/jwtgate/internal/algs"
)

// An allow-list as a bitmask, the way jwtauth keeps Config.Algorithms.
func Example() {
	var allowed uint32
	for _, a := range []string{"RS256", "EdDSA"} {
		allowed |= 1 << algs.Index(a)
	}
	for _, alg := range []string{"EdDSA", "RS256", "HS256", "none"} {
		i := algs.Index(alg)
		fmt.Println(alg, i >= 0 && allowed&(1<<i) != 0)
	}
	// Output:
	// EdDSA true
	// RS256 true
	// HS256 false
	// none false
}
