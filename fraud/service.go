package fraud

import (
	"context"
	"regexp"
	"strings"

	"github.com/kessai/kessai"
)

// Service is the management API of an engine's rules and lists; it
// implements [kessai.FraudService]. Changes apply at once on this node and
// within the engine's CacheTTL on the others.
type Service struct{ e *Engine }

var _ kessai.FraudService = (*Service)(nil)

// Service returns the engine's management service; the engine needs a Store.
func (e *Engine) Service() *Service { return &Service{e: e} }

func (s *Service) store() (Store, error) {
	if s.e.c.Store == nil {
		return nil, kessai.Errorf(kessai.EUnavailable, "fraud rules are not stored on this server")
	}
	return s.e.c.Store, nil
}

func ruleLocation(r *kessai.FraudRule) {
	r.Object = "fraud_rule"
	r.Location = "/fraud/rules/" + r.ID
}

// MaxDescription bounds a rule's description.
const MaxDescription = 500

// MaxRules bounds an account's custom rules.
const MaxRules = 200

// CreateRule implements [kessai.FraudService].
func (s *Service) CreateRule(ctx context.Context, auth *kessai.Auth, in *kessai.FraudRuleInput) (*kessai.FraudRule, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	if in.Rule == nil {
		return nil, kessai.Errorf(kessai.EBadRequest, "rule is required")
	}
	c, err := Compile(*in.Rule)
	if err != nil {
		return nil, err
	}
	rules, err := st.FraudRules(ctx, auth.AccountID, auth.Livemode)
	if err != nil {
		return nil, err
	}
	if len(rules) >= MaxRules+len(DefaultRules) {
		return nil, kessai.Errorf(kessai.EBadRequest, "too many rules (at most %d)", MaxRules)
	}
	now := kessai.Time{Time: s.e.c.Now().UTC()}
	r := &kessai.FraudRule{ID: kessai.NewID(kessai.PrefixFraudRule, auth.Livemode), Livemode: auth.Livemode,
		Rule: c.Source, Action: c.Action, Enabled: true, AccountID: auth.AccountID, CreatedAt: now, UpdatedAt: now}
	if err := applyRuleInput(r, in); err != nil {
		return nil, err
	}
	if err := st.PutFraudRule(ctx, r); err != nil {
		return nil, err
	}
	s.e.Invalidate(auth.AccountID, auth.Livemode)
	ruleLocation(r)
	return r, nil
}

func applyRuleInput(r *kessai.FraudRule, in *kessai.FraudRuleInput) error {
	if in.Description != nil {
		if len(*in.Description) > MaxDescription {
			return kessai.Errorf(kessai.EBadRequest, "description is too long (at most %d bytes)", MaxDescription)
		}
		r.Description = *in.Description
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	if in.Shadow != nil {
		r.Shadow = *in.Shadow
	}
	return nil
}

// UpdateRule implements [kessai.FraudService].
func (s *Service) UpdateRule(ctx context.Context, auth *kessai.Auth, id string, in *kessai.FraudRuleInput) (*kessai.FraudRule, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	r, err := s.FindRule(ctx, auth, id)
	if err != nil {
		return nil, err
	}
	if in.Rule != nil {
		if r.Default {
			return nil, kessai.Errorf(kessai.EBadRequest, "a built-in rule cannot be rewritten: disable it and create your own")
		}
		c, err := Compile(*in.Rule)
		if err != nil {
			return nil, err
		}
		r.Rule, r.Action = c.Source, c.Action
	}
	if err := applyRuleInput(r, in); err != nil {
		return nil, err
	}
	now := kessai.Time{Time: s.e.c.Now().UTC()}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.UpdatedAt = now
	if err := st.PutFraudRule(ctx, r); err != nil {
		return nil, err
	}
	s.e.Invalidate(auth.AccountID, auth.Livemode)
	return s.FindRule(ctx, auth, id)
}

// ListRules implements [kessai.FraudService].
func (s *Service) ListRules(ctx context.Context, auth *kessai.Auth) ([]*kessai.FraudRule, error) {
	sc := scope{auth.AccountID, auth.Livemode}
	rules, err := s.e.allRules(ctx, sc)
	if err != nil {
		return nil, err
	}
	stats := map[string]kessai.FraudRuleStats{}
	if st := s.e.c.Store; st != nil {
		ss, err := st.FraudRuleStats(ctx, auth.AccountID, auth.Livemode)
		if err != nil {
			return nil, err
		}
		for _, x := range ss {
			stats[x.RuleID] = x
		}
	}
	for _, r := range rules {
		if c, err := Compile(r.Rule); err == nil {
			r.Action = c.Action
		}
		x := stats[r.ID]
		f, b, v := s.e.pending(sc, r.ID)
		r.Fired, r.Blocked, r.Reviewed = x.Fired+f, x.Blocked+b, x.Reviewed+v
		r.Livemode = auth.Livemode
		ruleLocation(r)
	}
	return rules, nil
}

// FindRule implements [kessai.FraudService].
func (s *Service) FindRule(ctx context.Context, auth *kessai.Auth, id string) (*kessai.FraudRule, error) {
	rules, err := s.ListRules(ctx, auth)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if r.ID == id {
			return r, nil
		}
	}
	return nil, kessai.NotFound("fraud rule", id)
}

// DeleteRule implements [kessai.FraudService].
func (s *Service) DeleteRule(ctx context.Context, auth *kessai.Auth, id string) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	if IsDefaultRule(id) {
		return kessai.Errorf(kessai.EBadRequest, "a built-in rule cannot be deleted: disable it instead")
	}
	if err := st.DeleteFraudRule(ctx, auth.AccountID, auth.Livemode, id); err != nil {
		return err
	}
	s.e.Invalidate(auth.AccountID, auth.Livemode)
	return nil
}

