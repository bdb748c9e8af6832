package fraud

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the [Counters] of several gateway nodes: one sorted set per key
// (score: the event's second), trimmed to the last [RingSize] events and
// [MaxWindow], expiring after MaxWindow idle. Add is one MULTI/EXEC round
// trip, Load one pipelined round trip.
type Redis struct {
	c      redis.UniversalClient
	prefix string
}

// NewRedis returns counters on c whose keys start with prefix (such as
// "kessai:fraud:").
func NewRedis(c redis.UniversalClient, prefix string) *Redis {
	return &Redis{c: c, prefix: prefix}
}

// Add implements [Counters].
func (r *Redis) Add(ctx context.Context, keys []string, ev Event) error {
	t := secs(ev.At)
	d := 0
	if ev.Declined {
		d = 1
	}
	// The random tail keeps equal events distinct members.
	member := fmt.Sprintf("%d:%d:%d:%d:%x", t, ev.Amount, ev.Card, d, rand.Uint32())
	cutoff := strconv.FormatInt(int64(t)-int64(MaxWindow/time.Second), 10)
	_, err := r.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			k = r.prefix + k
			p.ZAdd(ctx, k, redis.Z{Score: float64(t), Member: member})
			p.ZRemRangeByScore(ctx, k, "-inf", "("+cutoff)
			p.ZRemRangeByRank(ctx, k, 0, -RingSize-1)
			p.Expire(ctx, k, MaxWindow)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fraud counters: redis add: %w", err)
	}
	return nil
}

// Load implements [Counters].
func (r *Redis) Load(ctx context.Context, keys []string, now time.Time, out []Stats) error {
	t := secs(now)
	min := strconv.FormatInt(int64(t)-int64(MaxWindow/time.Second)+1, 10)
	cmds := make([]*redis.StringSliceCmd, len(keys))
	_, err := r.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.ZRangeByScore(ctx, r.prefix+k, &redis.ZRangeBy{Min: min, Max: "+inf"})
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return fmt.Errorf("fraud counters: redis load: %w", err)
	}
	for i, c := range cmds {
		var rg ring
		for _, m := range c.Val() {
			f := strings.Split(m, ":")
			if len(f) != 5 {
				continue
			}
			ts, _ := strconv.ParseUint(f[0], 10, 32)
			amt, _ := strconv.ParseUint(f[1], 10, 32)
			card, _ := strconv.ParseUint(f[2], 10, 32)
			rg.add(Event{At: epoch.Add(time.Duration(ts) * time.Second), Amount: uint32(amt), Card: uint32(card), Declined: f[3] == "1"})
		}
		rg.stats(t, &out[i])
	}
	return nil
}
