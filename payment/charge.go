package payment

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kessai/kessai"
	"github.com/kessai/kessai/sqlstore"
	"github.com/kessai/kessai/vault"
)

// maxText bounds free-text parameters (description, email), in characters.
const maxText = 1000

// chargeRequest is a validated POST /charges.
type chargeRequest struct {
	in       *kessai.ChargeInput
	acct     *kessai.Account
	currency string
	capture  bool
	cred     kessai.StoredCredential
	// threeDS: the charge goes through 3-D Secure before its
	// authorization (see wants3DS and storeCharge).
	threeDS bool
}

// validateCharge checks everything of in that needs no database. It fails
// with EInvalidCharge for the amount and currency, EMissingCard when neither
// card nor customer is given, and EBadRequest for the other parameters.
func (s *Service) validateCharge(acct *kessai.Account, in *kessai.ChargeInput, now time.Time) (*chargeRequest, error) {
	cur, err := kessai.ValidateChargeAmount(acct, in.Currency, in.Amount)
	if err != nil {
		return nil, err
	}
	r := &chargeRequest{in: in, acct: acct, currency: cur, capture: in.Capture == nil || *in.Capture}
	switch {
	case in.Card == "" && in.Customer == "":
		return nil, kessai.Errorf(kessai.EMissingCard, "card or customer is required")
	case in.Card != "" && !kessai.HasPrefix(in.Card, kessai.PrefixToken) && !kessai.HasPrefix(in.Card, kessai.PrefixCard):
		return nil, kessai.Errorf(kessai.EInvalidCardToken, "card must be a token (tokn_…) or a customer's card (card_…)")
	case kessai.HasPrefix(in.Card, kessai.PrefixCard) && in.Customer == "":
		return nil, kessai.Errorf(kessai.EBadRequest, "customer is required to charge a saved card")
	}
	if err := checkText("description", in.Description); err != nil {
		return nil, err
	}
	if err := kessai.ValidateMetadata(in.Metadata); err != nil {
		return nil, err
	}
	switch in.AuthorizationType {
	case "", kessai.PreAuth, kessai.FinalAuth:
	default:
		return nil, kessai.Errorf(kessai.EBadRequest, "authorization_type must be pre_auth or final_auth")
	}
	if in.IP != nil && *in.IP != "" && net.ParseIP(*in.IP) == nil {
		return nil, kessai.Errorf(kessai.EBadRequest, "ip must be an IP address")
	}
	if in.ReturnURI != nil && *in.ReturnURI != "" && !validURL(*in.ReturnURI, false) {
		return nil, kessai.Errorf(kessai.EBadRequest, "return_uri must be an absolute http or https URL")
	}
	if len(in.WebhookEndpoints) > 2 {
		return nil, kessai.Errorf(kessai.EBadRequest, "webhook_endpoints may hold at most 2 URLs")
	}
	for _, u := range in.WebhookEndpoints {
		if !validURL(u, true) {
			return nil, kessai.Errorf(kessai.EBadRequest, "webhook_endpoints must be https URLs")
		}
	}
	if in.ExpiresAt != nil {
		max := kessai.ChargeExpiry(acct.Country, now)
		if !in.ExpiresAt.After(now) || in.ExpiresAt.After(max) {
			return nil, kessai.Errorf(kessai.EBadRequest, "expires_at must be in the future and at most %s", max.UTC().Format(kessai.TimeLayout))
		}
	}
	switch strings.ToUpper(in.TransactionIndicator) {
	case "", "CIT":
		r.cred = kessai.StoredCredentialCardholder
	case "MIT":
		r.cred = kessai.StoredCredentialMerchant
	default:
		return nil, kessai.Errorf(kessai.EBadRequest, "transaction_indicator must be MIT or CIT")
	}
	return r, nil
}

func checkText(name string, s *string) error {
	if s != nil && (!utf8.ValidString(*s) || utf8.RuneCountInString(*s) > maxText) {
		return kessai.Errorf(kessai.EBadRequest, "%s must be valid text of at most %d characters", name, maxText)
	}
	return nil
}

func validURL(s string, httpsOnly bool) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || len(s) > 2000 {
		return false
	}
	return u.Scheme == "https" || !httpsOnly && u.Scheme == "http"
}

