package iso8583link_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kessai/kessai"
)

// memStore is a kessai.NetworkStore in memory, without durability: the
// benchmark uses it to show what the network alone costs.
type memStore struct {
	mu    sync.Mutex
	seq   int
	msgs  map[string]*kessai.NetworkMessage
	stans map[string]int
	revs  map[string]*kessai.NetworkReversal // by message id
}

var _ kessai.NetworkStore = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{msgs: map[string]*kessai.NetworkMessage{}, stans: map[string]int{}, revs: map[string]*kessai.NetworkReversal{}}
}

func (s *memStore) id(prefix string) string {
	s.seq++
	return prefix + strconv.Itoa(s.seq)
}

func (s *memStore) ReserveSTANs(_ context.Context, tid string, n int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := s.stans[tid] + n
	if last > 999999 {
		last = n
	}
	s.stans[tid] = last
	return last - n + 1, nil
}

func (s *memStore) CreateNetworkMessage(_ context.Context, m *kessai.NetworkMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.ID, m.Status, m.CreatedAt = s.id("nmsg_"), kessai.NetworkPending, time.Now()
	c := *m
	s.msgs[m.ID] = &c
	return nil
}

func (s *memStore) AnswerNetworkMessage(_ context.Context, id, code, approval string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[id]
	if m == nil || m.Status != kessai.NetworkPending {
		return false, nil
	}
	m.Status, m.ResponseCode, m.ApprovalCode, m.AnsweredAt = kessai.NetworkAnswered, code, approval, time.Now()
	return true, nil
}

func (s *memStore) AbandonNetworkMessage(_ context.Context, id, status string, rev *kessai.NetworkReversal) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[id]
	if m == nil || m.Status != kessai.NetworkPending {
		return false, nil
	}
	m.Status = status
	if rev != nil {
		rev.MessageID = id
		*rev = *s.queue(rev)
	}
	return true, nil
}

func (s *memStore) FindNetworkMessage(_ context.Context, id string) (*kessai.NetworkMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.msgs[id]; m != nil {
		c := *m
		return &c, nil
	}
	return nil, kessai.NotFound("network message", id)
}

func (s *memStore) FindNetworkMessages(_ context.Context, ref string) ([]*kessai.NetworkMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*kessai.NetworkMessage
	for _, m := range s.msgs {
		if m.Reference == ref {
			c := *m
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *kessai.NetworkMessage) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

func (s *memStore) StaleNetworkMessages(_ context.Context, before time.Time, limit int) ([]*kessai.NetworkMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*kessai.NetworkMessage
	for _, m := range s.msgs {
		if m.Status == kessai.NetworkPending && m.CreatedAt.Before(before) && len(out) < limit {
			c := *m
			out = append(out, &c)
		}
	}
	return out, nil
}

func (s *memStore) queue(rev *kessai.NetworkReversal) *kessai.NetworkReversal {
	if r := s.revs[rev.MessageID]; r != nil {
		c := *r
		return &c
	}
	r := *rev
	r.ID, r.Status, r.CreatedAt = s.id("nrev_"), kessai.ReversalQueued, time.Now()
	if r.NextAttemptAt.IsZero() {
		r.NextAttemptAt = r.CreatedAt
	}
	s.revs[r.MessageID] = &r
	c := r
	return &c
}

func (s *memStore) QueueReversal(_ context.Context, rev *kessai.NetworkReversal) (*kessai.NetworkReversal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queue(rev), nil
}

func (s *memStore) withMessage(r *kessai.NetworkReversal) *kessai.NetworkReversal {
	c := *r
	m := *s.msgs[r.MessageID]
	c.Message = &m
	return &c
}

func (s *memStore) DueReversals(_ context.Context, now time.Time, limit int) ([]*kessai.NetworkReversal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*kessai.NetworkReversal
	for _, r := range s.revs {
		if r.Status == kessai.ReversalQueued && !r.NextAttemptAt.After(now) && len(out) < limit {
			out = append(out, s.withMessage(r))
		}
	}
	return out, nil
}

func (s *memStore) ClaimReversal(_ context.Context, id string, attempts int, next time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.revs {
		if r.ID == id && r.Status == kessai.ReversalQueued && r.Attempts == attempts {
			r.Attempts, r.NextAttemptAt = attempts+1, next
			return true, nil
		}
	}
	return false, nil
}

func (s *memStore) FinishReversal(_ context.Context, id, status, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.revs {
		if r.ID == id && r.Status == kessai.ReversalQueued {
			r.Status, r.ResponseCode, r.DoneAt = status, code, time.Now()
		}
	}
	return nil
}

func (s *memStore) ListReversals(_ context.Context, status string) ([]*kessai.NetworkReversal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*kessai.NetworkReversal
	for _, r := range s.revs {
		if status == "" || r.Status == status {
			out = append(out, s.withMessage(r))
		}
	}
	return out, nil
}
