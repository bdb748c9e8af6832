package bench

import (
	"fmt"
	"time"
)

// progress writes a line every interval until stop is closed: the time
// since the start, requests done, the rate over the last interval and the
// errors so far.
func (r *runner) progress(stop <-chan struct{}) {
	tick := time.NewTicker(r.cfg.ProgressInterval)
	defer tick.Stop()
	var lastDone int64
	last := r.start
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			ok, failed := r.ok.Load(), r.failed.Load()
			done := ok + failed
			rate := float64(done-lastDone) / now.Sub(last).Seconds()
			fmt.Fprintln(r.cfg.Progress, progressLine(now.Sub(r.start), done, rate, failed, r.missed.Load()))
			lastDone, last = done, now
		}
	}
}

// progressLine formats one progress line.
func progressLine(elapsed time.Duration, done int64, rate float64, failed, missed int64) string {
	s := fmt.Sprintf("%6.1fs  %10d requests  %9.1f/s  %d errors", elapsed.Seconds(), done, rate, failed)
	if missed > 0 {
		s += fmt.Sprintf("  %d missed", missed)
	}
	return s
}