// newCharge returns the charge of r as stored before its authorization is
// sent, created at now.
func (s *Service) newCharge(auth *kessai.Auth, r *chargeRequest, c *kessai.Card, now time.Time) *kessai.Charge {
	in := r.in
	ch := &kessai.Charge{
		ID:               kessai.NewID(kessai.PrefixCharge, auth.Livemode),
		Livemode:         auth.Livemode,
		AccountID:        auth.AccountID,
		Amount:           in.Amount,
		Currency:         r.currency,
		Status:           kessai.ChargePending,
		Capture:          r.capture,
		Description:      in.Description,
		Metadata:         in.Metadata,
		IP:               in.IP,
		ReturnURI:        in.ReturnURI,
		Fees:             s.fees(r.acct),
		Card:             c,
		WebhookEndpoints: in.WebhookEndpoints,
		CreatedAt:        kessai.Time{Time: now},
		ExpiresAt:        kessai.NewTime(kessai.ChargeExpiry(r.acct.Country, now)),
	}
	if in.ExpiresAt != nil {
		ch.ExpiresAt = kessai.NewTime(*in.ExpiresAt)
	}
	if in.AuthorizationType != "" {
		at := in.AuthorizationType
		ch.AuthorizationType = &at
	}
	if in.Customer != "" {
		cust := in.Customer
		ch.Customer = &cust
	}
	ch.MarkInflight(kessai.InflightAuthorize, now)
	return ch
}

