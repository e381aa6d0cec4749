package jwtauth

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Without ResourceMetadataURL no challenge is built, so SetErrorHeaders
// sends today's exact headers.
func TestBuildChallenge(t *testing.T) {
	assert.Nil(t, buildChallenge(Config{}, nil))
	assert.Equal(t, &challenge{resourceMetadata: "https://a.example/md", bearer: true},
		buildChallenge(Config{ResourceMetadataURL: "https://a.example/md"}, nil))
}
