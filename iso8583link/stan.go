package iso8583link

import (
	"context"
	"fmt"
)

// stanBlock is a run of trace numbers reserved in the store.
type stanBlock struct{ next, end int }

// nextSTAN returns the next trace number of a terminal as 6 digits,
// reserving a new block in the store when the current one is used up.
// Blocks make the numbers unique across gateway nodes sharing a store.
func (l *Link) nextSTAN(ctx context.Context, terminalID string) (string, error) {
	l.stanMu.Lock()
	defer l.stanMu.Unlock()
	b := l.stans[terminalID]
	if b == nil || b.next > b.end {
		first, err := l.store.ReserveSTANs(ctx, terminalID, l.cfg.STANBlock)
		if err != nil {
			return "", fmt.Errorf("iso8583link: reserve trace numbers: %w", err)
		}
		b = &stanBlock{next: first, end: first + l.cfg.STANBlock - 1}
		l.stans[terminalID] = b
	}
	s := b.next
	b.next++
	return fmt.Sprintf("%06d", s), nil
}