// CreateCharge creates a charge; see [kessai.ChargeService.CreateCharge].
func (s *Service) CreateCharge(ctx context.Context, auth *kessai.Auth, in *kessai.ChargeInput) (*kessai.Charge, error) {
	acct, err := s.account(ctx, auth.AccountID)
	if err != nil {
		return nil, err
	}
	r, err := s.validateCharge(acct, in, s.now())
	if err != nil {
		return nil, err
	}
	if r.threeDS, err = s.wants3DS(acct, in); err != nil {
		return nil, err
	}
	var ch *kessai.Charge
	var cd *vault.CardData
	// The fraud screening, when the service has an engine: the charge's
	// attributes, its customer and the decision.
	var fa *kessai.FraudAttributes
	var cust *kessai.Customer
	var dec *kessai.FraudDecision
	token := kessai.HasPrefix(in.Card, kessai.PrefixToken)
	if token {
		r.cred = kessai.StoredCredentialNone
	}
	// With a link that can record its request in our transaction, the
	// charge in flight and the request's record commit together, and the
	// request's answer with the outcome; a charge captured at once is a
	// sale, one network exchange.
	id := kessai.NewID(kessai.PrefixCharge, auth.Livemode)
	areq := &kessai.AuthRequest{
		Reference: id, MerchantID: auth.AccountID, Amount: in.Amount, Currency: r.currency, StoredCredential: r.cred,
	}
	var prep kessai.PreparedAuth
	// prepare reserves the request once the fraud decision is known:
	// none for a charge blocked or going through 3-D Secure, an
	// authorization only for one held for review. On failure the charge
	// takes the one-step path, which fails the same way and stores the
	// failed charge.
	prepare := func() {
		pl, ok := s.link.(kessai.PreparingLink)
		if !ok || r.threeDS || dec != nil && dec.Action == kessai.FraudBlock {
			return
		}
		sale := r.capture && (dec == nil || dec.Action != kessai.FraudReview)
		if p, err := pl.PrepareAuthorize(ctx, areq, sale); err == nil {
			prep = p
		}
	}
	record := func(tx *sqlstore.Tx) error {
		if prep == nil {
			return nil
		}
		areq.Card, areq.ExpirationMonth, areq.ExpirationYear = cd.Number, cd.ExpirationMonth, cd.ExpirationYear
		areq.SecurityCode = cd.SecurityCode
		return tx.InsertNetworkMessage(prep.Record())
	}
	// The fraud screening runs before the write, on what the charge
	// will carry: the decision's counters may be remote (Redis), and the
	// single writer must never wait on them.
	ip := ""
	if in.IP != nil {
		ip = *in.IP
	}
	if token {
		if s.fraud != nil {
			tok, bin, err := s.vault.PeekToken(ctx, auth, in.Card)
			if err != nil {
				return nil, err
			}
			if in.Customer != "" {
				if cust, err = s.db.FindCustomer(ctx, auth.AccountID, auth.Livemode, in.Customer); err != nil {
					return nil, err
				}
			}
			if ip == "" {
				ip = tok.ClientIP
			}
			fa = fraudAttributes(auth, id, in.Amount, r.currency, in.Metadata, tok.Card, bin, cust, ip)
			if dec, err = s.screen(ctx, fa); err != nil {
				return nil, err
			}
			s.steer3DS(r, in, dec)
		}
		prepare()
		// A one-off card: the token is used, its card revealed (which
		// destroys the security code) and the charge stored, together.
		// Through 3-D Secure, the code stays in the vault until the
		// authorization that follows the authentication.
		err = s.db.Write(ctx, func(tx *sqlstore.Tx) error {
			if in.Customer != "" && cust == nil {
				if cust, err = tx.FindCustomer(auth.AccountID, auth.Livemode, in.Customer); err != nil {
					return err
				}
			}
			var tok *kessai.Token
			if r.threeDS {
				if tok, err = s.vault.UseToken(tx, auth, in.Card); err == nil {
					cd, err = s.vault.RevealCard(tx.Context(), tok.Card.ID)
				}
			} else {
				tok, cd, err = s.vault.SpendToken(tx, auth, in.Card)
			}
			if err != nil {
				return err
			}
			c := *tok.Card
			ch = s.newCharge(auth, r, &c, tx.Now)
			ch.ID = id
			ch.TokenID = tok.ID
			return s.storeCharge(tx, r, ch, fa, dec, record)
		})
	} else {
		// A saved card: the customer's default card or the one named.
		var c *kessai.Card
		if c, err = s.customerCard(ctx, auth, in.Customer, in.Card); err != nil {
			return nil, err
		}
		if cd, err = s.vault.RevealCard(ctx, c.ID); err != nil {
			return nil, err
		}
		if s.fraud != nil {
			if cust, err = s.db.FindCustomer(ctx, auth.AccountID, auth.Livemode, in.Customer); err != nil {
				return nil, err
			}
			fa = fraudAttributes(auth, id, in.Amount, r.currency, in.Metadata, c, cd.Number.BIN(), cust, ip)
			if dec, err = s.screen(ctx, fa); err != nil {
				return nil, err
			}
			s.steer3DS(r, in, dec)
		}
		prepare()
		err = s.db.Write(ctx, func(tx *sqlstore.Tx) error {
			ch = s.newCharge(auth, r, c, tx.Now)
			ch.ID = id
			return s.storeCharge(tx, r, ch, fa, dec, record)
		})
	}
	if err != nil {
		return nil, err
	}
	if dec != nil && dec.Action == kessai.FraudBlock {
		// Stored failed with its event: nothing was sent.
		s.recordFraud(ctx, fa, dec, kessai.FraudBlocked)
		return ch, nil
	}
	if r.threeDS {
		// Pending until the authentication ends (FinishAuthentication).
		return ch, nil
	}
	ch, err = s.authorize(detach(ctx), ch, cd, r.cred, prep)
	if err == nil && dec != nil {
		switch {
		case ch.Status != kessai.ChargeFailed:
			s.recordFraud(ctx, fa, dec, kessai.FraudApproved)
		case issuerDecline(ch):
			s.recordFraud(ctx, fa, dec, kessai.FraudDeclined)
		default:
			// A network failure (timeout, link down) says nothing
			// about the card: the velocity counters are not fed.
		}
	}
	return ch, err
}

// fraudAttributes describes the charge id (not yet stored) of amount in
// currency with metadata meta, on card c whose number starts with bin, to
// the fraud engine; cust is the charge's customer or nil, ip the charge's
// ip parameter or the token's client address.
func fraudAttributes(auth *kessai.Auth, id string, amount int64, currency string, meta kessai.Metadata, c *kessai.Card, bin string, cust *kessai.Customer, ip string) *kessai.FraudAttributes {
	a := &kessai.FraudAttributes{
		AccountID: auth.AccountID, Livemode: auth.Livemode, ChargeID: id,
		Amount: amount, Currency: currency, BIN: bin, IP: ip,
	}
	if c != nil {
		a.Brand, a.CardCountry, a.Funding, a.Fingerprint = c.Brand, c.Country, c.Financing, c.Fingerprint
	}
	if cust != nil {
		a.CustomerID = cust.ID
		if cust.Email != nil {
			a.Email = *cust.Email
		}
		a.CustomerCreatedAt = cust.CreatedAt.Time
	}
	// The countries (docs/fraud.md); CardNewToMerchant is set by screen.
	fraudGeo(a, meta, c)
	return a
}

