package fraud

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// Dim is a velocity dimension: what the attempts are counted per.
type Dim int

// The velocity dimensions.
const (
	DimCard     Dim = iota // the card fingerprint
	DimIP                  // the customer's IP address
	DimEmail               // the customer's email
	DimCustomer            // the customer id
	DimBIN                 // the card's BIN
	numDims
)

var dimNames = [numDims]string{"card", "ip", "email", "customer", "bin"}

// Window is a velocity window.
type Window int

// The velocity windows.
const (
	W10m Window = iota
	W1h
	W24h
	numWindows
)

var (
	windowNames = [numWindows]string{"10m", "1h", "24h"}
	windowDurs  = [numWindows]time.Duration{10 * time.Minute, time.Hour, 24 * time.Hour}
)

// MaxWindow is the longest window: older events are forgotten.
const MaxWindow = 24 * time.Hour

// RingSize is how many events a counter keeps per key: counts are exact up to
// RingSize within a window and saturate there (rules compare with small
// thresholds, as Radar caps its distinct counts at 25).
const RingSize = 32

// Event is one charge attempt as the counters keep it.
type Event struct {
	At       time.Time
	Declined bool
	// Amount is the amount in whole US dollars (0 when unknown).
	Amount uint32
	// Card is a hash of the card fingerprint (0 when unknown), for the
	// distinct-card counts.
	Card uint32
}

// Stats are the counts of one key over each window.
type Stats struct {
	Attempts [numWindows]int64
	Declines [numWindows]int64
	Amount   [numWindows]int64
	Cards    [numWindows]int64 // distinct cards
}

// Counters keeps recent events per key. Keys are opaque strings built by the
// engine (account scope, dimension, value). Implementations: [Memory]
// (in-process, bounded) and [Redis] (shared by gateway nodes).
type Counters interface {
	// Add records ev under each key.
	Add(ctx context.Context, keys []string, ev Event) error
	// Load sets out[i] to the stats of keys[i] at now; len(out) ==
	// len(keys).
	Load(ctx context.Context, keys []string, now time.Time, out []Stats) error
}

// epoch is the origin of the counters' 32-bit second timestamps.
var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

func secs(t time.Time) uint32 { return uint32(max(0, t.Sub(epoch)/time.Second)) }

// ring holds the last RingSize events of a key.
type ring struct {
	n, head  uint8 // events held; next slot
	declined uint32
	ts       [RingSize]uint32
	amount   [RingSize]uint32
	card     [RingSize]uint32
}

func (r *ring) add(ev Event) {
	i := r.head
	r.ts[i], r.amount[i], r.card[i] = secs(ev.At), ev.Amount, ev.Card
	if ev.Declined {
		r.declined |= 1 << i
	} else {
		r.declined &^= 1 << i
	}
	r.head = (r.head + 1) % RingSize
	if r.n < RingSize {
		r.n++
	}
}

func (r *ring) newest() uint32 {
	if r.n == 0 {
		return 0
	}
	return r.ts[(int(r.head)+RingSize-1)%RingSize]
}

func (r *ring) stats(now uint32, s *Stats) {
	*s = Stats{}
	var seen [numWindows][RingSize]uint32
	var nseen [numWindows]int
	for k := range int(r.n) {
		i := (int(r.head) + RingSize - 1 - k) % RingSize
		age := int64(now) - int64(r.ts[i])
		for w := range numWindows {
			if age < 0 || age >= int64(windowDurs[w]/time.Second) {
				continue
			}
			s.Attempts[w]++
			s.Amount[w] += int64(r.amount[i])
			if r.declined&(1<<i) != 0 {
				s.Declines[w]++
			}
			if c := r.card[i]; c != 0 {
				dup := false
				for _, x := range seen[w][:nseen[w]] {
					if x == c {
						dup = true
						break
					}
				}
				if !dup {
					seen[w][nseen[w]] = c
					nseen[w]++
				}
			}
		}
	}
	for w := range numWindows {
		s.Cards[w] = int64(nseen[w])
	}
}

// Memory is the in-process [Counters]: sharded maps of event rings, bounded
// to MaxKeys keys (about half a kilobyte each). When a shard is full, a key idle
// for longer than [MaxWindow] is evicted, else an arbitrary one.
type Memory struct {
	shards   [64]memShard
	perShard int
	seed     maphash.Seed
}

type memShard struct {
	mu sync.Mutex
	m  map[string]*ring
}

// NewMemory returns in-process counters holding at most maxKeys keys
// (default 200,000 when maxKeys <= 0).
func NewMemory(maxKeys int) *Memory {
	if maxKeys <= 0 {
		maxKeys = 200_000
	}
	m := &Memory{perShard: max(1, maxKeys/64), seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].m = map[string]*ring{}
	}
	return m
}

func (m *Memory) shard(key string) *memShard {
	return &m.shards[maphash.String(m.seed, key)%64]
}

// Add implements [Counters].
func (m *Memory) Add(_ context.Context, keys []string, ev Event) error {
	now := secs(ev.At)
	for _, k := range keys {
		s := m.shard(k)
		s.mu.Lock()
		r := s.m[k]
		if r == nil {
			if len(s.m) >= m.perShard {
				s.evict(now)
			}
			r = &ring{}
			s.m[k] = r
		}
		r.add(ev)
		s.mu.Unlock()
	}
	return nil
}

// evict removes one key, preferring one with nothing in the longest window.
func (s *memShard) evict(now uint32) {
	probes := 0
	var victim string
	for k, r := range s.m {
		if int64(now)-int64(r.newest()) >= int64(MaxWindow/time.Second) {
			victim = k
			break
		}
		if probes == 0 {
			victim = k
		}
		if probes++; probes >= 16 {
			break
		}
	}
	delete(s.m, victim)
}

// Load implements [Counters].
func (m *Memory) Load(_ context.Context, keys []string, now time.Time, out []Stats) error {
	t := secs(now)
	for i, k := range keys {
		s := m.shard(k)
		s.mu.Lock()
		if r := s.m[k]; r != nil {
			r.stats(t, &out[i])
		} else {
			out[i] = Stats{}
		}
		s.mu.Unlock()
	}
	return nil
}

// Len returns the number of keys held.
func (m *Memory) Len() int {
	n := 0
	for i := range m.shards {
		m.shards[i].mu.Lock()
		n += len(m.shards[i].m)
		m.shards[i].mu.Unlock()
	}
	return n
}
