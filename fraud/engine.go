package fraud

import (
	"context"
	"hash/fnv"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/kessai/kessai"
)

// Store is what the engine and the management service need from the
// database; sqlstore.DB implements it.
type Store interface {
	// FraudRules returns the account's stored rules: custom rules and the
	// settings of built-in rules (same id).
	FraudRules(ctx context.Context, accountID string, livemode bool) ([]*kessai.FraudRule, error)
	// FindFraudRule returns a stored rule or ENotFound.
	FindFraudRule(ctx context.Context, accountID string, livemode bool, id string) (*kessai.FraudRule, error)
	// PutFraudRule inserts or replaces a rule (by account, mode and id).
	PutFraudRule(ctx context.Context, r *kessai.FraudRule) error
	// DeleteFraudRule deletes a stored rule; ENotFound.
	DeleteFraudRule(ctx context.Context, accountID string, livemode bool, id string) error
	// FraudRuleStats returns the counters of the account's rules.
	FraudRuleStats(ctx context.Context, accountID string, livemode bool) ([]kessai.FraudRuleStats, error)
	// AddFraudRuleStats adds the given deltas to the stored counters.
	AddFraudRuleStats(ctx context.Context, deltas []kessai.FraudRuleStats) error
	// FraudListItems returns every list entry of the account (the engine's
	// view, enabled or not).
	FraudListItems(ctx context.Context, accountID string, livemode bool) ([]*kessai.FraudListItem, error)
	// ListFraudListItems returns a page of entries, of one list or both.
	ListFraudListItems(ctx context.Context, accountID string, livemode bool, list string, p kessai.ListParams) (*kessai.List[*kessai.FraudListItem], error)
	// InsertFraudListItem adds an entry; EConflict when the same list,
	// type and value exist.
	InsertFraudListItem(ctx context.Context, it *kessai.FraudListItem) error
	// FindFraudListItem returns an entry or ENotFound.
	FindFraudListItem(ctx context.Context, accountID string, livemode bool, id string) (*kessai.FraudListItem, error)
	// SetFraudListItemEnabled updates an entry; ENotFound.
	SetFraudListItemEnabled(ctx context.Context, accountID string, livemode bool, id string, enabled bool) error
	// DeleteFraudListItem removes an entry; ENotFound.
	DeleteFraudListItem(ctx context.Context, accountID string, livemode bool, id string) error
	// FindFraudDecision returns the decision stored for a charge; ENotFound.
	FindFraudDecision(ctx context.Context, accountID string, livemode bool, chargeID string) (*kessai.FraudDecision, error)
}

// TokenLimits is the card-testing defence of token creation: declines
// (issuer declines and blocked charges) in the last hour per IP address
// and per account key. From Slow declines, each token creation waits
// Delay per decline beyond Slow-1 (at most MaxDelay); from Block
// declines it is refused with 429.
type TokenLimits struct {
	IPSlow, IPBlock   int64 // default 5, 10
	KeySlow, KeyBlock int64 // default 30, 100
	Delay, MaxDelay   time.Duration
}

func (l TokenLimits) withDefaults() TokenLimits {
	if l.IPSlow <= 0 {
		l.IPSlow = 5
	}
	if l.IPBlock <= 0 {
		l.IPBlock = 10
	}
	if l.KeySlow <= 0 {
		l.KeySlow = 30
	}
	if l.KeyBlock <= 0 {
		l.KeyBlock = 100
	}
	if l.Delay <= 0 {
		l.Delay = 200 * time.Millisecond
	}
	if l.MaxDelay <= 0 {
		l.MaxDelay = 2 * time.Second
	}
	return l
}

// Config configures an [Engine]. Every field is optional.
type Config struct {
	// Store holds rules, lists, stats and decisions; nil means the
	// built-in rules only and no lists.
	Store Store
	// Counters default to [NewMemory](0).
	Counters Counters
	// CountersTimeout bounds a counter read in Screen (default 50 ms):
	// after it the charge is screened with zero velocity, so that a slow
	// Redis cannot hold payments up.
	CountersTimeout time.Duration
	// IPTable gives ip_country; nil leaves it missing.
	IPTable *IPTable
	// USDRates are USD per major unit by lowercase currency, for
	// amount_usd; nil takes built-in approximate rates.
	USDRates map[string]float64
	// Now is the clock (time.Now).
	Now func() time.Time
	// CacheTTL is how long an account's compiled rules and lists are used
	// before they are read again (default 5 s); changes made through this
	// engine's service apply at once on this node.
	CacheTTL time.Duration
	// Token limits token creation.
	Token TokenLimits
	// Sleep waits for the token slow-down (a context-aware sleep).
	Sleep func(context.Context, time.Duration) error
	// Logger gets counter and store errors.
	Logger *slog.Logger
}