// screen asks the fraud engine about the charge a describes, before the
// charge's write (the single writer never waits on the engine's counters,
// which may be in Redis), after finding whether its card is new to the
// merchant. The decision is returned for insertCharge to apply and store.
func (s *Service) screen(ctx context.Context, a *kessai.FraudAttributes) (*kessai.FraudDecision, error) {
	if err := s.cardIsNew(ctx, a); err != nil {
		return nil, err
	}
	d, err := s.fraud.Screen(ctx, a)
	if err != nil {
		return nil, err
	}
	d.Charge = a.ChargeID
	return d, nil
}

// insertCharge stores the new charge ch in tx with its fraud decision d
// (nil: not screened) made on the attributes fa, and applies it: a blocked
// charge is stored failed with failed_fraud_check, its event and the
// token's charge_status, and never reaches the network; a charge held for
// review is an authorization only, with a review.open event. A charge to
// send has its network request recorded with it. A card new to the
// merchant is recorded as seen.
func (s *Service) insertCharge(tx *sqlstore.Tx, ch *kessai.Charge, fa *kessai.FraudAttributes, d *kessai.FraudDecision, record func(*sqlstore.Tx) error) error {
	if err := seeCard(tx, fa); err != nil {
		return err
	}
	if d != nil && d.Action == kessai.FraudBlock {
		ch.MarkFailed(kessai.EFailedFraudCheck, "")
	}
	if holdForReview(ch, d) {
		if err := openReview(tx, ch, d); err != nil {
			return err
		}
	}
	if d != nil {
		if err := tx.InsertFraudDecision(ch.AccountID, ch.Livemode, d); err != nil {
			return err
		}
	}
	if d == nil || d.Action != kessai.FraudBlock {
		if err := record(tx); err != nil {
			return err
		}
		return tx.InsertCharge(ch)
	}
	if err := tx.InsertCharge(ch); err != nil {
		return err
	}
	if ch.TokenID != "" {
		if err := s.vault.SetTokenChargeStatus(tx, ch.TokenID, string(ch.Status)); err != nil {
			return err
		}
	}
	return addEvent(tx, kessai.EventChargeCreate, ch.AccountID, ch.Livemode, ch.ID, ch)
}

// recordFraud feeds the fraud engine the outcome of a screened charge.
func (s *Service) recordFraud(ctx context.Context, a *kessai.FraudAttributes, d *kessai.FraudDecision, outcome kessai.FraudOutcome) {
	if err := s.fraud.Record(detach(ctx), a, d, outcome); err != nil {
		s.log.Warn("payment: fraud record", "charge", a.ChargeID, "err", err)
	}
}

// issuerDecline reports whether the failed charge ch was refused by the
// issuer, rather than failed by the network (timeout, failed_processing).
func issuerDecline(ch *kessai.Charge) bool {
	if ch.FailureCode == nil {
		return false
	}
	switch *ch.FailureCode {
	case "timeout", "failed_processing":
		return false
	}
	return true
}

// customerCard returns the card cardID of a customer, or its default card
// when cardID is "". Fails with ENotFound, or EMissingCard when the customer
// has no card.
func (s *Service) customerCard(ctx context.Context, auth *kessai.Auth, customerID, cardID string) (*kessai.Card, error) {
	if cardID == "" {
		cust, err := s.db.FindCustomer(ctx, auth.AccountID, auth.Livemode, customerID)
		if err != nil {
			return nil, err
		}
		if cust.DefaultCard == nil {
			return nil, kessai.Errorf(kessai.EMissingCard, "customer %s has no card", customerID)
		}
		cardID = *cust.DefaultCard
	}
	return s.db.FindCustomerCard(ctx, auth.AccountID, auth.Livemode, customerID, cardID)
}

