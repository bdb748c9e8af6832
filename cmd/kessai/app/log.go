package app

import (
	"io"
	"log/slog"

	"github.com/kessai/kessai/logmask"
)

// NewLogger returns the platform's logger: JSON or readable text, always
// behind the card-number scrubber.
func NewLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(logmask.New(h))
}
