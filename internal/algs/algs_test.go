package algs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/jwtgate/jwtgate/internal/algs"
)

func TestIndexName(t *testing.T) {
	names := algs.Names()
	assert.Len(t, names, algs.Count)
	assert.LessOrEqual(t, algs.Count, 32, "the allow-list is a uint32 bitmask")
	for i, n := range names {
		assert.Equal(t, i, algs.Index(n))
		assert.Equal(t, n, algs.Name(i))
	}
	for _, bad := range []string{"none", "None", "", "rs256", "HS256 ", "ES256K"} {
		assert.Equal(t, -1, algs.Index(bad), bad)
	}
	names[0] = "changed"
	assert.Equal(t, "EdDSA", algs.Name(0), "Names returns a copy")
}
