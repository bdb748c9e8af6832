package threeds

// Device channels (deviceChannel).
const (
	ChannelApp     = "01"
	ChannelBrowser = "02"
	Channel3RI     = "03"
)

// Message categories (messageCategory).
const (
	CategoryPayment    = "01" // PA
	CategoryNonPayment = "02" // NPA
)

// AReq is the Authentication Request: 3DS Server → DS → ACS. The DS adds
// dsTransID, dsReferenceNumber and dsURL before it forwards it.
type AReq struct {
	Header

	ThreeDSCompInd                          string                  `json:"threeDSCompInd,omitempty"`
	ThreeDSRequestorAuthenticationInd       string                  `json:"threeDSRequestorAuthenticationInd,omitempty"`
	ThreeDSRequestorAuthenticationInfo      *RequestorAuthInfo      `json:"threeDSRequestorAuthenticationInfo,omitempty"`
	ThreeDSRequestorChallengeInd            string                  `json:"threeDSRequestorChallengeInd,omitempty"`
	ThreeDSRequestorID                      string                  `json:"threeDSRequestorID,omitempty"`
	ThreeDSRequestorName                    string                  `json:"threeDSRequestorName,omitempty"`
	ThreeDSRequestorPriorAuthenticationInfo *RequestorPriorAuthInfo `json:"threeDSRequestorPriorAuthenticationInfo,omitempty"`
	ThreeDSRequestorURL                     string                  `json:"threeDSRequestorURL,omitempty"`
	ThreeDSRequestorDecReqInd               string                  `json:"threeDSRequestorDecReqInd,omitempty"`
	ThreeDSRequestorDecMaxTime              string                  `json:"threeDSRequestorDecMaxTime,omitempty"`
	ThreeDSServerRefNumber                  string                  `json:"threeDSServerRefNumber,omitempty"`
	ThreeDSServerOperatorID                 string                  `json:"threeDSServerOperatorID,omitempty"`
	ThreeDSServerURL                        string                  `json:"threeDSServerURL,omitempty"`
	ThreeRIInd                              string                  `json:"threeRIInd,omitempty"`

	AcctType           string     `json:"acctType,omitempty"`
	AcquirerBIN        string     `json:"acquirerBIN,omitempty"`
	AcquirerMerchantID string     `json:"acquirerMerchantID,omitempty"`
	AcctNumber         AcctNumber `json:"acctNumber,omitempty"`
	AcctID             string     `json:"acctID,omitempty"`
	CardExpiryDate     string     `json:"cardExpiryDate,omitempty"` // YYMM
	AcctInfo           *AcctInfo  `json:"acctInfo,omitempty"`

	BrowserInfo
	Cardholder

	DeviceChannel       string         `json:"deviceChannel,omitempty"`
	DeviceInfo          string         `json:"deviceInfo,omitempty"`
	DeviceRenderOptions map[string]any `json:"deviceRenderOptions,omitempty"`
	DSReferenceNumber   string         `json:"dsReferenceNumber,omitempty"`
	DSURL               string         `json:"dsURL,omitempty"`

	PayTokenInd        *bool  `json:"payTokenInd,omitempty"`
	PurchaseInstalData string `json:"purchaseInstalData,omitempty"`

	MCC                   string                 `json:"mcc,omitempty"`
	MerchantCountryCode   string                 `json:"merchantCountryCode,omitempty"`
	MerchantName          string                 `json:"merchantName,omitempty"`
	MerchantRiskIndicator *MerchantRiskIndicator `json:"merchantRiskIndicator,omitempty"`
	MessageCategory       string                 `json:"messageCategory,omitempty"`
	MessageExtension      []MessageExtension     `json:"messageExtension,omitempty"`
	NotificationURL       string                 `json:"notificationURL,omitempty"`

	PurchaseAmount     string `json:"purchaseAmount,omitempty"` // minor units
	PurchaseCurrency   string `json:"purchaseCurrency,omitempty"`
	PurchaseExponent   string `json:"purchaseExponent,omitempty"`
	PurchaseDate       string `json:"purchaseDate,omitempty"` // YYYYMMDDHHMMSS UTC
	RecurringExpiry    string `json:"recurringExpiry,omitempty"`
	RecurringFrequency string `json:"recurringFrequency,omitempty"`

	SDKAppID           string         `json:"sdkAppID,omitempty"`
	SDKEncData         string         `json:"sdkEncData,omitempty"`
	SDKEphemPubKey     map[string]any `json:"sdkEphemPubKey,omitempty"`
	SDKMaxTimeout      string         `json:"sdkMaxTimeout,omitempty"`
	SDKReferenceNumber string         `json:"sdkReferenceNumber,omitempty"`

	TransType             string `json:"transType,omitempty"`
	WhiteListStatus       string `json:"whiteListStatus,omitempty"`
	WhiteListStatusSource string `json:"whiteListStatusSource,omitempty"`
}

// BrowserInfo is the browser's data, flat in the AReq, required for the
// browser channel. The ACS uses it to recognise the cardholder's device.
type BrowserInfo struct {
	BrowserAcceptHeader      string `json:"browserAcceptHeader,omitempty"`
	BrowserIP                string `json:"browserIP,omitempty"`
	BrowserJavaEnabled       *bool  `json:"browserJavaEnabled,omitempty"`
	BrowserJavascriptEnabled *bool  `json:"browserJavascriptEnabled,omitempty"`
	BrowserLanguage          string `json:"browserLanguage,omitempty"`
	BrowserColorDepth        string `json:"browserColorDepth,omitempty"`
	BrowserScreenHeight      string `json:"browserScreenHeight,omitempty"`
	BrowserScreenWidth       string `json:"browserScreenWidth,omitempty"`
	BrowserTZ                string `json:"browserTZ,omitempty"` // minutes, JS getTimezoneOffset (Japan: "-540")
	BrowserUserAgent         string `json:"browserUserAgent,omitempty"`
}

