package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/internal/dbtest"
	"github.com/kessai/kessai/sqlstore"
)

func TestAccountKeys(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := &sqlstore.AccountService{DB: db}
		acct := &kessai.Account{Email: "shop@example.com", Country: "jp", Currency: "JPY"}
		if err := s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindAccount(ctx, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Country != "JP" || got.Currency != "jpy" || got.Email != acct.Email {
			t.Errorf("account = %+v", got)
		}
		if _, err := s.FindAccount(ctx, "acct_nope"); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("missing account: %v", err)
		}

		pk, err := s.CreateKey(ctx, acct.ID, kessai.PublicKey, false, "")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(pk.Key.Reveal(), "pkey_test_") || len(pk.Key.Reveal()) != len("pkey_test_")+19 {
			t.Errorf("public key = %q", pk.Key.Reveal())
		}
		fixed := "skey_test_" + strings.Repeat("a1", 9) + "z"
		sk, err := s.CreateKey(ctx, acct.ID, kessai.SecretKey, false, fixed)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateKey(ctx, acct.ID, kessai.SecretKey, false, fixed); kessai.ErrorCode(err) != kessai.EConflict {
			t.Errorf("duplicate key: %v", err)
		}
		for _, bad := range []string{"skey_test_short", "pkey_test_" + strings.Repeat("a", 19), "skey_test_" + strings.Repeat("A", 19)} {
			if _, err := s.CreateKey(ctx, acct.ID, kessai.SecretKey, false, bad); kessai.ErrorCode(err) != kessai.EBadRequest {
				t.Errorf("CreateKey(%q) = %v, want bad_request", bad, err)
			}
		}
		if _, err := s.CreateKey(ctx, "acct_nope", kessai.SecretKey, false, ""); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("key for missing account: %v", err)
		}

		auth, err := s.Authenticate(ctx, sk.Key.Reveal())
		if err != nil {
			t.Fatal(err)
		}
		if auth.AccountID != acct.ID || auth.Kind != kessai.SecretKey || auth.Livemode {
			t.Errorf("auth = %+v", auth)
		}
		for _, bad := range []string{"", "skey_test_", fixed + "x", "skey_test_" + strings.Repeat("b", 19)} {
			if _, err := s.Authenticate(ctx, bad); kessai.ErrorCode(err) != kessai.EAuthenticationFailure {
				t.Errorf("Authenticate(%q) = %v", bad, err)
			}
		}

		// Rolling keeps the old key valid for the grace period only.
		now := time.Now()
		db.Now = func() time.Time { return now }
		rolled, err := s.RollKey(ctx, acct.ID, kessai.SecretKey, false, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{sk.Key.Reveal(), rolled.Key.Reveal()} {
			if _, err := s.Authenticate(ctx, k); err != nil {
				t.Errorf("within grace: %v", err)
			}
		}
		db.Now = func() time.Time { return now.Add(time.Hour + time.Second) }
		if _, err := s.Authenticate(ctx, sk.Key.Reveal()); kessai.ErrorCode(err) != kessai.EAuthenticationFailure {
			t.Errorf("old key after grace: %v", err)
		}
		if _, err := s.Authenticate(ctx, rolled.Key.Reveal()); err != nil {
			t.Errorf("new key after grace: %v", err)
		}
		// The public key was not touched by rolling the secret key.
		if _, err := s.Authenticate(ctx, pk.Key.Reveal()); err != nil {
			t.Errorf("public key: %v", err)
		}
		keys, err := s.ListKeys(ctx, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 3 {
			t.Fatalf("keys = %d, want 3", len(keys))
		}
		for _, k := range keys {
			if k.Key != "" {
				t.Error("ListKeys returned a key")
			}
		}
	})
}

// TestAccountThreeDSecure checks the 3-D Secure settings: derived from the
// currency until set, set and reset, and a bad value refused without a
// change.
func TestAccountThreeDSecure(t *testing.T) {
	dbtest.RunDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := &sqlstore.AccountService{DB: db}
		jp := &kessai.Account{Email: "a@example.jp", Country: "JP", Currency: "jpy"}
		th := &kessai.Account{Email: "b@example.th", Country: "TH", Currency: "thb"}
		for _, a := range []*kessai.Account{jp, th} {
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		settings := func(id string) string {
			t.Helper()
			a, err := s.FindAccount(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return a.ThreeDSecure + "/" + a.ThreeDSecureUnavailable
		}
		if got := settings(jp.ID) + " " + settings(th.ID); got != "required/decline when_asked/decline" {
			t.Errorf("defaults: %s", got)
		}
		str := func(s string) *string { return &s }
		if err := s.SetThreeDSecure(ctx, jp.ID, kessai.ThreeDSecureSettings{Mode: str("when_asked"), Unavailable: str("authorize")}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetThreeDSecure(ctx, th.ID, kessai.ThreeDSecureSettings{Mode: str("required")}); err != nil {
			t.Fatal(err)
		}
		if got := settings(jp.ID) + " " + settings(th.ID); got != "when_asked/authorize required/decline" {
			t.Errorf("after setting: %s", got)
		}
		for _, bad := range []kessai.ThreeDSecureSettings{{Mode: str("always")}, {Mode: str("required"), Unavailable: str("maybe")}} {
			if err := s.SetThreeDSecure(ctx, jp.ID, bad); kessai.ErrorCode(err) != kessai.EBadRequest {
				t.Errorf("bad %v: %v", bad, err)
			}
		}
		if got := settings(jp.ID); got != "when_asked/authorize" {
			t.Errorf("after bad values: %s", got)
		}
		if err := s.SetThreeDSecure(ctx, jp.ID, kessai.ThreeDSecureSettings{Mode: str(""), Unavailable: str("")}); err != nil {
			t.Fatal(err)
		}
		if got := settings(jp.ID); got != "required/decline" {
			t.Errorf("after reset: %s", got)
		}
		if err := s.SetThreeDSecure(ctx, "acct_nothing", kessai.ThreeDSecureSettings{Mode: str("required")}); kessai.ErrorCode(err) != kessai.ENotFound {
			t.Errorf("unknown account: %v", err)
		}
	})
}
