package runtime

// Entities exposes the entity list a build reads to the external tests.
func (p Plugins) Entities() []string { return p.entities() }
