module github.com/jwtgate/jwtgate

go 1.26.0

require (
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/jmespath/go-jmespath v0.4.0
	github.com/stretchr/testify v1.12.1
	gopkg.in/ini.v1 v1.67.3
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