// Engine screens charges. It implements [kessai.FraudScreener]; its
// [Engine.Service] implements [kessai.FraudService].
type Engine struct {
	c     Config
	vms   sync.Pool
	mu    sync.Mutex
	sets  map[scope]*setEntry
	stats sync.Map // statKey → *ruleCounter
}

var _ kessai.FraudScreener = (*Engine)(nil)

type scope struct {
	account  string
	livemode bool
}

func (s scope) String() string {
	if s.livemode {
		return s.account + "/l"
	}
	return s.account + "/t"
}

type setEntry struct {
	set     atomic.Pointer[ruleSet]
	loaded  atomic.Int64 // unix nanos
	loading atomic.Bool
}

// activeRule is an enabled rule of a rule set.
type activeRule struct {
	id     string
	source string
	action kessai.FraudAction
	shadow bool
	c      *Compiled
}

// listSet is an account's enabled list entries of one list.
type listSet struct {
	exact map[string]string // type + "\x00" + value → item id
	ips   prefixMap[string] // → item id
}

func (l *listSet) match(typ, v string) (string, bool) {
	if v == "" {
		return "", false
	}
	id, ok := l.exact[typ+"\x00"+v]
	return id, ok
}

// ruleSet is an account's compiled rules by phase, and its lists.
type ruleSet struct {
	phases       [4][]*activeRule // request_3ds, allow, block, review
	allow, block listSet
}

var phaseActions = [4]kessai.FraudAction{kessai.FraudRequest3DS, kessai.FraudAllow, kessai.FraudBlock, kessai.FraudReview}

// New returns an engine.
func New(c Config) *Engine {
	if c.Counters == nil {
		c.Counters = NewMemory(0)
	}
	if c.USDRates == nil {
		c.USDRates = usdRates
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.CountersTimeout <= 0 {
		c.CountersTimeout = 50 * time.Millisecond
	}
	if c.CacheTTL <= 0 {
		c.CacheTTL = 5 * time.Second
	}
	if c.Sleep == nil {
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Token = c.Token.withDefaults()
	e := &Engine{c: c, sets: map[scope]*setEntry{}}
	e.vms.New = func() any { return &vm.VM{} }
	return e
}

// Invalidate drops the cached rules and lists of an account, so that the
// next screening reads them again.
func (e *Engine) Invalidate(account string, livemode bool) {
	e.mu.Lock()
	delete(e.sets, scope{account, livemode})
	e.mu.Unlock()
}

// rules returns the account's rule set, reading it when absent or stale.
func (e *Engine) rules(ctx context.Context, sc scope) (*ruleSet, error) {
	e.mu.Lock()
	ent := e.sets[sc]
	if ent == nil {
		ent = &setEntry{}
		e.sets[sc] = ent
	}
	e.mu.Unlock()
	rs := ent.set.Load()
	now := time.Now().UnixNano()
	if rs != nil && now-ent.loaded.Load() < int64(e.c.CacheTTL) {
		return rs, nil
	}
	if rs != nil && !ent.loading.CompareAndSwap(false, true) {
		return rs, nil // someone else is reloading: use the old set meanwhile
	}
	defer ent.loading.Store(false)
	fresh, err := e.load(ctx, sc)
	if err != nil {
		if rs != nil {
			e.c.Logger.Warn("fraud: reload rules", "account", sc.account, "err", err)
			return rs, nil
		}
		return nil, err
	}
	ent.set.Store(fresh)
	ent.loaded.Store(now)
	return fresh, nil
}

// load builds an account's rule set: the built-in rules (with the
// account's settings) and the custom rules, and the enabled list entries.
func (e *Engine) load(ctx context.Context, sc scope) (*ruleSet, error) {
	rules, err := e.allRules(ctx, sc)
	if err != nil {
		return nil, err
	}
	rs := &ruleSet{}
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		c, err := Compile(r.Rule)
		if err != nil {
			e.c.Logger.Error("fraud: stored rule does not compile", "rule", r.ID, "err", err)
			continue
		}
		ar := &activeRule{id: r.ID, source: c.Source, action: c.Action, shadow: r.Shadow, c: c}
		for i, a := range phaseActions {
			if a == c.Action {
				rs.phases[i] = append(rs.phases[i], ar)
			}
		}
	}
	if e.c.Store != nil {
		items, err := e.c.Store.FraudListItems(ctx, sc.account, sc.livemode)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if !it.Enabled {
				continue
			}
			ls := &rs.block
			if it.List == kessai.FraudAllowList {
				ls = &rs.allow
			}
			if it.Type == kessai.FraudItemIP {
				if p, err := parsePrefix(it.Value); err == nil {
					ls.ips.add(p, it.ID)
				}
				continue
			}
			if ls.exact == nil {
				ls.exact = map[string]string{}
			}
			ls.exact[it.Type+"\x00"+it.Value] = it.ID
		}
	}
	return rs, nil
}

