package chaos

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
)

// receiver is the merchant's webhook endpoint: it counts the deliveries
// of each event id.
type receiver struct {
	srv *http.Server
	url string

	mu  sync.Mutex
	got map[string]int
}

// newReceiver starts a receiver on a loopback port.
func newReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String() + "/webhooks", got: map[string]int{}}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve)}
	go r.srv.Serve(ln)
	return r, nil
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	var e struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&e); err != nil || e.ID == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.got[e.ID]++
	r.mu.Unlock()
}

// missing returns the ids of ids that were never delivered.
func (r *receiver) missing(ids []string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, id := range ids {
		if r.got[id] == 0 {
			out = append(out, id)
		}
	}
	return out
}

// deliveries returns how many deliveries arrived in all.
func (r *receiver) deliveries() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.got {
		n += c
	}
	return n
}

func (r *receiver) close() { r.srv.Close() }
