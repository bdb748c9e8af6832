package threeds

// Validate checks the AReq element by element (EMV 3DS 2.2.0 Annex A, the
// browser and 3RI channels; the app channel is checked for its required
// elements only). It returns nil or an *Error: 201 for a missing
// required element, 203 for a bad format or value, 304 for an invalid
// ISO currency or country code, 306 for an invalid MCC, 202 for an
// unknown critical extension. dsTransID, dsReferenceNumber and dsURL are
// checked when present; the ACS requires them with [AReq.ValidateFromDS].
func (m *AReq) Validate() error {
	if err := m.validateIDs("threeDSServerTransID"); err != nil {
		return err
	}
	brw := m.DeviceChannel == ChannelBrowser
	app := m.DeviceChannel == ChannelApp
	tri := m.DeviceChannel == Channel3RI
	pa := m.MessageCategory == CategoryPayment
	v22 := versionAtLeast(m.MessageVersion, Version220)
	js := m.BrowserJavascriptEnabled != nil && *m.BrowserJavascriptEnabled
	recurring := m.ThreeDSRequestorAuthenticationInd == "02" || m.ThreeDSRequestorAuthenticationInd == "03"
	if err := checkFields(
		req("deviceChannel", m.DeviceChannel, oneOf(ChannelApp, ChannelBrowser, Channel3RI)),
		req("messageCategory", m.MessageCategory, categoryOK),
		when(brw, "threeDSCompInd", m.ThreeDSCompInd, oneOf("Y", "N", "U")),
		when(brw || app, "threeDSRequestorAuthenticationInd", m.ThreeDSRequestorAuthenticationInd, oneOf("01", "02", "03", "04", "05", "06", "07")),
		opt("threeDSRequestorChallengeInd", m.ThreeDSRequestorChallengeInd, oneOf("01", "02", "03", "04", "05", "06", "07", "08", "09")),
		req("threeDSRequestorID", m.ThreeDSRequestorID, length(1, 35)),
		req("threeDSRequestorName", m.ThreeDSRequestorName, length(1, 40)),
		req("threeDSRequestorURL", m.ThreeDSRequestorURL, webURL(2048)),
		opt("threeDSRequestorDecReqInd", m.ThreeDSRequestorDecReqInd, yn),
		when(m.ThreeDSRequestorDecReqInd == "Y", "threeDSRequestorDecMaxTime", m.ThreeDSRequestorDecMaxTime, decMaxTimeOK),
		req("threeDSServerRefNumber", m.ThreeDSServerRefNumber, length(1, 32)),
		opt("threeDSServerOperatorID", m.ThreeDSServerOperatorID, length(1, 32)),
		req("threeDSServerURL", m.ThreeDSServerURL, webURL(2048)),
		when(tri, "threeRIInd", m.ThreeRIInd, oneOf("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11")),
		opt("acctType", m.AcctType, oneOf("01", "02", "03")),
		when(pa, "acquirerBIN", m.AcquirerBIN, length(1, 11)),
		when(pa, "acquirerMerchantID", m.AcquirerMerchantID, length(1, 35)),
		req("acctNumber", string(m.AcctNumber), digits(13, 19)),
		opt("acctID", m.AcctID, length(1, 64)),
		opt("cardExpiryDate", m.CardExpiryDate, timeFmt("0601")),
		when(brw, "browserAcceptHeader", m.BrowserAcceptHeader, length(1, 2048)),
		opt("browserIP", m.BrowserIP, length(1, 45)),
		when(brw && v22, "browserJavascriptEnabled", boolString(m.BrowserJavascriptEnabled), nil),
		when(brw && (js || !v22), "browserJavaEnabled", boolString(m.BrowserJavaEnabled), nil),
		when(brw && (js || !v22), "browserColorDepth", m.BrowserColorDepth, oneOf("1", "4", "8", "15", "16", "24", "30", "32", "48")),
		when(brw && (js || !v22), "browserScreenHeight", m.BrowserScreenHeight, digits(1, 6)),
		when(brw && (js || !v22), "browserScreenWidth", m.BrowserScreenWidth, digits(1, 6)),
		when(brw && (js || !v22), "browserTZ", m.BrowserTZ, tzOK),
		when(brw && !v22, "browserLanguage", m.BrowserLanguage, length(1, 8)),
		opt("browserLanguage", m.BrowserLanguage, length(1, 8)),
		when(brw, "browserUserAgent", m.BrowserUserAgent, length(1, 2048)),
		when(app, "sdkAppID", m.SDKAppID, isUUID),
		when(app, "sdkEncData", m.SDKEncData, length(1, 64000)),
		when(app, "sdkMaxTimeout", m.SDKMaxTimeout, digits(2, 2)),
		when(app, "sdkReferenceNumber", m.SDKReferenceNumber, length(1, 32)),
		when(app, "sdkTransID", m.SDKTransID, isUUID),
		opt("deviceInfo", m.DeviceInfo, length(1, 64000)),
		opt("dsReferenceNumber", m.DSReferenceNumber, length(1, 32)),
		opt("dsURL", m.DSURL, webURL(2048)),
		when(pa, "mcc", m.MCC, digits(4, 4)),
		when(pa, "merchantCountryCode", m.MerchantCountryCode, isoNumeric),
		when(pa, "merchantName", m.MerchantName, length(1, 40)),
		when(brw, "notificationURL", m.NotificationURL, webURL(256)),
		when(pa, "purchaseAmount", m.PurchaseAmount, digits(1, 48)),
		when(pa, "purchaseCurrency", m.PurchaseCurrency, isoNumeric),
		when(pa, "purchaseExponent", m.PurchaseExponent, digits(1, 1)),
		when(pa, "purchaseDate", m.PurchaseDate, timeFmt("20060102150405")),
		when(recurring, "recurringExpiry", m.RecurringExpiry, timeFmt("20060102")),
		when(recurring, "recurringFrequency", m.RecurringFrequency, digits(1, 4)),
		when(m.ThreeDSRequestorAuthenticationInd == "03", "purchaseInstalData", m.PurchaseInstalData, instalOK),
		opt("transType", m.TransType, oneOf("01", "03", "10", "11", "28")),
		opt("whiteListStatus", m.WhiteListStatus, oneOf("Y", "N", "E", "P", "R", "U")),
		opt("whiteListStatusSource", m.WhiteListStatusSource, oneOf("01", "02", "03")),
	); err != nil {
		return err
	}
	if app && m.SDKEphemPubKey == nil {
		return missing("sdkEphemPubKey")
	}
	if app && m.DeviceRenderOptions == nil {
		return missing("deviceRenderOptions")
	}
	if err := m.Cardholder.validate(); err != nil {
		return err
	}
	if err := m.validateCodes(); err != nil {
		return err
	}
	if err := m.MerchantRiskIndicator.validate(); err != nil {
		return err
	}
	if err := m.AcctInfo.validate(); err != nil {
		return err
	}
	if err := m.ThreeDSRequestorAuthenticationInfo.validate(); err != nil {
		return err
	}
	if err := m.ThreeDSRequestorPriorAuthenticationInfo.validate(); err != nil {
		return err
	}
	// A challenge is not possible without a cardholder (3RI) and an
	// element sent where its condition does not apply is a 203.
	if !brw && m.NotificationURL != "" && tri {
		return invalid("notificationURL")
	}
	return validateExtensions(m.MessageExtension)
}