// authorize sends a stored charge's authorization (and its capture when the
// charge asks for one), then stores the outcome with its event, its ledger
// transaction and the token's charge_status, and returns the charge. With
// prep, the authorization was prepared by the link and recorded with the
// charge: it is sent as prepared (a sale when the charge is captured), and
// its answer is recorded with the outcome.
func (s *Service) authorize(ctx context.Context, ch *kessai.Charge, cd *vault.CardData, cred kessai.StoredCredential, prep kessai.PreparedAuth) (*kessai.Charge, error) {
	var res *kessai.AuthResult
	var err error
	if prep != nil {
		res, err = s.link.(kessai.PreparingLink).SendAuthorize(ctx, prep)
	} else {
		res, err = s.link.Authorize(ctx, &kessai.AuthRequest{
			Reference:        ch.ID,
			MerchantID:       ch.AccountID,
			Card:             cd.Number,
			ExpirationMonth:  cd.ExpirationMonth,
			ExpirationYear:   cd.ExpirationYear,
			SecurityCode:     cd.SecurityCode,
			Amount:           ch.Amount,
			Currency:         ch.Currency,
			StoredCredential: cred,
		})
	}
	// answer is the answer to record with the outcome.
	var answer *kessai.AuthResult
	if prep != nil && err == nil {
		answer = res
	}
	codeSent := !cd.SecurityCode.IsZero()
	var approval string
	captured := false
	switch {
	case err != nil:
		s.log.Warn("payment: authorization failed", "charge", ch.ID, "err", err)
		ch.MarkFailed(networkFailure(err), "")
	case !res.Approved:
		ch.MarkFailed(declineCode(&res.NetworkResult), res.FailureMessage)
	default:
		ch.NetworkRef, approval = res.NetworkRef, res.ApprovalCode
		if codeSent && ch.Card != nil {
			ch.Card.SecurityCodeCheck = res.SecurityCodeCheck()
		}
		switch {
		case !ch.Capture:
		case prep != nil:
			// A sale: the issuer posted it with its approval.
			captured = true
		default:
			if cerr := s.captureNow(ctx, ch, res); cerr != nil {
				ch.MarkFailed(networkFailure(cerr), "")
			} else {
				captured = true
			}
		}
	}
	err = s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		if answer != nil {
			ok, err := tx.AnswerNetworkMessage(answer.NetworkRef, answer.ResponseCode, answer.ApprovalCode)
			if err != nil {
				return err
			}
			if !ok && ch.Status != kessai.ChargeFailed {
				// The link gave the request up meanwhile and is
				// reversing it: the answer must not be used.
				s.log.Error("payment: authorization answered after it was given up", "charge", ch.ID)
				ch.NetworkRef, captured = "", false
				ch.MarkFailed("timeout", "")
			}
		}
		if ch.Status != kessai.ChargeFailed {
			ch.MarkAuthorized(tx.Now, approval)
			if captured {
				if err := s.credit(tx, ch, ch.Amount); err != nil {
					return err
				}
			}
		}
		if err := tx.UpdateCharge(ch); err != nil {
			return err
		}
		if ch.TokenID != "" {
			if err := s.vault.SetTokenChargeStatus(tx, ch.TokenID, string(ch.Status)); err != nil {
				return err
			}
		}
		key := kessai.EventChargeCreate
		if ch.Authentication != nil {
			// Authorized after 3-D Secure: the charge was created
			// (charge.create) when the authentication began.
			key = kessai.EventChargeComplete
		}
		return addEvent(tx, key, ch.AccountID, ch.Livemode, ch.ID, ch)
	})
	if err != nil {
		if kessai.ErrorCode(err) == kessai.EConflict {
			// The recovery pass took the charge for lost and settled it.
			s.log.Error("payment: charge settled by recovery while its authorization was answered", "charge", ch.ID)
			return s.db.FindCharge(ctx, ch.AccountID, ch.Livemode, ch.ID)
		}
		return nil, err
	}
	return ch, nil
}

