package httpapi

import (
	"cmp"
	"slices"
)

// Routes returns the registered routes, sorted by pattern and method,
// without their handlers: for tests and tools that must cover every
// endpoint (the hostile-input and cross-tenant suites).
func (s *Server) Routes() []Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Route
	for _, e := range s.endpoints {
		for _, rt := range e.routes {
			r := *rt
			r.Handler = nil
			r.Keys = slices.Clone(rt.Keys)
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Route) int {
		return cmp.Or(cmp.Compare(a.Pattern, b.Pattern), cmp.Compare(a.Method, b.Method))
	})
	return out
}
