package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kessai/kessai"
)

// Listener streams a merchant's events from a running Kessai (long polls
// of the order feed, GET /events?after=…) and forwards each, signed like a
// webhook, to a local URL: the way a developer tests webhooks on a laptop.
// Events redelivered on demand (POST /events/:id/deliveries) are forwarded
// again.
type Listener struct {
	// APIURL is the Kessai API's base URL; SecretKey a secret key of the
	// account (its mode chooses test or live events).
	APIURL, SecretKey string
	// ForwardTo is the local URL that gets the events.
	ForwardTo string
	// Client talks to the API (nil: a default client).
	Client *http.Client
	// Out gets one line per forwarded event.
	Out io.Writer
	// Poll is how often redeliveries are looked for. Default 1 s.
	Poll time.Duration
}

// Run forwards events until ctx ends. It starts with the events that
// happen after it starts.
func (l *Listener) Run(ctx context.Context) error {
	if l.Client == nil {
		l.Client = &http.Client{Timeout: 60 * time.Second}
	}
	if l.Poll <= 0 {
		l.Poll = time.Second
	}
	var sec struct {
		Signing []string `json:"signing"`
	}
	if err := l.get(ctx, "/account/webhook_secret", &sec); err != nil {
		return fmt.Errorf("signing secret: %w", err)
	}
	var newest struct {
		Data []kessai.Event `json:"data"`
	}
	if err := l.get(ctx, "/events?order=reverse_chronological&limit=1", &newest); err != nil {
		return fmt.Errorf("newest event: %w", err)
	}
	after := ""
	if len(newest.Data) > 0 {
		after = newest.Data[0].ID
	}
	since := time.Now()
	fwd := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	forward := func(e kessai.Event, note string) {
		e.WebhookDeliveries = nil
		body, _ := json.Marshal(e)
		start := time.Now()
		a := Post(ctx, fwd, l.ForwardTo, body, sec.Signing, time.Now())
		result := strconv.Itoa(a.Status) + " " + http.StatusText(a.Status)
		if a.Status == 0 {
			result = "error: " + a.Error
		}
		fmt.Fprintf(l.Out, "%s  %-22s %s%s  → %s (%d ms)\n", time.Now().UTC().Format("15:04:05"), e.Key, e.ID, note, result, time.Since(start).Milliseconds())
	}
	fmt.Fprintf(l.Out, "Ready: forwarding events to %s (Ctrl-C to stop)\n", l.ForwardTo)

	resends := make(chan kessai.Event, 16)
	go func() {
		seen := map[string]bool{}
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(l.Poll):
			}
			var page struct {
				Data []struct {
					ID          string       `json:"id"`
					RequestedAt int64        `json:"requested_at"`
					Event       kessai.Event `json:"event"`
				} `json:"data"`
			}
			if err := l.get(ctx, "/events/resends?since="+strconv.FormatInt(since.UnixMicro(), 10), &page); err != nil {
				continue
			}
			for _, r := range page.Data {
				if seen[r.ID] {
					continue
				}
				seen[r.ID] = true
				since = time.UnixMicro(r.RequestedAt)
				select {
				case resends <- r.Event:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	feed := make(chan []kessai.Event)
	go func() {
		for ctx.Err() == nil {
			var page struct {
				Data []kessai.Event `json:"data"`
			}
			q := url.Values{"after": {after}, "limit": {"100"}, "wait": {"25"}}
			if after == "" {
				q.Del("after")
				q.Set("key", "")
			}
			if err := l.get(ctx, "/events?"+q.Encode(), &page); err != nil {
				if ctx.Err() == nil {
					fmt.Fprintf(l.Out, "kessai: %v (retrying)\n", err)
					time.Sleep(time.Second)
				}
				continue
			}
			if len(page.Data) == 0 {
				continue
			}
			after = page.Data[len(page.Data)-1].ID
			select {
			case feed <- page.Data:
			case <-ctx.Done():
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case evs := <-feed:
			for _, e := range evs {
				forward(e, "")
			}
		case e := <-resends:
			forward(e, " (resent)")
		}
	}
}

// get GETs path from the API into v.
func (l *Listener) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(l.APIURL, "/")+path, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(l.SecretKey, "")
	res, err := l.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		json.Unmarshal(b, &e)
		return errors.New(res.Status + ": " + e.Message)
	}
	return json.Unmarshal(b, v)
}
