package bench

import (
	"context"
	"net/http"
	"slices"
)

// Target is what a scenario runs against.
type Target struct {
	// BaseURL is the server's URL without a trailing slash, such as
	// "http://127.0.0.1:8080".
	BaseURL string
	// PublicKey and SecretKey are the API keys to use.
	PublicKey, SecretKey string
}

// Scenario is one kind of benchmark iteration.
type Scenario interface {
	// Name returns the scenario's name, as `kessai bench` takes it.
	Name() string
	// Do performs one iteration against t with c. It returns nil when the
	// server answered as expected, a *StatusError for an unexpected HTTP
	// status, and another error for anything else. Do must be safe for
	// concurrent use and must not keep ctx past its return.
	Do(ctx context.Context, c *http.Client, t Target) error
}

// Multi is a [Scenario] whose iteration sends more than one request, such
// as a token and a charge. The ceiling comparison counts requests, so a
// Multi scenario's throughput is multiplied by its count there.
type Multi interface {
	// RequestsPerIteration returns how many requests one iteration sends.
	RequestsPerIteration() int
}

// requestsPer returns how many requests an iteration of s sends.
func requestsPer(s Scenario) int {
	if m, ok := s.(Multi); ok && m.RequestsPerIteration() > 0 {
		return m.RequestsPerIteration()
	}
	return 1
}

// Preparer is a [Scenario] that needs setting up before a run, and maybe
// a target of its own. [Run] calls Prepare once before the first
// iteration and the returned func after the last one.
type Preparer interface {
	// Prepare returns the target to run against (t, or one of its own)
	// and a func that undoes the setup. Any requests it sends go through c,
	// the client of the run. It fails when the scenario cannot run
	// against t.
	Prepare(ctx context.Context, c *http.Client, t Target) (Target, func(), error)
}

// Func returns a scenario with the given name whose iteration is do.
func Func(name string, do func(ctx context.Context, c *http.Client, t Target) error) Scenario {
	return &funcScenario{name, do}
}

type funcScenario struct {
	name string
	do   func(ctx context.Context, c *http.Client, t Target) error
}

func (s *funcScenario) Name() string { return s.name }

func (s *funcScenario) Do(ctx context.Context, c *http.Client, t Target) error {
	return s.do(ctx, c, t)
}

// scenarios are the scenarios [Lookup] knows.
var scenarios = map[string]func() Scenario{
	"tokens":       func() Scenario { return Tokens(false) },
	"tokens-form":  func() Scenario { return Tokens(true) },
	"ceiling":      func() Scenario { return Ceiling() },
	"charges":      func() Scenario { return Charges(ChargeOptions{}) },
	"charges-auth": func() Scenario { return ChargesAuth(ChargeOptions{}) },
	"capture":      func() Scenario { return Capture(ChargeOptions{}) },
	"refunds":      func() Scenario { return Refunds(ChargeOptions{}) },
	"customers":    func() Scenario { return Customers(ChargeOptions{}) },
	"mixed":        func() Scenario { return Mixed(ChargeOptions{}) },
}

// Lookup returns the scenario with the given name, and false if there is
// none; [Names] lists them.
func Lookup(name string) (Scenario, bool) {
	f, ok := scenarios[name]
	if !ok {
		return nil, false
	}
	return f(), true
}

// Names returns the names [Lookup] accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(scenarios))
	for n := range scenarios {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