// captureNow posts the approved authorization res of ch in full. When the
// capture fails, it reverses the authorization and returns the error whose
// failure code the charge fails with.
func (s *Service) captureNow(ctx context.Context, ch *kessai.Charge, res *kessai.AuthResult) error {
	cres, err := s.link.Capture(ctx, &kessai.NetworkCaptureRequest{Reference: ch.ID, NetworkRef: res.NetworkRef, Amount: ch.Amount})
	if err == nil && cres.Approved {
		return nil
	}
	if err == nil {
		err = &declined{cres}
	}
	s.log.Warn("payment: capture after authorization failed; reversing", "charge", ch.ID, "err", err)
	if _, rerr := s.link.Reverse(ctx, &kessai.NetworkReverseRequest{Reference: ch.ID, NetworkRef: res.NetworkRef}); rerr != nil {
		s.log.Error("payment: reverse after failed capture", "charge", ch.ID, "err", rerr)
	}
	return err
}

// declined is a network answer that refused a request.
type declined struct{ res *kessai.NetworkResult }

func (d *declined) Error() string { return "declined: " + d.res.ResponseCode }

// networkFailure returns the charge failure code of a failed network
// request: timeout when the network did not answer, the decline's code for
// a refusal, failed_processing otherwise.
func networkFailure(err error) string {
	if d, ok := errors.AsType[*declined](err); ok {
		return declineCode(d.res)
	}
	if errors.Is(err, kessai.ErrNetworkTimeout) {
		return "timeout"
	}
	return "failed_processing"
}

// declineCode returns the failure code of a refusal.
func declineCode(res *kessai.NetworkResult) string {
	if res.FailureCode != "" {
		return res.FailureCode
	}
	return "payment_rejected"
}

// credit captures amount of ch in tx: it stores the ledger credit (net of
// fee and VAT, transferable after the settlement delay) and marks the charge
// captured. The caller stores the charge.
func (s *Service) credit(tx *sqlstore.Tx, ch *kessai.Charge, amount int64) error {
	_, _, net := ch.Fees.Apply(amount)
	t := &kessai.Transaction{
		AccountID: ch.AccountID, Livemode: ch.Livemode, Direction: kessai.Credit, Key: kessai.TransactionChargeCapture,
		Origin: ch.ID, Amount: net, Currency: ch.Currency, TransferableAt: kessai.Time{Time: tx.Now.Add(kessai.SettlementDelay)},
	}
	if err := tx.InsertTransaction(t); err != nil {
		return err
	}
	ch.MarkCaptured(amount, tx.Now, t.ID)
	return nil
}

// FindCharge returns a charge; see [kessai.ChargeService.FindCharge].
func (s *Service) FindCharge(ctx context.Context, auth *kessai.Auth, id string) (*kessai.Charge, error) {
	return s.db.FindCharge(ctx, auth.AccountID, auth.Livemode, id)
}

// ListCharges returns a page of charges; see [kessai.ChargeService.ListCharges].
func (s *Service) ListCharges(ctx context.Context, auth *kessai.Auth, p kessai.ListParams) (*kessai.List[*kessai.Charge], error) {
	return s.db.ListCharges(ctx, auth.AccountID, auth.Livemode, p)
}

// UpdateCharge changes a charge's description and metadata, with a
// charge.update event; see [kessai.ChargeService.UpdateCharge].
func (s *Service) UpdateCharge(ctx context.Context, auth *kessai.Auth, id string, upd *kessai.ChargeUpdate) (*kessai.Charge, error) {
	if err := checkText("description", upd.Description); err != nil {
		return nil, err
	}
	if err := kessai.ValidateMetadata(upd.Metadata); err != nil {
		return nil, err
	}
	err := s.db.Write(ctx, func(tx *sqlstore.Tx) error {
		ch, err := tx.FindCharge(auth.AccountID, auth.Livemode, id)
		if err != nil {
			return err
		}
		if upd.Description != nil {
			ch.Description = upd.Description
		}
		if upd.Metadata != nil {
			ch.Metadata = upd.Metadata
		}
		if err := tx.UpdateCharge(ch); err != nil {
			return err
		}
		return addEvent(tx, kessai.EventChargeUpdate, ch.AccountID, ch.Livemode, ch.ID, ch)
	})
	if err != nil {
		return nil, err
	}
	return s.db.FindCharge(ctx, auth.AccountID, auth.Livemode, id)
}