// allRules returns the built-in rules with the account's settings, then
// the custom rules, oldest first.
func (e *Engine) allRules(ctx context.Context, sc scope) ([]*kessai.FraudRule, error) {
	var stored []*kessai.FraudRule
	if e.c.Store != nil {
		var err error
		if stored, err = e.c.Store.FraudRules(ctx, sc.account, sc.livemode); err != nil {
			return nil, err
		}
	}
	byID := map[string]*kessai.FraudRule{}
	for _, r := range stored {
		byID[r.ID] = r
	}
	out := make([]*kessai.FraudRule, 0, len(DefaultRules)+len(stored))
	for _, d := range DefaultRules {
		r := &kessai.FraudRule{ID: d.ID, Rule: d.Rule, Description: d.Description, Enabled: true, Default: true,
			AccountID: sc.account, Livemode: sc.livemode}
		if s := byID[d.ID]; s != nil {
			r.Enabled, r.Shadow, r.CreatedAt, r.UpdatedAt = s.Enabled, s.Shadow, s.CreatedAt, s.UpdatedAt
			if s.Description != "" {
				r.Description = s.Description
			}
		}
		out = append(out, r)
	}
	for _, r := range stored {
		if !IsDefaultRule(r.ID) {
			out = append(out, r)
		}
	}
	return out, nil
}

// keys returns the counter keys of a charge by dimension ("" when the
// dimension is missing).
func chargeKeys(sc scope, a *kessai.FraudAttributes, email string) [numDims]string {
	var k [numDims]string
	p := sc.String() + "|"
	if a.Fingerprint != "" {
		k[DimCard] = p + "card|" + a.Fingerprint
	}
	if a.IP != "" {
		k[DimIP] = p + "ip|" + a.IP
	}
	if email != "" {
		k[DimEmail] = p + "email|" + email
	}
	if a.CustomerID != "" {
		k[DimCustomer] = p + "cust|" + a.CustomerID
	}
	if a.BIN != "" {
		k[DimBIN] = p + "bin|" + a.BIN
	}
	return k
}

// Velocity is what the counters say about a charge.
type Velocity struct {
	Attempts, Declines, Amount [numDims][numWindows]int64
	CardsIP, CardsEmail        [numWindows]int64
}

// Screen implements [kessai.FraudScreener].
func (e *Engine) Screen(ctx context.Context, a *kessai.FraudAttributes) (*kessai.FraudDecision, error) {
	sc := scope{a.AccountID, a.Livemode}
	rs, err := e.rules(ctx, sc)
	if err != nil {
		return nil, err
	}
	now := e.c.Now()
	env := &Env{}
	env.fill(a, e.c.IPTable, e.c.USDRates, now)

	// Counters: read, never changed here. A counter failure screens with
	// zero velocity rather than failing the payment.
	keys := chargeKeys(sc, a, env.Email)
	var ks [numDims]string
	var idx [numDims]Dim
	n := 0
	for d, k := range keys {
		if k != "" {
			ks[n], idx[n] = k, Dim(d)
			n++
		}
	}
	var stats [numDims]Stats
	var v Velocity
	if n > 0 {
		lctx, cancel := context.WithTimeout(ctx, e.c.CountersTimeout)
		err := e.c.Counters.Load(lctx, ks[:n], now, stats[:n])
		cancel()
		if err != nil {
			e.c.Logger.Warn("fraud: load counters", "err", err)
		} else {
			for i := range n {
				d, s := idx[i], &stats[i]
				v.Attempts[d], v.Declines[d], v.Amount[d] = s.Attempts, s.Declines, s.Amount
				switch d {
				case DimIP:
					v.CardsIP = s.Cards
				case DimEmail:
					v.CardsEmail = s.Cards
				}
			}
		}
	}
	env.setVelocity(&v)
	d := e.decide(rs, env, a, now)
	d.Inputs = marshalInputs(a, &v, now)
	return d, nil
}