var (
	reBIN         = regexp.MustCompile(`^[0-9]{6}$|^[0-9]{8}$`)
	reCountry     = regexp.MustCompile(`^[A-Z]{2}$`)
	reFingerprint = regexp.MustCompile(`^[A-Za-z0-9+/=_-]{8,128}$`)
)

// normalizeItem checks a list entry and puts its value in the form the
// engine matches.
func normalizeItem(it *kessai.FraudListItem) error {
	if it.List != kessai.FraudBlockList && it.List != kessai.FraudAllowList {
		return kessai.Errorf(kessai.EBadRequest, "list must be block or allow")
	}
	v := strings.TrimSpace(it.Value)
	if v == "" {
		return kessai.Errorf(kessai.EBadRequest, "value is required")
	}
	if len(v) > 254 {
		return kessai.Errorf(kessai.EBadRequest, "value is too long")
	}
	switch it.Type {
	case kessai.FraudItemFingerprint:
		if !reFingerprint.MatchString(v) {
			return kessai.Errorf(kessai.EBadRequest, "value is not a card fingerprint")
		}
	case kessai.FraudItemEmail:
		v = strings.ToLower(v)
		if i := strings.LastIndexByte(v, '@'); i <= 0 || i == len(v)-1 {
			return kessai.Errorf(kessai.EBadRequest, "value is not an email address")
		}
	case kessai.FraudItemIP:
		p, err := parsePrefix(v)
		if err != nil {
			return kessai.Errorf(kessai.EBadRequest, "value is not an IP address or CIDR range")
		}
		if p.Bits() == p.Addr().BitLen() {
			v = p.Addr().String()
		} else {
			v = p.String()
		}
	case kessai.FraudItemBIN:
		if !reBIN.MatchString(v) {
			return kessai.Errorf(kessai.EBadRequest, "value is not a BIN (6 or 8 digits)")
		}
		v = v[:6]
	case kessai.FraudItemCardCountry, kessai.FraudItemIPCountry:
		v = strings.ToUpper(v)
		if !reCountry.MatchString(v) {
			return kessai.Errorf(kessai.EBadRequest, "value is not an ISO 3166-1 alpha-2 country code")
		}
	default:
		return kessai.Errorf(kessai.EBadRequest, "type must be one of card_fingerprint, email, ip_address, card_bin, card_country, ip_country")
	}
	it.Value = v
	return nil
}

func itemLocation(it *kessai.FraudListItem) {
	it.Object = "fraud_list_item"
	it.Location = "/fraud/lists/" + it.ID
}

// AddListItem implements [kessai.FraudService].
func (s *Service) AddListItem(ctx context.Context, auth *kessai.Auth, in *kessai.FraudListItem) (*kessai.FraudListItem, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	it := &kessai.FraudListItem{List: in.List, Type: in.Type, Value: in.Value, Enabled: true,
		ID: kessai.NewID(kessai.PrefixFraudItem, auth.Livemode), Livemode: auth.Livemode, AccountID: auth.AccountID,
		CreatedAt: kessai.Time{Time: s.e.c.Now().UTC()}}
	if err := normalizeItem(it); err != nil {
		return nil, err
	}
	if err := st.InsertFraudListItem(ctx, it); err != nil {
		return nil, err
	}
	s.e.Invalidate(auth.AccountID, auth.Livemode)
	itemLocation(it)
	return it, nil
}

// ListItems implements [kessai.FraudService].
func (s *Service) ListItems(ctx context.Context, auth *kessai.Auth, list string, p kessai.ListParams) (*kessai.List[*kessai.FraudListItem], error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	if list != "" && list != kessai.FraudBlockList && list != kessai.FraudAllowList {
		return nil, kessai.Errorf(kessai.EBadRequest, "list must be block or allow")
	}
	l, err := st.ListFraudListItems(ctx, auth.AccountID, auth.Livemode, list, p)
	if err != nil {
		return nil, err
	}
	for _, it := range l.Data {
		itemLocation(it)
	}
	return l, nil
}

// FindListItem implements [kessai.FraudService].
func (s *Service) FindListItem(ctx context.Context, auth *kessai.Auth, id string) (*kessai.FraudListItem, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	it, err := st.FindFraudListItem(ctx, auth.AccountID, auth.Livemode, id)
	if err != nil {
		return nil, err
	}
	itemLocation(it)
	return it, nil
}

// SetListItemEnabled implements [kessai.FraudService].
func (s *Service) SetListItemEnabled(ctx context.Context, auth *kessai.Auth, id string, enabled bool) (*kessai.FraudListItem, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	if err := st.SetFraudListItemEnabled(ctx, auth.AccountID, auth.Livemode, id, enabled); err != nil {
		return nil, err
	}
	s.e.Invalidate(auth.AccountID, auth.Livemode)
	it, err := st.FindFraudListItem(ctx, auth.AccountID, auth.Livemode, id)
	if err != nil {
		return nil, err
	}
	itemLocation(it)
	return it, nil
}

// DeleteListItem implements [kessai.FraudService].
func (s *Service) DeleteListItem(ctx context.Context, auth *kessai.Auth, id string) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	if err := st.DeleteFraudListItem(ctx, auth.AccountID, auth.Livemode, id); err != nil {
		return err
	}
	s.e.Invalidate(auth.AccountID, auth.Livemode)
	return nil
}

// FindDecision implements [kessai.FraudService].
func (s *Service) FindDecision(ctx context.Context, auth *kessai.Auth, chargeID string) (*kessai.FraudDecision, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	return st.FindFraudDecision(ctx, auth.AccountID, auth.Livemode, chargeID)
}
