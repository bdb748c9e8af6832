package iso8583msg_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/iso8583msg"
)

func TestFrame(t *testing.T) {
	var buf bytes.Buffer
	msgs := [][]byte{[]byte("0800abc"), bytes.Repeat([]byte("x"), iso8583msg.MaxFrame)}
	for _, m := range msgs {
		if err := iso8583msg.WriteFrame(&buf, m); err != nil {
			t.Fatal(err)
		}
	}
	if got := buf.Bytes()[:2]; !bytes.Equal(got, []byte{0, 7}) {
		t.Errorf("header = %x, want 0007", got)
	}
	for _, want := range msgs {
		got, err := iso8583msg.ReadFrame(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("frame = %q, want %q", got, want)
		}
	}
	if _, err := iso8583msg.ReadFrame(&buf); err != io.EOF {
		t.Errorf("at end: %v, want io.EOF", err)
	}
	if err := iso8583msg.WriteFrame(&buf, make([]byte, iso8583msg.MaxFrame+1)); !errors.Is(err, iso8583msg.ErrFrameTooLarge) {
		t.Errorf("oversized write: %v", err)
	}
	if _, err := iso8583msg.ReadFrame(bytes.NewReader([]byte{0xff, 0xff, 1})); !errors.Is(err, iso8583msg.ErrFrameTooLarge) {
		t.Errorf("oversized read: %v", err)
	}
	if _, err := iso8583msg.ReadFrame(bytes.NewReader([]byte{0, 9, '0'})); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("truncated frame: %v, want an error other than EOF", err)
	}
}

func TestTimes(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC)
	// A DE7 from just before new year belongs to the year before.
	got, err := iso8583msg.ParseTransmissionTime("1231235959", now)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC); !got.Equal(want) {
		t.Errorf("ParseTransmissionTime = %v, want %v", got, want)
	}
	if s := iso8583msg.TransmissionTime(got); s != "1231235959" {
		t.Errorf("TransmissionTime = %q", s)
	}
	if _, err := iso8583msg.ParseTransmissionTime("1332000000", now); err == nil {
		t.Error("month 13 parsed")
	}
	if s := iso8583msg.Expiry(3, 2031); s != "3103" {
		t.Errorf("Expiry = %q", s)
	}
	m, y, err := iso8583msg.ParseExpiry("3103")
	if diff := cmp.Diff([]any{3, 2031, nil}, []any{m, y, err}); diff != "" {
		t.Errorf("ParseExpiry: %s", diff)
	}
	if s := iso8583msg.RRN(time.Date(2026, 2, 1, 7, 0, 0, 0, time.UTC), "42"); s != "603207000042" {
		t.Errorf("RRN = %q", s)
	}
}
