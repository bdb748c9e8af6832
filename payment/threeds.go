package payment

import (
	"context"
	"strings"
	"time"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

// ThreeDSConfig turns on 3-D Secure for charges with a return_uri.
type ThreeDSConfig struct {
	// AuthorizeURL returns the authorize_uri of an authentication id (a
	// page of the gateway's 3DS Server). Required.
	AuthorizeURL func(id string) string
	// NewTransID returns a new threeDSServerTransID (a UUID). Required.
	NewTransID func() string
	// PendingTimeout is how long a new authentication waits for the
	// browser to open its page before the sweeper fails it; 0 means
	// DefaultPendingTimeout.
	PendingTimeout time.Duration
	// SweepInterval is how often Run looks for authentications past their
	// deadline; 0 means DefaultThreeDSSweep.
	SweepInterval time.Duration
	// MessageRetention is how long the raw EMV 3DS messages are kept;
	// 0 means DefaultMessageRetention.
	MessageRetention time.Duration
}

// Defaults of [ThreeDSConfig].
const (
	DefaultPendingTimeout = 10 * time.Minute
	DefaultThreeDSSweep   = 5 * time.Second
	// DefaultMessageRetention keeps the raw messages past the card
	// schemes' usual dispute windows (120 days from the transaction, and
	// the time to answer one), and no longer: they carry the cardholder's
	// addresses, email, IP address and browser details.
	DefaultMessageRetention = 180 * 24 * time.Hour
)

// The retention sweep deletes up to messageSweepBatch messages every
// messageSweepEvery, and again at the next tick while it finds a full
// batch.
const (
	messageSweepEvery = time.Hour
	messageSweepBatch = 1000
)

// secrets is the part of the vault that seals non-card secrets (the CAVV);
// *vault.Vault implements it.
type secrets interface {
	SealSecret(ctx context.Context, plaintext, ad []byte) ([]byte, error)
	OpenSecret(ctx context.Context, ct, ad []byte) ([]byte, error)
}

var _ kessai.AuthenticationService = (*Service)(nil)

// cavvAD binds a sealed CAVV to its authentication.
func cavvAD(id string) []byte { return []byte("threeds/cavv/" + id) }

// wants3DS reports whether a charge goes through 3-D Secure on the
// merchant's word or by the account's policy; the fraud engine may still
// ask for it afterwards. Fails with EBadRequest for an authentication other
// than 3DS, or one asked for without return_uri or when 3-D Secure is off.
func (s *Service) wants3DS(acct *kessai.Account, in *kessai.ChargeInput) (bool, error) {
	hasReturn := in.ReturnURI != nil && *in.ReturnURI != ""
	switch strings.ToUpper(in.Authentication) {
	case "":
	case "3DS":
		if !hasReturn {
			return false, kessai.Errorf(kessai.EBadRequest, "return_uri is required with authentication 3DS")
		}
		if s.threeDS == nil {
			return false, kessai.Errorf(kessai.EBadRequest, "3-D Secure is not available")
		}
		return true, nil
	default:
		return false, kessai.Errorf(kessai.EBadRequest, "authentication must be 3DS")
	}
	if !hasReturn || s.threeDS == nil {
		return false, nil
	}
	mode := acct.ThreeDSecure
	if mode == "" {
		mode = kessai.DefaultThreeDSecure(acct.Currency)
	}
	return mode == kessai.ThreeDSRequired, nil
}

// authorizes reports whether a final authentication lets the payment be
// authorized: Y and A with their CAVV; I, and U when the account's policy
// says authorize, without one.
func authorizes(a *kessai.Authentication, acct *kessai.Account) bool {
	switch a.State {
	case kessai.AuthAuthenticated, kessai.AuthAttempted, kessai.AuthInformational:
		return true
	case kessai.AuthUnavailable:
		return acct != nil && acct.ThreeDSecureUnavailable == kessai.ThreeDSAuthorize
	}
	return false
}

// unauthenticatedECI returns the ECI of an authorization without
// authentication for the card's brand: 00 for Mastercard, 07 otherwise.
func unauthenticatedECI(ch *kessai.Charge) string {
	if ch.Card != nil && strings.EqualFold(ch.Card.Brand, "MasterCard") {
		return "00"
	}
	return "07"
}

// steer3DS sends the charge of r through 3-D Secure when the fraud
// decision d asks for it and the charge has a return_uri to come back to,
// and never a charge the decision blocks. It runs before the charge's
// write, so that a token's security code is kept for the authorization.
func (s *Service) steer3DS(r *chargeRequest, in *kessai.ChargeInput, d *kessai.FraudDecision) {
	switch {
	case d == nil:
	case d.Action == kessai.FraudBlock:
		r.threeDS = false
	case !r.threeDS && d.Request3DS && s.threeDS != nil && in.ReturnURI != nil && *in.ReturnURI != "":
		r.threeDS = true
	}
}

// storeCharge stores a new charge as insertCharge does; when it goes
// through 3-D Secure (r.threeDS, see wants3DS and steer3DS), the charge is
// stored pending without anything in flight, with its authorize_uri, a new
// authentication and the charge.create event, and nothing is sent. A
// charge held for review stays held after its authentication.
func (s *Service) storeCharge(tx *sqlstore.Tx, r *chargeRequest, ch *kessai.Charge, fa *kessai.FraudAttributes, d *kessai.FraudDecision, record func(*sqlstore.Tx) error) error {
	if !r.threeDS {
		return s.insertCharge(tx, ch, fa, d, record)
	}
	if err := seeCard(tx, fa); err != nil {
		return err
	}
	if holdForReview(ch, d) {
		if err := openReview(tx, ch, d); err != nil {
			return err
		}
	}
	a := &kessai.Authentication{
		ID: kessai.NewID(kessai.PrefixPayment, ch.Livemode), ChargeID: ch.ID, AccountID: ch.AccountID, Livemode: ch.Livemode,
		State: kessai.AuthPending, ServerTransID: s.threeDS.NewTransID(), Deadline: tx.Now.Add(s.pendingTimeout()),
	}
	method, uri := "3DS", s.threeDS.AuthorizeURL(a.ID)
	ch.Authentication, ch.AuthorizeURI = &method, &uri
	ch.ThreeDSecure = a.Summary()
	ch.Inflight, ch.InflightAt = "", time.Time{}
	if d != nil {
		if err := tx.InsertFraudDecision(ch.AccountID, ch.Livemode, d); err != nil {
			return err
		}
	}
	if err := tx.InsertCharge(ch); err != nil {
		return err
	}
	if err := tx.InsertAuthentication(a); err != nil {
		return err
	}
	if ch.TokenID != "" {
		if err := s.vault.SetTokenChargeStatus(tx, ch.TokenID, string(ch.Status)); err != nil {
			return err
		}
	}
	return addEvent(tx, kessai.EventChargeCreate, ch.AccountID, ch.Livemode, ch.ID, ch)
}

func (s *Service) pendingTimeout() time.Duration {
	if s.threeDS.PendingTimeout > 0 {
		return s.threeDS.PendingTimeout
	}
	return DefaultPendingTimeout
}

// FindAuthentication returns an authentication; see
// [kessai.AuthenticationService].
func (s *Service) FindAuthentication(ctx context.Context, id string) (*kessai.Authentication, error) {
	a, _, err := s.db.FindAuthentication(ctx, id)
	return a, err
}

// FindAuthenticationByTransID returns the authentication of a
// threeDSServerTransID; see [kessai.AuthenticationService].
func (s *Service) FindAuthenticationByTransID(ctx context.Context, transID string) (*kessai.Authentication, error) {
	a, _, err := s.db.FindAuthenticationByTransID(ctx, transID)
	return a, err
}

// AuthenticationCharge returns the charge of an authentication.
func (s *Service) AuthenticationCharge(ctx context.Context, a *kessai.Authentication) (*kessai.Charge, error) {
	return s.db.FindCharge(ctx, a.AccountID, a.Livemode, a.ChargeID)
}

// AuthenticationCard reveals the card of an open authentication for its
// AReq; see [kessai.AuthenticationService].
func (s *Service) AuthenticationCard(ctx context.Context, a *kessai.Authentication) (*kessai.AuthenticationCard, error) {
	if a.State.Final() {
		return nil, kessai.Errorf(kessai.EBadRequest, "authentication is finished")
	}
	ch, err := s.AuthenticationCharge(ctx, a)
	if err != nil {
		return nil, err
	}
	if ch.Card == nil {
		return nil, kessai.Errorf(kessai.EMissingCard, "charge has no card")
	}
	cd, err := s.vault.RevealCard(ctx, ch.Card.ID)
	if err != nil {
		return nil, err
	}
	return &kessai.AuthenticationCard{Number: cd.Number, ExpirationMonth: cd.ExpirationMonth, ExpirationYear: cd.ExpirationYear, Name: cd.Name}, nil
}

// SaveAuthentication stores an open step of a with its messages; see
// [kessai.AuthenticationService].
func (s *Service) SaveAuthentication(ctx context.Context, a *kessai.Authentication, msgs ...*kessai.AuthenticationMessage) error {
	if a.State.Final() {
		return kessai.Errorf(kessai.EBadRequest, "a final state is stored by FinishAuthentication")
	}
	return s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		if err := tx.UpdateAuthentication(a, nil); err != nil {
			return err
		}
		return tx.AddAuthenticationMessages(msgs...)
	})
}