// decide scores env and evaluates the rule set rs on it.
func (e *Engine) decide(rs *ruleSet, env *Env, a *kessai.FraudAttributes, now time.Time) *kessai.FraudDecision {
	reasons := score(env)
	d := &kessai.FraudDecision{Object: "fraud_decision", Action: kessai.FraudAllow, RiskScore: env.RiskScore,
		RiskLevel: env.RiskLevel, Reasons: reasons, Charge: a.ChargeID, CreatedAt: kessai.Time{Time: now}}
	if d.Reasons == nil {
		d.Reasons = []kessai.RiskReason{}
	}
	m := e.vms.Get().(*vm.VM)
	defer e.vms.Put(m)
	decided := false
	for i, phase := range rs.phases {
		act := phaseActions[i]
		// Lists come first in their phase: the allow list is an allow
		// rule, the block list a block rule.
		if !decided && (act == kessai.FraudAllow || act == kessai.FraudBlock) {
			ls := &rs.block
			if act == kessai.FraudAllow {
				ls = &rs.allow
			}
			if id, ok := e.matchList(ls, env, a); ok {
				d.Rules = append(d.Rules, kessai.FiredRule{ID: "list:" + id, Rule: string(act) + " if listed", Action: act})
				d.Action, decided = act, true
			}
		}
		phaseDecided := false
		for _, r := range phase {
			enforcing := !r.shadow && (act == kessai.FraudRequest3DS || (!decided && !phaseDecided))
			if !r.shadow && !enforcing {
				continue
			}
			if !r.c.Match(m, env) {
				continue
			}
			d.Rules = append(d.Rules, kessai.FiredRule{ID: r.id, Rule: r.source, Action: act, Shadow: r.shadow})
			if r.shadow {
				continue
			}
			if act == kessai.FraudRequest3DS {
				d.Request3DS = true
				continue
			}
			d.Action, phaseDecided = act, true
		}
		decided = decided || phaseDecided
	}
	if d.Rules == nil {
		d.Rules = []kessai.FiredRule{}
	}
	return d
}

// matchList returns the id of the list entry that matches the charge.
func (e *Engine) matchList(ls *listSet, env *Env, a *kessai.FraudAttributes) (string, bool) {
	if id, ok := ls.match(kessai.FraudItemFingerprint, a.Fingerprint); ok {
		return id, true
	}
	if id, ok := ls.match(kessai.FraudItemEmail, env.Email); ok {
		return id, true
	}
	if id, ok := ls.match(kessai.FraudItemBIN, a.BIN); ok {
		return id, true
	}
	if id, ok := ls.match(kessai.FraudItemCardCountry, env.CardCountry); ok {
		return id, true
	}
	if id, ok := ls.match(kessai.FraudItemIPCountry, env.IPCountry); ok {
		return id, true
	}
	if a.IP != "" {
		if ip, err := netip.ParseAddr(a.IP); err == nil {
			if id, ok := ls.ips.lookup(ip); ok {
				return id, true
			}
		}
	}
	return "", false
}

// cardHash is the fingerprint's 32-bit hash for distinct-card counts.
func cardHash(fp string) uint32 {
	if fp == "" {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(fp))
	return max(h.Sum32(), 1)
}

// Record implements [kessai.FraudScreener]: the charge becomes one event
// (declined when the outcome is declined or blocked) under each of its
// keys, and a decline also counts against its IP and account key for
// [Engine.AllowToken]. The decision's rules are counted.
func (e *Engine) Record(ctx context.Context, a *kessai.FraudAttributes, d *kessai.FraudDecision, outcome kessai.FraudOutcome) error {
	sc := scope{a.AccountID, a.Livemode}
	var env Env
	env.fill(a, nil, e.c.USDRates, e.c.Now())
	ev := Event{At: e.c.Now(), Declined: outcome != kessai.FraudApproved, Card: cardHash(a.Fingerprint)}
	if env.has(1 << bitAmountUSD) {
		ev.Amount = uint32(min(env.AmountUSD+0.5, float64(^uint32(0))))
	}
	keys := chargeKeys(sc, a, env.Email)
	ks := make([]string, 0, numDims+2)
	for _, k := range keys {
		if k != "" {
			ks = append(ks, k)
		}
	}
	if ev.Declined {
		if a.IP != "" {
			ks = append(ks, "tok|ip|"+a.IP)
		}
		ks = append(ks, "tok|key|"+sc.String())
	}
	if d != nil {
		e.count(sc, d)
	}
	if len(ks) == 0 {
		return nil
	}
	if err := e.c.Counters.Add(ctx, ks, ev); err != nil {
		return kessai.WrapError(err, kessai.EUnavailable, "fraud counters are unavailable")
	}
	return nil
}