// ValidateFromDS is [AReq.Validate] for the ACS: the AReq must also carry
// the DS's elements (dsTransID, dsReferenceNumber, dsURL).
func (m *AReq) ValidateFromDS() error {
	if err := m.Validate(); err != nil {
		return err
	}
	return checkFields(
		req("dsTransID", m.DSTransID, isUUID),
		req("dsReferenceNumber", m.DSReferenceNumber, nil),
		req("dsURL", m.DSURL, nil),
	)
}

// validateCodes checks the ISO codes (304) and the MCC (306) once their
// format is known to be right.
func (m *AReq) validateCodes() error {
	if m.PurchaseCurrency != "" && !validCurrency(m.PurchaseCurrency) {
		return Errorf(CodeISOCodeInvalid, "purchaseCurrency", "The currency code is not a valid ISO 4217 code.")
	}
	for _, c := range []struct{ name, v string }{
		{"merchantCountryCode", m.MerchantCountryCode},
		{"billAddrCountry", m.BillAddrCountry},
		{"shipAddrCountry", m.ShipAddrCountry},
	} {
		if c.v != "" && !validCountry(c.v) {
			return Errorf(CodeISOCodeInvalid, c.name, "The country code is not a valid ISO 3166-1 numeric code.")
		}
	}
	if m.MCC != "" && m.MCC < "0742" {
		return Errorf(CodeMCCInvalid, "mcc", "The merchant category code is not valid.")
	}
	return nil
}

