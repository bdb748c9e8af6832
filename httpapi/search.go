package httpapi

import (
	"net/http"

	"github.com/kessai/kessai"
)

func (s *Server) addSearch(svc kessai.SearchService) {
	s.Handle(http.MethodGet, "/search", func(w http.ResponseWriter, r *http.Request) error {
		p := ParamsOf(r)
		sp := &kessai.SearchParams{}
		if p.Has("page") {
			sp.Page = int(p.Int64("page"))
		}
		if p.Has("per_page") {
			sp.PerPage = int(p.Int64("per_page"))
		}
		if err := p.Err(); err != nil {
			return recode(err, kessai.EInvalidPage)
		}
		sp.Scope, sp.Query, sp.Order = p.String("scope"), p.String("query"), kessai.Order(p.String("order"))
		filters := p.Map("filters")
		if err := p.Err(); err != nil {
			return err
		}
		if len(filters) > 0 {
			sp.Filters = make(map[string]string, len(filters))
			for k, v := range filters {
				text, ok := scalarText(v)
				if !ok {
					return kessai.Errorf(kessai.EInvalidFilter, "filters must be strings, numbers or booleans")
				}
				sp.Filters[k] = text
			}
		}
		res, err := svc.Search(r.Context(), AuthOf(r), sp)
		if err != nil {
			return err
		}
		return WriteJSON(w, res)
	})
}
