// Package logmask is a log/slog handler that scrubs anything shaped like a
// card number from log records before they are written: a run of 12 to 19
// digits (spaces and dashes allowed between them) that passes the Luhn check
// becomes "[card number redacted]".
//
// It is the second line of defence. The first is that the card types mask
// themselves (card.Number, card.SecurityCode); this handler catches a number
// that reached a log as a plain string anyway (an error text from a library,
// say).
package logmask

import (
	"context"
	"log/slog"
	"strings"
)

// Handler wraps another slog.Handler and scrubs card numbers from the
// message and from every string attribute.
type Handler struct {
	next slog.Handler
}

// New returns a Handler that writes scrubbed records to next.
func New(next slog.Handler) *Handler { return &Handler{next: next} }

// Enabled reports whether the wrapped handler handles level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle scrubs the record and passes it on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Scrub(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(scrubAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs returns a Handler whose attributes are scrubbed too.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	s := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		s[i] = scrubAttr(a)
	}
	return &Handler{next: h.next.WithAttrs(s)}
}

// WithGroup returns a Handler for the group.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}

func scrubAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Scrub(v.String()))
	case slog.KindGroup:
		g := v.Group()
		s := make([]any, len(g))
		for i, ga := range g {
			s[i] = scrubAttr(ga)
		}
		return slog.Group(a.Key, s...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Scrub(err.Error()))
		}
		return a
	}
	return a
}

const redacted = "[card number redacted]"

// Scrub returns s with every Luhn-valid run of 12–19 digits (spaces or
// dashes allowed between digits) replaced by a marker.
func Scrub(s string) string {
	// Fast path: fewer than 12 digits in all means nothing to scrub.
	digits := 0
	for i := 0; i < len(s) && digits < 12; i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	if digits < 12 {
		return s
	}
	var b strings.Builder
	i := 0
	for i < len(s) {
		if s[i] < '0' || s[i] > '9' {
			b.WriteByte(s[i])
			i++
			continue
		}
		// Collect the run starting at i: digits with single separators.
		j, n := i, 0
		var ds []byte
		for j < len(s) {
			c := s[j]
			if c >= '0' && c <= '9' {
				ds = append(ds, c)
				n++
				j++
				continue
			}
			if (c == ' ' || c == '-') && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' && n > 0 {
				j++
				continue
			}
			break
		}
		if hasCardNumber(ds) {
			b.WriteString(redacted)
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// hasCardNumber reports whether any 12–19 digit window of ds passes Luhn.
func hasCardNumber(ds []byte) bool {
	if len(ds) < 12 {
		return false
	}
	for start := 0; start+12 <= len(ds); start++ {
		for l := 12; l <= 19 && start+l <= len(ds); l++ {
			if luhn(ds[start : start+l]) {
				return true
			}
		}
	}
	return false
}

func luhn(d []byte) bool {
	sum, dbl := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if dbl {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		dbl = !dbl
	}
	return sum%10 == 0
}
