package iso8583msg

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/moov-io/iso8583/network"
)

// MaxFrame is the largest message the network carries, in bytes. Our
// messages are a few hundred bytes; the bound keeps a corrupt length header
// from allocating much.
const MaxFrame = 8192

// ErrFrameTooLarge is returned for a length header above [MaxFrame] or
// an empty frame.
var ErrFrameTooLarge = errors.New("iso8583: frame length out of range")

// ReadFrame reads one message: a 2-byte big-endian length header, then that
// many bytes. It returns io.EOF when r ends before a header, and
// [ErrFrameTooLarge] for a length of 0 or above [MaxFrame].
func ReadFrame(r io.Reader) ([]byte, error) {
	h := network.NewBinary2BytesHeader()
	if _, err := h.ReadFrom(r); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("read frame header: %w", err)
	}
	n := h.Length()
	if n == 0 || n > MaxFrame {
		return nil, ErrFrameTooLarge
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("read frame: %w", err)
	}
	return buf, nil
}

// WriteFrame writes msg with its length header in one Write call, so that
// concurrent writers serialised by a lock never interleave partial frames.
// Fails with [ErrFrameTooLarge] for an empty message or one above [MaxFrame].
func WriteFrame(w io.Writer, msg []byte) error {
	if len(msg) == 0 || len(msg) > MaxFrame {
		return ErrFrameTooLarge
	}
	var b bytes.Buffer
	b.Grow(2 + len(msg))
	h := network.NewBinary2BytesHeader()
	if err := h.SetLength(len(msg)); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	if _, err := h.WriteTo(&b); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	b.Write(msg)
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	return nil
}
