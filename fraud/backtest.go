package fraud

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kessai/kessai"
)

// inputs is the stored form of what a decision was made from.
type inputs struct {
	A  kessai.FraudAttributes `json:"a"`
	V  Velocity               `json:"v"`
	At time.Time              `json:"at"`
}

// marshalInputs encodes a decision's inputs for [kessai.FraudDecision].Inputs;
// nil if they cannot be encoded (the decision is then not replayable).
func marshalInputs(a *kessai.FraudAttributes, v *Velocity, at time.Time) json.RawMessage {
	b, err := json.Marshal(inputs{A: *a, V: *v, At: at})
	if err != nil {
		return nil
	}
	return b
}

// Stored is a stored decision to replay: its charge, its action and its
// inputs ([kessai.FraudDecision].Inputs).
type Stored struct {
	Charge string
	Action kessai.FraudAction
	Inputs []byte
}

// Change is a charge whose decision a backtest changes.
type Change struct {
	Charge   string             `json:"charge"`
	Amount   int64              `json:"amount"`
	Currency string             `json:"currency"`
	Before   kessai.FraudAction `json:"before"`
	After    kessai.FraudAction `json:"after"`
	// Rule is the rule that decided After ("" for allow by default).
	Rule string `json:"rule"`
}

// BacktestReport is what a rule set would have done to stored charges.
type BacktestReport struct {
	// Charges counts the replayed decisions; Skipped those stored without
	// inputs (before inputs were stored, or unreadable).
	Charges, Skipped int
	// Before and After count the decisions by action, as stored and as
	// the rule set decides.
	Before, After map[kessai.FraudAction]int
	Changed       []Change
	// NewlyBlocked and Unblocked sum, per currency, the amounts of the
	// charges the rule set blocks and the stored decisions did not, and
	// the reverse (minor units).
	NewlyBlocked, Unblocked map[string]int64
}

// Backtest replays stored decisions through a rule set: sources are rules
// as written ("block if …"), compiled first (the first that does not
// compile is the error). The rules see the attributes and the velocity
// counts each charge had when it was screened, and a risk score computed
// again from them; the block and allow lists are the accounts' current ones
// (read from the engine's store; none without a store). each passes every
// stored decision to yield until yield returns false.
func (e *Engine) Backtest(sources []string, each func(yield func(Stored) bool) error) (*BacktestReport, error) {
	rs := &ruleSet{}
	for i, src := range sources {
		c, err := Compile(src)
		if err != nil {
			return nil, fmt.Errorf("rule %d: %w", i+1, err)
		}
		ar := &activeRule{id: fmt.Sprintf("rule_%d", i+1), source: c.Source, action: c.Action, c: c}
		for p, a := range phaseActions {
			if a == c.Action {
				rs.phases[p] = append(rs.phases[p], ar)
			}
		}
	}
	rep := &BacktestReport{Before: map[kessai.FraudAction]int{}, After: map[kessai.FraudAction]int{},
		NewlyBlocked: map[string]int64{}, Unblocked: map[string]int64{}}
	// The rule set with each account's lists.
	scoped := map[scope]*ruleSet{}
	var lerr error
	err := each(func(s Stored) bool {
		var in inputs
		if len(s.Inputs) == 0 || json.Unmarshal(s.Inputs, &in) != nil {
			rep.Skipped++
			return true
		}
		sc := scope{in.A.AccountID, in.A.Livemode}
		srs := scoped[sc]
		if srs == nil {
			withLists, err := e.load(context.Background(), sc)
			if err != nil {
				lerr = err
				return false
			}
			srs = &ruleSet{phases: rs.phases, allow: withLists.allow, block: withLists.block}
			scoped[sc] = srs
		}
		env := &Env{}
		env.fill(&in.A, e.c.IPTable, e.c.USDRates, in.At)
		env.setVelocity(&in.V)
		d := e.decide(srs, env, &in.A, in.At)
		rep.Charges++
		rep.Before[s.Action]++
		rep.After[d.Action]++
		if d.Action == s.Action {
			return true
		}
		ch := Change{Charge: s.Charge, Amount: in.A.Amount, Currency: in.A.Currency, Before: s.Action, After: d.Action}
		for _, r := range d.Rules {
			if r.Action == d.Action && !r.Shadow {
				ch.Rule = r.Rule
				break
			}
		}
		rep.Changed = append(rep.Changed, ch)
		switch {
		case d.Action == kessai.FraudBlock:
			rep.NewlyBlocked[in.A.Currency] += in.A.Amount
		case s.Action == kessai.FraudBlock:
			rep.Unblocked[in.A.Currency] += in.A.Amount
		}
		return true
	})
	if err == nil {
		err = lerr
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}
