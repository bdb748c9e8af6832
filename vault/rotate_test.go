package vault_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

// keyIDs returns the distinct key_id values of cards and of tokens that
// still hold a code.
func keyIDs(t *testing.T, db *sqlstore.DB) map[int64]int {
	t.Helper()
	ids := map[int64]int{}
	for _, q := range []string{
		`SELECT key_id FROM cards`,
		`SELECT key_id FROM tokens WHERE security_code_ciphertext IS NOT NULL`,
	} {
		rows, err := db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids[id]++
		}
		rows.Close()
	}
	return ids
}

// checkTokens reveals every token and checks its number and code.
func checkTokens(t *testing.T, db *sqlstore.DB, v *vault.Vault, toks []*kessai.Token, code string) {
	t.Helper()
	for _, tok := range toks {
		d := revealToken(t, db, v, tok.ID)
		want := visa
		if tok.Card.Brand == "JCB" {
			want = jcb
		}
		if d.Number.Reveal() != want {
			t.Fatalf("token %s reveals the wrong number", tok.ID)
		}
		if tok.Card.SecurityCodeCheck && code != "" && d.SecurityCode.Reveal() != code {
			t.Fatalf("token %s reveals code %q", tok.ID, d.SecurityCode.Reveal())
		}
	}
}

func TestRotate(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		k := testKEK(t)
		v := openVault(t, db, vault.Config{KEK: k, RefreshInterval: 20 * time.Millisecond})
		auth := newAccount(t, db)
		toks := createMany(t, v, auth, 450, "123") // 450 cards, 225 codes
		// A revealed code is gone and is not re-encrypted.
		revealToken(t, db, v, toks[0].ID)
		old := v.PrimaryKeyID()
		if pending, _ := v.Pending(ctx); pending != 0 {
			t.Fatalf("pending before rotation = %d", pending)
		}

		var calls [][2]int
		decrypted := 0
		err := v.Rotate(ctx, func(done, total int) {
			calls = append(calls, [2]int{done, total})
			// Between batches, old and new ciphertexts both decrypt.
			if _, err := v.RevealCard(ctx, toks[len(calls)%len(toks)].Card.ID); err != nil {
				t.Errorf("decrypt during rotation: %v", err)
			}
			decrypted++
		})
		if err != nil {
			t.Fatal(err)
		}
		primary := v.PrimaryKeyID()
		if primary == old {
			t.Fatal("primary key unchanged")
		}
		const want = 450 + 224
		if last := calls[len(calls)-1]; last != [2]int{want, want} {
			t.Errorf("last progress = %v, want [%d %d]", last, want, want)
		}
		if calls[0] != [2]int{0, want} {
			t.Errorf("first progress = %v", calls[0])
		}
		if ids := keyIDs(t, db); len(ids) != 1 || ids[int64(primary)] != want {
			t.Errorf("key ids after rotation = %v, want all %d under %d", ids, want, primary)
		}
		if pending, _ := v.Pending(ctx); pending != 0 {
			t.Errorf("pending after rotation = %d", pending)
		}
		checkTokens(t, db, v, toks[1:], "123")

		// A second rotation has nothing but the new records to do.
		if err := v.Reencrypt(ctx, nil); err != nil {
			t.Fatal(err)
		}
		// A reopened vault reads the rotated keyset.
		v2 := openVault(t, db, vault.Config{KEK: k})
		if v2.PrimaryKeyID() != primary {
			t.Errorf("reopened primary = %d, want %d", v2.PrimaryKeyID(), primary)
		}
	})
}

func TestRotateWhileCreating(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		v := openVault(t, db, vault.Config{RefreshInterval: 20 * time.Millisecond})
		auth := newAccount(t, db)
		before := createMany(t, v, auth, 600, "123")

		var mu sync.Mutex
		var during []*kessai.Token
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var failures atomic.Int64
		for range 8 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					tok, err := v.CreateToken(ctx, auth, rawCard(visa, "123"), "")
					if err != nil {
						failures.Add(1)
						continue
					}
					mu.Lock()
					during = append(during, tok)
					mu.Unlock()
				}
			})
		}
		time.Sleep(20 * time.Millisecond)
		err := v.Rotate(ctx, nil)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if failures.Load() != 0 {
			t.Errorf("%d CreateToken calls failed during rotation", failures.Load())
		}
		if len(during) == 0 {
			t.Fatal("no tokens created during rotation")
		}
		t.Logf("%d tokens created during rotation", len(during))
		if pending, _ := v.Pending(ctx); pending != 0 {
			t.Errorf("pending after rotation = %d", pending)
		}
		checkTokens(t, db, v, append(before, during...), "123")
	})
}