func (c *Cardholder) validate() error {
	if err := checkFields(
		opt("cardholderName", c.CardholderName, length(2, 45)),
		opt("email", c.Email, emailOK),
		opt("addrMatch", c.AddrMatch, yn),
		opt("billAddrCity", c.BillAddrCity, length(1, 50)),
		opt("billAddrCountry", c.BillAddrCountry, isoNumeric),
		opt("billAddrLine1", c.BillAddrLine1, length(1, 50)),
		opt("billAddrLine2", c.BillAddrLine2, length(1, 50)),
		opt("billAddrLine3", c.BillAddrLine3, length(1, 50)),
		opt("billAddrPostCode", c.BillAddrPostCode, length(1, 16)),
		when(c.BillAddrState != "", "billAddrCountry", c.BillAddrCountry, isoNumeric),
		opt("billAddrState", c.BillAddrState, length(1, 3)),
		opt("shipAddrCity", c.ShipAddrCity, length(1, 50)),
		opt("shipAddrCountry", c.ShipAddrCountry, isoNumeric),
		opt("shipAddrLine1", c.ShipAddrLine1, length(1, 50)),
		opt("shipAddrLine2", c.ShipAddrLine2, length(1, 50)),
		opt("shipAddrLine3", c.ShipAddrLine3, length(1, 50)),
		opt("shipAddrPostCode", c.ShipAddrPostCode, length(1, 16)),
		when(c.ShipAddrState != "", "shipAddrCountry", c.ShipAddrCountry, isoNumeric),
		opt("shipAddrState", c.ShipAddrState, length(1, 3)),
	); err != nil {
		return err
	}
	for _, p := range []struct {
		name string
		p    *Phone
	}{{"homePhone", c.HomePhone}, {"mobilePhone", c.MobilePhone}, {"workPhone", c.WorkPhone}} {
		if p.p == nil {
			continue
		}
		if err := checkFields(
			req(p.name+".cc", p.p.CC, digits(1, 3)),
			req(p.name+".subscriber", p.p.Subscriber, digits(1, 15)),
		); err != nil {
			return err
		}
	}
	return nil
}

func (r *MerchantRiskIndicator) validate() error {
	if r == nil {
		return nil
	}
	return checkFields(
		opt("deliveryEmailAddress", r.DeliveryEmailAddress, emailOK),
		opt("deliveryTimeframe", r.DeliveryTimeframe, oneOf("01", "02", "03", "04")),
		opt("giftCardAmount", r.GiftCardAmount, digits(1, 15)),
		opt("giftCardCount", r.GiftCardCount, digits(1, 2)),
		opt("giftCardCurr", r.GiftCardCurr, isoNumeric),
		opt("preOrderDate", r.PreOrderDate, timeFmt("20060102")),
		opt("preOrderPurchaseInd", r.PreOrderPurchaseInd, oneOf("01", "02")),
		opt("reorderItemsInd", r.ReorderItemsInd, oneOf("01", "02")),
		opt("shipIndicator", r.ShipIndicator, oneOf("01", "02", "03", "04", "05", "06", "07")),
	)
}

