package vault_test

import (
	"context"
	"sync"
	"testing"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/vault"
)

// createMany creates n tokens concurrently (the group-commit writer batches
// them) for alternating test cards, with code for the Visa ones (none if
// code is ""), and returns them.
func createMany(t testing.TB, v *vault.Vault, auth *kessai.Auth, n int, code string) []*kessai.Token {
	t.Helper()
	toks := make([]*kessai.Token, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			raw := rawCard(visa, code)
			if i%2 == 1 {
				raw = rawCard(jcb, "")
			}
			tok, err := v.CreateToken(context.Background(), auth, raw, "")
			if err != nil {
				t.Error(err)
				return
			}
			toks[i] = tok
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return toks
}
