package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/kessai/kessai"
)

// dispatch serves a request whose path matched e: CORS, method, and then
// the route.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, e *endpoint) {
	st := stateOf(r)
	st.route = e.pattern
	h := w.Header()
	if e.cors {
		h["Access-Control-Allow-Origin"] = hdrAnyOrig
		h["Access-Control-Expose-Headers"] = hdrExpose
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	rt := e.routes[method]
	if rt == nil {
		if r.Method == http.MethodOptions && e.cors {
			h["Access-Control-Allow-Methods"] = []string{e.allow}
			h["Access-Control-Allow-Headers"] = hdrAllowHdr
			h["Access-Control-Max-Age"] = hdrMaxAge
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h["Allow"] = []string{e.allow}
		s.writeErrorObject(w, http.StatusMethodNotAllowed, kessai.EMethodNotAllowed, "method not allowed: this path accepts "+e.allow)
		return
	}
	if err := s.serve(w, r, rt, st); err != nil {
		s.respondError(w, r, err)
	}
}

// respondError writes err as an error object, or only logs it when the
// handler already started its response.
func (s *Server) respondError(w http.ResponseWriter, r *http.Request, err error) {
	if rw, ok := w.(*responseWriter); ok && rw.wrote() {
		s.log.LogAttrs(r.Context(), slog.LevelError, "handler failed after writing its response",
			slog.String("request_id", RequestIDOf(r)),
			slog.String("route", routeOf(r)),
			slog.String("error", err.Error()))
		return
	}
	s.writeError(w, r, err)
}

// serve runs the conventions of an API route (body size, authentication,
// version, parameters, idempotency) and then its handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *Route, st *state) error {
	if rt.Anonymous {
		return rt.Handler(w, r)
	}
	if r.ContentLength > s.limits.MaxBodyBytes {
		return tooLarge(s.limits.MaxBodyBytes)
	}
	if err := s.checkAuthLimit(w, r, st); err != nil {
		return err
	}
	auth, err := s.authenticate(r, rt, st)
	if err != nil {
		if kessai.ErrorCode(err) == kessai.EAuthenticationFailure {
			s.noteAuthFailure(r, st)
		}
		return err
	}
	st.auth = auth
	if v := r.Header["Omise-Version"]; len(v) > 0 && v[0] != APIVersion && v[0] != "" {
		return kessai.Errorf(kessai.EBadRequest, "Omise-Version is not supported: this server speaks %s", APIVersion)
	}
	if st.params, err = s.readParams(r); err != nil {
		return err
	}
	if s.idem != nil && (r.Method == http.MethodPost || r.Method == http.MethodPatch) {
		if key := r.Header.Get("Idempotency-Key"); key != "" {
			return s.idempotent(w, r, rt, st, key)
		}
	}
	return rt.Handler(w, r)
}

func tooLarge(max int64) error {
	return kessai.Errorf(kessai.ETooLarge, "request body is larger than %d bytes", max)
}

var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readParams reads the body (up to the limit) and decodes the parameters
// of the query string and the body.
func (s *Server) readParams(r *http.Request) (*Params, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return DecodeParams("", r.URL.RawQuery, nil)
	}
	buf := bodyBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 2*int(s.limits.MaxBodyBytes) {
			bodyBufs.Put(buf)
		}
	}()
	max := s.limits.MaxBodyBytes
	if n, err := buf.ReadFrom(io.LimitReader(r.Body, max+1)); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge(max)
		}
		return nil, kessai.WrapError(err, kessai.EBadRequest, "the request body could not be read")
	} else if n > max {
		return nil, tooLarge(max)
	}
	return DecodeParams(r.Header.Get("Content-Type"), r.URL.RawQuery, buf.Bytes())
}

// logPanic logs a handler's panic with its stack. The panic's value is
// logged only when the runtime made it (index out of range, nil map, …);
// any other value might hold request data, so only its type is logged.
func (s *Server) logPanic(r *http.Request, st *state, v any) {
	desc := fmt.Sprintf("%T", v)
	if re, ok := v.(runtime.Error); ok {
		desc = re.Error()
	}
	s.log.LogAttrs(r.Context(), slog.LevelError, "handler panicked",
		slog.String("request_id", st.id),
		slog.String("route", routeOf(r)),
		slog.String("panic", desc),
		slog.String("stack", string(debug.Stack())))
}