func (a *AcctInfo) validate() error {
	if a == nil {
		return nil
	}
	date := timeFmt("20060102")
	return checkFields(
		opt("chAccAgeInd", a.ChAccAgeInd, oneOf("01", "02", "03", "04", "05")),
		opt("chAccChange", a.ChAccChange, date),
		opt("chAccChangeInd", a.ChAccChangeInd, oneOf("01", "02", "03", "04")),
		opt("chAccDate", a.ChAccDate, date),
		opt("chAccPwChange", a.ChAccPwChange, date),
		opt("chAccPwChangeInd", a.ChAccPwChangeInd, oneOf("01", "02", "03", "04", "05")),
		opt("nbPurchaseAccount", a.NbPurchaseAccount, digits(1, 4)),
		opt("provisionAttemptsDay", a.ProvisionAttemptsDay, digits(1, 3)),
		opt("txnActivityDay", a.TxnActivityDay, digits(1, 3)),
		opt("txnActivityYear", a.TxnActivityYear, digits(1, 3)),
		opt("paymentAccAge", a.PaymentAccAge, date),
		opt("paymentAccInd", a.PaymentAccInd, oneOf("01", "02", "03", "04", "05")),
		opt("shipAddressUsage", a.ShipAddressUsage, date),
		opt("shipAddressUsageInd", a.ShipAddressUsageInd, oneOf("01", "02", "03", "04")),
		opt("shipNameIndicator", a.ShipNameIndicator, oneOf("01", "02")),
		opt("suspiciousAccActivity", a.SuspiciousAccActivity, oneOf("01", "02")),
	)
}

func (a *RequestorAuthInfo) validate() error {
	if a == nil {
		return nil
	}
	return checkFields(
		opt("threeDSReqAuthData", a.ThreeDSReqAuthData, length(1, 20000)),
		req("threeDSReqAuthMethod", a.ThreeDSReqAuthMethod, oneOf("01", "02", "03", "04", "05", "06")),
		req("threeDSReqAuthTimestamp", a.ThreeDSReqAuthTimestamp, timeFmt("200601021504")),
	)
}

func (a *RequestorPriorAuthInfo) validate() error {
	if a == nil {
		return nil
	}
	return checkFields(
		opt("threeDSReqPriorAuthData", a.ThreeDSReqPriorAuthData, length(1, 2048)),
		opt("threeDSReqPriorAuthMethod", a.ThreeDSReqPriorAuthMethod, oneOf("01", "02", "03", "04")),
		opt("threeDSReqPriorAuthTimestamp", a.ThreeDSReqPriorAuthTimestamp, timeFmt("200601021504")),
		opt("threeDSReqPriorRef", a.ThreeDSReqPriorRef, length(1, 36)),
	)
}

// categoryOK accepts 01 (PA), 02 (NPA) and the DS range 80–99.
func categoryOK(s string) bool {
	return s == CategoryPayment || s == CategoryNonPayment || digits(2, 2)(s) && s >= "80"
}

// decMaxTimeOK accepts 00001–10080 minutes.
func decMaxTimeOK(s string) bool { return digits(5, 5)(s) && s >= "00001" && s <= "10080" }

// tzOK accepts a UTC offset in minutes, with an optional sign, 1–5
// characters.
func tzOK(s string) bool {
	if len(s) > 5 {
		return false
	}
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return digits(1, 4)(s)
}

// instalOK accepts an instalment count of 2–999.
func instalOK(s string) bool {
	if !digits(1, 3)(s) {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n > 1
}

// emailOK accepts a plausible address of at most 254 characters.
func emailOK(s string) bool {
	if len(s) > 254 || hasControl(s) {
		return false
	}
	at := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			at = i
		}
	}
	return at > 0 && at < len(s)-1
}

// validCountry rejects reserved ISO 3166-1 numeric codes (000 and 900–999).
func validCountry(s string) bool { return s != "000" && s < "900" }

// boolString turns a *bool into "" (absent) or "true"/"false", for
// checkFields.
func boolString(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "true"
	}
	return "false"
}
