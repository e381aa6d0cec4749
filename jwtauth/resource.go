package jwtauth

// ResourceMetadata is the part of an RFC 9728 protected-resource metadata
// document that the caller supplies; see
// [Verifier.ResourceMetadataHandler].
type ResourceMetadata struct {
	Resource             string   // required: this resource's identifier, an https URL
	AuthorizationServers []string // nil: the issuers the Verifier pins (ExpectClaims "iss", OIDCIssuerURL)
	ScopesSupported      []string // optional
}