// FinishAuthentication stores the final state of a and settles its charge;
// see [kessai.AuthenticationService].
func (s *Service) FinishAuthentication(ctx context.Context, a *kessai.Authentication, msgs ...*kessai.AuthenticationMessage) (*kessai.Charge, error) {
	if !a.State.Final() {
		return nil, kessai.Errorf(kessai.EBadRequest, "authentication state %s is not final", a.State)
	}
	ctx = detach(ctx)
	var sealed []byte
	if a.CAVV != "" {
		sc, ok := s.vault.(secrets)
		if !ok {
			return nil, kessai.Errorf(kessai.EInternal, "vault cannot seal the authentication value")
		}
		var err error
		if sealed, err = sc.SealSecret(ctx, []byte(a.CAVV.Reveal()), cavvAD(a.ID)); err != nil {
			return nil, err
		}
	}
	ch, err := s.AuthenticationCharge(ctx, a)
	if err != nil {
		return nil, err
	}
	// A charge settled otherwise meanwhile (expired by the merchant)
	// only records the authentication's end.
	open := ch.Status == kessai.ChargePending && ch.AuthorizedAt == nil && ch.Inflight == ""
	var acct *kessai.Account
	if a.State == kessai.AuthUnavailable && open {
		if acct, err = s.account(ctx, ch.AccountID); err != nil {
			return nil, err
		}
	}
	ok := authorizes(a, acct) && open
	// Without authentication (I, U) the authorization carries no CAVV
	// and the ECI of an unauthenticated e-commerce payment.
	eci, cavv := a.ECI, a.CAVV.Reveal()
	if ok && !a.State.Succeeded() {
		eci, cavv = unauthenticatedECI(ch), ""
		a.ECI = eci // the summary shows what the authorization carried
	}
	var cd *vault.CardData
	var prep kessai.PreparedAuth
	var areq *kessai.AuthRequest
	cred := kessai.StoredCredentialCardholder
	if ch.TokenID != "" {
		cred = kessai.StoredCredentialNone
	}
	if ok {
		pl, isPreparing := s.link.(kessai.PreparingLink)
		if !isPreparing {
			return nil, kessai.Errorf(kessai.EInternal, "the network link cannot carry 3-D Secure data")
		}
		areq = &kessai.AuthRequest{
			Reference: ch.ID, MerchantID: ch.AccountID, Amount: ch.Amount, Currency: ch.Currency, StoredCredential: cred,
			ECI: eci, CAVV: cavv, ThreeDSVersion: a.MessageVersion, DSTransactionID: a.DSTransID,
		}
		if prep, err = pl.PrepareAuthorize(ctx, areq, ch.Capture); err != nil {
			// The link is down: the authentication stands, the
			// payment fails like any charge the network refused.
			s.log.Warn("payment: authorization after 3-D Secure not sent", "charge", ch.ID, "err", err)
			ok = false
		}
		if ok && ch.TokenID == "" {
			if cd, err = s.vault.RevealCard(ctx, ch.Card.ID); err != nil {
				return nil, err
			}
		}
	}
	err = s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		// Only one callback (RReq, CRes, sweeper) finishes it.
		cur, _, err := tx.FindAuthentication(a.ID)
		if err != nil {
			return err
		}
		if cur.State.Final() || cur.Version != a.Version {
			return kessai.Errorf(kessai.EConflict, "authentication %s was changed by another request", a.ID)
		}
		if err := tx.UpdateAuthentication(a, sealed); err != nil {
			return err
		}
		if err := tx.AddAuthenticationMessages(msgs...); err != nil {
			return err
		}
		ch.ThreeDSecure = a.Summary()
		if !open {
			return tx.UpdateCharge(ch)
		}
		if !ok {
			code := "payment_rejected"
			switch {
			case a.State == kessai.AuthTimeout:
				code = "timeout"
			case authorizes(a, acct), a.State == kessai.AuthError:
				// The network or the 3-D Secure system failed,
				// not the card.
				code = "failed_processing"
			}
			ch.MarkFailed(code, authFailureMessage(a))
			if err := tx.UpdateCharge(ch); err != nil {
				return err
			}
			if ch.TokenID != "" {
				if err := s.vault.SetTokenChargeStatus(tx, ch.TokenID, string(ch.Status)); err != nil {
					return err
				}
			}
			return addEvent(tx, kessai.EventChargeComplete, ch.AccountID, ch.Livemode, ch.ID, ch)
		}
		if ch.TokenID != "" {
			var err error
			if cd, err = s.vault.RevealToken(tx, ch.TokenID); err != nil {
				return err
			}
		}
		areq.Card, areq.ExpirationMonth, areq.ExpirationYear = cd.Number, cd.ExpirationMonth, cd.ExpirationYear
		areq.SecurityCode = cd.SecurityCode
		if err := tx.InsertNetworkMessage(prep.Record()); err != nil {
			return err
		}
		if a.State.Succeeded() {
			by := "3DS"
			ch.AuthenticatedBy = &by
		}
		ch.MarkInflight(kessai.InflightAuthorize, tx.Now)
		return tx.UpdateCharge(ch)
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return ch, nil
	}
	return s.authorize(ctx, ch, cd, cred, prep)
}

