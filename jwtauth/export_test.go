package jwtauth

// WithoutSource returns c without its link to the ini it was loaded from,
// so tests can compare it with a Config written in Go.
func WithoutSource(c Config) Config {
	c.ini = nil
	return c
}

// WithoutSources is WithoutSource for each Config.
func WithoutSources(cs []Config) []Config {
	out := make([]Config, len(cs))
	for i, c := range cs {
		out[i] = WithoutSource(c)
	}
	return out
}