// Cardholder is the cardholder's data the AReq may carry.
type Cardholder struct {
	CardholderName   string `json:"cardholderName,omitempty"`
	Email            string `json:"email,omitempty"`
	HomePhone        *Phone `json:"homePhone,omitempty"`
	MobilePhone      *Phone `json:"mobilePhone,omitempty"`
	WorkPhone        *Phone `json:"workPhone,omitempty"`
	AddrMatch        string `json:"addrMatch,omitempty"`
	BillAddrCity     string `json:"billAddrCity,omitempty"`
	BillAddrCountry  string `json:"billAddrCountry,omitempty"`
	BillAddrLine1    string `json:"billAddrLine1,omitempty"`
	BillAddrLine2    string `json:"billAddrLine2,omitempty"`
	BillAddrLine3    string `json:"billAddrLine3,omitempty"`
	BillAddrPostCode string `json:"billAddrPostCode,omitempty"`
	BillAddrState    string `json:"billAddrState,omitempty"`
	ShipAddrCity     string `json:"shipAddrCity,omitempty"`
	ShipAddrCountry  string `json:"shipAddrCountry,omitempty"`
	ShipAddrLine1    string `json:"shipAddrLine1,omitempty"`
	ShipAddrLine2    string `json:"shipAddrLine2,omitempty"`
	ShipAddrLine3    string `json:"shipAddrLine3,omitempty"`
	ShipAddrPostCode string `json:"shipAddrPostCode,omitempty"`
	ShipAddrState    string `json:"shipAddrState,omitempty"`
}

// Phone is a phone number: country code and subscriber number.
type Phone struct {
	CC         string `json:"cc,omitempty"`
	Subscriber string `json:"subscriber,omitempty"`
}

// MerchantRiskIndicator is the merchant's assessment of the order.
type MerchantRiskIndicator struct {
	DeliveryEmailAddress string `json:"deliveryEmailAddress,omitempty"`
	DeliveryTimeframe    string `json:"deliveryTimeframe,omitempty"`
	GiftCardAmount       string `json:"giftCardAmount,omitempty"`
	GiftCardCount        string `json:"giftCardCount,omitempty"`
	GiftCardCurr         string `json:"giftCardCurr,omitempty"`
	PreOrderDate         string `json:"preOrderDate,omitempty"`
	PreOrderPurchaseInd  string `json:"preOrderPurchaseInd,omitempty"`
	ReorderItemsInd      string `json:"reorderItemsInd,omitempty"`
	ShipIndicator        string `json:"shipIndicator,omitempty"`
}

// AcctInfo is the cardholder's account history with the merchant.
type AcctInfo struct {
	ChAccAgeInd           string `json:"chAccAgeInd,omitempty"`
	ChAccChange           string `json:"chAccChange,omitempty"`
	ChAccChangeInd        string `json:"chAccChangeInd,omitempty"`
	ChAccDate             string `json:"chAccDate,omitempty"`
	ChAccPwChange         string `json:"chAccPwChange,omitempty"`
	ChAccPwChangeInd      string `json:"chAccPwChangeInd,omitempty"`
	NbPurchaseAccount     string `json:"nbPurchaseAccount,omitempty"`
	ProvisionAttemptsDay  string `json:"provisionAttemptsDay,omitempty"`
	TxnActivityDay        string `json:"txnActivityDay,omitempty"`
	TxnActivityYear       string `json:"txnActivityYear,omitempty"`
	PaymentAccAge         string `json:"paymentAccAge,omitempty"`
	PaymentAccInd         string `json:"paymentAccInd,omitempty"`
	ShipAddressUsage      string `json:"shipAddressUsage,omitempty"`
	ShipAddressUsageInd   string `json:"shipAddressUsageInd,omitempty"`
	ShipNameIndicator     string `json:"shipNameIndicator,omitempty"`
	SuspiciousAccActivity string `json:"suspiciousAccActivity,omitempty"`
}

// RequestorAuthInfo says how the merchant logged the cardholder in.
type RequestorAuthInfo struct {
	ThreeDSReqAuthData      string `json:"threeDSReqAuthData,omitempty"`
	ThreeDSReqAuthMethod    string `json:"threeDSReqAuthMethod,omitempty"`
	ThreeDSReqAuthTimestamp string `json:"threeDSReqAuthTimestamp,omitempty"`
}

// RequestorPriorAuthInfo points at an earlier authentication of the
// cardholder.
type RequestorPriorAuthInfo struct {
	ThreeDSReqPriorAuthData      string `json:"threeDSReqPriorAuthData,omitempty"`
	ThreeDSReqPriorAuthMethod    string `json:"threeDSReqPriorAuthMethod,omitempty"`
	ThreeDSReqPriorAuthTimestamp string `json:"threeDSReqPriorAuthTimestamp,omitempty"`
	ThreeDSReqPriorRef           string `json:"threeDSReqPriorRef,omitempty"`
}

// Type returns "AReq".
func (*AReq) Type() string { return TypeAReq }
