package iso8583msg

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/moov-io/iso8583"
	"github.com/moov-io/iso8583/field"
	moovsort "github.com/moov-io/iso8583/sort"
)

// maskers lists the field paths that hold card data, with how each is
// shown: DE2 keeps its last four digits, the others are hidden.
var maskers = map[string]func(string) string{
	"2":             maskPAN,
	"14":            func(string) string { return "****" },
	"48." + TagCVV2: func(string) string { return mask },
	"48." + TagCAVV: func(string) string { return mask },
}

// Filters returns moov field filters that mask what [Log] masks, for use
// with iso8583.Describe. They mask by field id at every level: DE2, DE14,
// and the subfields 01 (CVV2) and 03 (CAVV).
func Filters() []iso8583.FieldFilter {
	hide := func(string, field.Field) string { return mask }
	return []iso8583.FieldFilter{
		iso8583.FilterField("2", func(in string, _ field.Field) string { return maskPAN(in) }),
		iso8583.FilterField("14", func(string, field.Field) string { return "****" }),
		iso8583.FilterField(TagCVV2, hide),
		iso8583.FilterField(TagCAVV, hide),
	}
}

// Describe writes a multi-line description of m (moov's Describe) with card
// data masked by [Filters].
func Describe(w io.Writer, m *iso8583.Message) error {
	return iso8583.Describe(m, w, Filters()...)
}

// Log returns a value for log/slog that renders m on one line with card
// data masked, such as
//
//	0100 2=****4242 3=000000 4=1000 11=000123 41=KESSAI01 48.01=*** 49=392
func Log(m *iso8583.Message) slog.LogValuer { return logged{m} }

type logged struct{ m *iso8583.Message }

func (l logged) LogValue() slog.Value { return slog.StringValue(Summary(l.m)) }

// Summary returns the one-line masked rendering of m that [Log] logs.
func Summary(m *iso8583.Message) string {
	if m == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString(MTI(m))
	fields := m.GetFields()
	ids := make([]int, 0, len(fields))
	for id := range fields {
		if id > 1 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		writeField(&b, strconv.Itoa(id), fields[id])
	}
	return b.String()
}

type container interface {
	GetSubfields() map[string]field.Field
}

func writeField(b *strings.Builder, path string, f field.Field) {
	if c, ok := f.(container); ok {
		subs := c.GetSubfields()
		tags := make([]string, 0, len(subs))
		for t := range subs {
			tags = append(tags, t)
		}
		sortTags(tags)
		for _, t := range tags {
			writeField(b, path+"."+t, subs[t])
		}
		return
	}
	s, err := f.String()
	if err != nil {
		s = "?"
	}
	if mk, ok := maskers[path]; ok {
		s = mk(s)
	}
	b.WriteByte(' ')
	b.WriteString(path)
	b.WriteByte('=')
	b.WriteString(s)
}

// sortTags sorts numeric tags by value and falls back to string order.
func sortTags(tags []string) {
	for _, t := range tags {
		if _, err := strconv.Atoi(t); err != nil {
			slices.Sort(tags)
			return
		}
	}
	moovsort.StringsByInt(tags)
}

// summarize renders a message struct as [Summary] does, for the Format and
// LogValue methods of the message types.
func summarize(v any) string {
	raw, err := Pack(v)
	if err != nil {
		return fmt.Sprintf("%T(unpackable)", v)
	}
	m, err := Unpack(raw)
	if err != nil {
		return fmt.Sprintf("%T(unpackable)", v)
	}
	return Summary(m)
}

// Format writes the masked one-line summary for every verb.
func (r CardRequest) Format(f fmt.State, _ rune) { io.WriteString(f, summarize(&r)) }

// LogValue returns the masked one-line summary.
func (r CardRequest) LogValue() slog.Value { return slog.StringValue(summarize(&r)) }

// Format writes the masked one-line summary for every verb.
func (r CardResponse) Format(f fmt.State, _ rune) { io.WriteString(f, summarize(&r)) }

// LogValue returns the masked one-line summary.
func (r CardResponse) LogValue() slog.Value { return slog.StringValue(summarize(&r)) }

// Format writes the masked one-line summary for every verb.
func (a CaptureAdvice) Format(f fmt.State, _ rune) { io.WriteString(f, summarize(&a)) }

// LogValue returns the masked one-line summary.
func (a CaptureAdvice) LogValue() slog.Value { return slog.StringValue(summarize(&a)) }

// Format writes the masked one-line summary for every verb.
func (r ReversalRequest) Format(f fmt.State, _ rune) { io.WriteString(f, summarize(&r)) }

// LogValue returns the masked one-line summary.
func (r ReversalRequest) LogValue() slog.Value { return slog.StringValue(summarize(&r)) }

// Format writes DE48 with the CVV2 and the CAVV masked, for every verb.
func (a Additional) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "{CVV2:%s ECI:%s CAVV:%s ThreeDSVersion:%s DSTransactionID:%s StoredCredential:%s Reference:%s CVV2Result:%s}",
		a.CVV2.String(), a.ECI, a.CAVV.String(), a.ThreeDSVersion, a.DSTransactionID, a.StoredCredential, a.Reference, a.CVV2Result)
}