// TestReloadAfterOtherRotated runs two vaults (nodes) on one database.
func TestReloadAfterOtherRotated(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var log syncBuffer
		k := testKEK(t)
		a := openVault(t, db, vault.Config{KEK: k, RefreshInterval: 50 * time.Millisecond})
		b := openVault(t, db, vault.Config{KEK: k, RefreshInterval: 50 * time.Millisecond, Logger: newTextLogger(&log)})
		auth := newAccount(t, db)
		old := a.PrimaryKeyID()
		if b.PrimaryKeyID() != old {
			t.Fatal("two vaults created two keysets")
		}
		fromB := mustCreate(t, b, auth, rawCard(visa, "123"))
		if err := a.Rotate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if b.PrimaryKeyID() != old {
			t.Fatal("b switched keys without reloading")
		}
		// b still encrypts under the old key (it is still in the keyset).
		stale := mustCreate(t, b, auth, rawCard(visa, "456"))
		if d := revealToken(t, db, a, stale.ID); d.SecurityCode.Reveal() != "456" {
			t.Error("a cannot read b's stale token")
		}
		// b meets a ciphertext under the new key: it reloads once.
		fromA := mustCreate(t, a, auth, rawCard(jcb, ""))
		d, err := b.RevealCard(ctx, fromA.Card.ID)
		if err != nil || d.Number.Reveal() != jcb {
			t.Fatalf("b reveals a's new card: %v", err)
		}
		if b.PrimaryKeyID() != a.PrimaryKeyID() {
			t.Error("b did not adopt the new primary key")
		}
		if n := bytes.Count(log.Bytes(), []byte("reloaded card-data keyset")); n != 1 {
			t.Errorf("b reloaded %d times, want once:\n%s", n, log.Bytes())
		}
		if d := revealToken(t, db, b, fromB.ID); d.SecurityCode.Reveal() != "123" {
			t.Error("b cannot read its pre-rotation token")
		}
		// The stale token is left for the next re-encryption.
		if pending, _ := a.Pending(ctx); pending != 1 {
			t.Errorf("pending = %d, want b's stale card", pending)
		}
		if err := b.Reencrypt(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if pending, _ := a.Pending(ctx); pending != 0 {
			t.Errorf("pending after Reencrypt = %d", pending)
		}

		// A third node learns of a rotation through Refresh, without any
		// unknown ciphertext.
		c := openVault(t, db, vault.Config{KEK: k})
		if err := a.Rotate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if c.PrimaryKeyID() != a.PrimaryKeyID() {
			t.Error("Refresh did not load the new keyset")
		}
		// b's copy is stale, but Rotate reads the keyset from the database,
		// so b can rotate next.
		if err := b.Rotate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if a.Refresh(ctx) != nil || a.PrimaryKeyID() != b.PrimaryKeyID() {
			t.Error("a did not follow b's rotation")
		}
	})
}

// TestRotateStaleNode has a node that has not reloaded keep creating tokens
// under the old key during a rotation done elsewhere: the rotation's final
// pass, after the node's refresh, catches them.
func TestRotateStaleNode(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		k := testKEK(t)
		refresh := 50 * time.Millisecond
		a := openVault(t, db, vault.Config{KEK: k, RefreshInterval: refresh})
		b := openVault(t, db, vault.Config{KEK: k, RefreshInterval: refresh})
		auth := newAccount(t, db)
		createMany(t, a, auth, 200, "123")

		runCtx, cancel := context.WithCancel(ctx)
		go b.Run(runCtx)
		var wg sync.WaitGroup
		var toks []*kessai.Token
		wg.Go(func() {
			for runCtx.Err() == nil {
				tok, err := b.CreateToken(ctx, auth, rawCard(visa, "123"), "")
				if err != nil {
					t.Error(err)
					return
				}
				toks = append(toks, tok)
			}
		})
		err := a.Rotate(ctx, nil)
		cancel()
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if b.PrimaryKeyID() != a.PrimaryKeyID() {
			t.Error("b did not refresh")
		}
		if pending, _ := a.Pending(ctx); pending != 0 {
			t.Errorf("pending after rotation = %d (b's stale records were missed)", pending)
		}
		checkTokens(t, db, a, toks, "123")
	})
}

func TestRotateConflict(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		k := testKEK(t)
		vs := []*vault.Vault{openVault(t, db, vault.Config{KEK: k, RefreshInterval: time.Millisecond}), openVault(t, db, vault.Config{KEK: k, RefreshInterval: time.Millisecond})}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, v := range vs {
			wg.Go(func() { errs[i] = v.Rotate(ctx, nil) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && !errors.Is(err, vault.ErrConcurrentRotation) {
				t.Errorf("Rotate = %v", err)
			}
		}
		if errs[0] != nil && errs[1] != nil {
			t.Error("both rotations failed")
		}
	})
}

func TestRunRotate(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		v := openVault(t, db, vault.Config{RefreshInterval: time.Millisecond})
		auth := newAccount(t, db)
		createMany(t, v, auth, 500, "123") // 500 cards + 250 codes
		var out bytes.Buffer
		if err := vault.RunRotate(context.Background(), v, &out); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		t.Logf("output:\n%s", s)
		if !regexp.MustCompile(`\r\[#{40}\] 100%  750/750 records\n`).MatchString(s) {
			t.Errorf("no full progress bar in %q", s)
		}
		if !regexp.MustCompile(`Done: new primary key \d+; 750 records re-encrypted.\n$`).MatchString(s) {
			t.Errorf("no summary in %q", s)
		}
		out.Reset()
		if err := vault.RunReencrypt(context.Background(), v, &out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(out.Bytes(), []byte("Done: 0 records re-encrypted.")) {
			t.Errorf("resume output %q", out.String())
		}
	})
}
