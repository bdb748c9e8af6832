package vault

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// RunRotate is the body of `kessai vault rotate`: it rotates the card-data
// keyset ([Vault.Rotate]) and draws a text progress bar of the
// re-encryption on out. Returns Rotate's error.
func RunRotate(ctx context.Context, v *Vault, out io.Writer) error {
	before := v.PrimaryKeyID()
	fmt.Fprintf(out, "Rotating the card-data keyset (primary key %d).\n", before)
	bar := newProgressBar(out)
	err := v.Rotate(ctx, bar.update)
	bar.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Done: new primary key %d; %d records re-encrypted.\n", v.PrimaryKeyID(), bar.done)
	return nil
}

// RunReencrypt is the body of `kessai vault rotate --resume`: it finishes an
// interrupted rotation ([Vault.Reencrypt]) with a text progress bar on out.
// Returns Reencrypt's error.
func RunReencrypt(ctx context.Context, v *Vault, out io.Writer) error {
	fmt.Fprintf(out, "Re-encrypting card data under primary key %d.\n", v.PrimaryKeyID())
	bar := newProgressBar(out)
	err := v.Reencrypt(ctx, bar.update)
	bar.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Done: %d records re-encrypted.\n", bar.done)
	return nil
}

// progressBar draws "[#####---------------]  25%  250/1000 records" on one
// line, redrawn with a carriage return at most every 100 ms.
type progressBar struct {
	out         io.Writer
	done, total int
	last        time.Time
	drawn       bool
}

const barWidth = 40

func newProgressBar(out io.Writer) *progressBar { return &progressBar{out: out} }

func (b *progressBar) update(done, total int) {
	b.done, b.total = done, total
	if now := time.Now(); !b.drawn || now.Sub(b.last) >= 100*time.Millisecond || done >= total {
		b.last = now
		b.draw()
	}
}

func (b *progressBar) draw() {
	b.drawn = true
	frac := 1.0
	if b.total > 0 {
		frac = float64(b.done) / float64(b.total)
	}
	fill := int(frac * barWidth)
	fmt.Fprintf(b.out, "\r[%s%s] %3.0f%%  %d/%d records", strings.Repeat("#", fill), strings.Repeat("-", barWidth-fill), frac*100, b.done, b.total)
}

// finish draws the final state and ends the line.
func (b *progressBar) finish() {
	b.draw()
	fmt.Fprintln(b.out)
}