// AllowToken implements [kessai.FraudScreener].
func (e *Engine) AllowToken(ctx context.Context, ip string, auth *kessai.Auth) error {
	keys := []string{"tok|key|" + scope{auth.AccountID, auth.Livemode}.String()}
	if ip != "" {
		keys = append(keys, "tok|ip|"+ip)
	}
	var st [2]Stats
	if err := e.c.Counters.Load(ctx, keys, e.c.Now(), st[:len(keys)]); err != nil {
		e.c.Logger.Warn("fraud: load token counters", "err", err)
		return nil
	}
	l := e.c.Token
	var wait time.Duration
	check := func(n, slow, block int64) error {
		if n >= block {
			return kessai.Errorf(kessai.ERateLimited, "too many declined payments from this source; try again later")
		}
		if n >= slow {
			wait = max(wait, min(time.Duration(n-slow+1)*l.Delay, l.MaxDelay))
		}
		return nil
	}
	if err := check(st[0].Declines[W1h], l.KeySlow, l.KeyBlock); err != nil {
		return err
	}
	if len(keys) > 1 {
		if err := check(st[1].Declines[W1h], l.IPSlow, l.IPBlock); err != nil {
			return err
		}
	}
	if wait > 0 {
		if err := e.c.Sleep(ctx, wait); err != nil {
			return kessai.WrapError(err, kessai.ERateLimited, "too many declined payments from this source; try again later")
		}
	}
	return nil
}

// ruleCounter holds a rule's counts not yet flushed to the store.
type ruleCounter struct{ fired, blocked, reviewed atomic.Int64 }

type statKey struct {
	sc scope
	id string
}

func (e *Engine) counter(sc scope, id string) *ruleCounter {
	k := statKey{sc, id}
	if c, ok := e.stats.Load(k); ok {
		return c.(*ruleCounter)
	}
	c, _ := e.stats.LoadOrStore(k, &ruleCounter{})
	return c.(*ruleCounter)
}

// count adds a decision's rules to their counters: each fired rule
// counts as fired, and as blocked or reviewed when it is a block or review
// rule (a shadow rule counts what it would have done).
func (e *Engine) count(sc scope, d *kessai.FraudDecision) {
	for _, r := range d.Rules {
		if strings.HasPrefix(r.ID, "list:") {
			continue
		}
		c := e.counter(sc, r.ID)
		c.fired.Add(1)
		switch r.Action {
		case kessai.FraudBlock:
			c.blocked.Add(1)
		case kessai.FraudReview:
			c.reviewed.Add(1)
		}
	}
}

// pending returns the unflushed counts of an account's rule.
func (e *Engine) pending(sc scope, id string) (fired, blocked, reviewed int64) {
	if c, ok := e.stats.Load(statKey{sc, id}); ok {
		rc := c.(*ruleCounter)
		return rc.fired.Load(), rc.blocked.Load(), rc.reviewed.Load()
	}
	return 0, 0, 0
}

// Flush writes the rule counters gathered since the last flush to the
// store. Run it periodically (see [Engine.Run]) and at shutdown.
func (e *Engine) Flush(ctx context.Context) error {
	if e.c.Store == nil {
		return nil
	}
	var deltas []kessai.FraudRuleStats
	var taken []*ruleCounter
	var amounts [][3]int64
	e.stats.Range(func(k, v any) bool {
		sk, rc := k.(statKey), v.(*ruleCounter)
		f, b, r := rc.fired.Swap(0), rc.blocked.Swap(0), rc.reviewed.Swap(0)
		if f|b|r != 0 {
			deltas = append(deltas, kessai.FraudRuleStats{AccountID: sk.sc.account, Livemode: sk.sc.livemode, RuleID: sk.id, Fired: f, Blocked: b, Reviewed: r})
			taken = append(taken, rc)
			amounts = append(amounts, [3]int64{f, b, r})
		}
		return true
	})
	if len(deltas) == 0 {
		return nil
	}
	if err := e.c.Store.AddFraudRuleStats(ctx, deltas); err != nil {
		// Put the counts back for the next flush.
		for i, rc := range taken {
			rc.fired.Add(amounts[i][0])
			rc.blocked.Add(amounts[i][1])
			rc.reviewed.Add(amounts[i][2])
		}
		return err
	}
	return nil
}

// Run flushes the rule counters every interval until ctx ends, then once
// more.
func (e *Engine) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := e.Flush(fctx); err != nil {
				e.c.Logger.Error("fraud: flush rule counters", "err", err)
			}
			cancel()
			return
		case <-t.C:
			if err := e.Flush(ctx); err != nil {
				e.c.Logger.Warn("fraud: flush rule counters", "err", err)
			}
		}
	}
}