// authFailureMessage describes why an authentication let no payment through.
func authFailureMessage(a *kessai.Authentication) string {
	switch a.State {
	case kessai.AuthTimeout:
		return "3-D Secure authentication timed out"
	case kessai.AuthFailed:
		return "3-D Secure authentication failed"
	case kessai.AuthRejected:
		return "the card issuer rejected the payment during 3-D Secure authentication"
	case kessai.AuthUnavailable:
		return "3-D Secure authentication could not be performed"
	case kessai.AuthError:
		return "3-D Secure authentication failed with an error"
	}
	return ""
}

// SweepAuthentications moves the open authentications past their deadline
// to timeout, failing their charges, and returns how many it moved. A
// record changed meanwhile (its callback came in) is left alone.
func (s *Service) SweepAuthentications(ctx context.Context) (int, error) {
	list, err := s.db.OverdueAuthentications(ctx, s.now(), batch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range list {
		a.State, a.ErrorDetail = kessai.AuthTimeout, "timed out in state "+string(a.State)
		if _, err := s.FinishAuthentication(ctx, a); err != nil {
			if kessai.ErrorCode(err) != kessai.EConflict {
				s.log.Warn("payment: time out authentication", "authentication", a.ID, "err", err)
			}
			continue
		}
		n++
	}
	return n, nil
}

// runThreeDS sweeps overdue authentications every SweepInterval until ctx
// ends.
func (s *Service) runThreeDS(ctx context.Context) {
	every := s.threeDS.SweepInterval
	if every <= 0 {
		every = DefaultThreeDSSweep
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var lastMessages time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.SweepAuthentications(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("payment: sweep authentications", "err", err)
		} else if n > 0 {
			s.log.Info("payment: authentications timed out", "count", n)
		}
		if time.Since(lastMessages) >= messageSweepEvery {
			lastMessages = time.Now()
			n, err := s.SweepThreeDSMessages(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Error("payment: sweep 3-D Secure messages", "err", err)
			}
			if n == messageSweepBatch {
				lastMessages = time.Time{} // more: again at the next tick
			}
		}
	}
}

// SweepThreeDSMessages deletes a batch of the raw 3-D Secure messages
// older than the retention and returns how many it deleted.
func (s *Service) SweepThreeDSMessages(ctx context.Context) (int, error) {
	keep := s.threeDS.MessageRetention
	if keep <= 0 {
		keep = DefaultMessageRetention
	}
	return s.db.SweepThreeDSMessages(ctx, s.now().Add(-keep), messageSweepBatch)
}
