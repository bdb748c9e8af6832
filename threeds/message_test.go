package threeds_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai/threeds"
)

const (
	sID  = "8a880dc0-d2d2-4067-bcb1-b08d1690b26e"
	dID  = "f25084f0-5b16-4c0a-ae5d-b24808a95e4b"
	aID  = "d7c1ee99-9478-44a6-b1f2-391e29c6b340"
	cavv = "AJkBBkhgQQAAAE4gSEJydQAAAAA="
)

// valid returns a valid message of each type, as a JSON object.
func valid(t *testing.T) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/areq.json")
	if err != nil {
		t.Fatal(err)
	}
	var areq map[string]any
	if err := json.Unmarshal(b, &areq); err != nil {
		t.Fatal(err)
	}
	ids := func(m map[string]any, n int) map[string]any {
		m["messageVersion"] = "2.2.0"
		m["threeDSServerTransID"] = sID
		if n > 1 {
			m["acsTransID"] = aID
		}
		if n > 2 {
			m["dsTransID"] = dID
		}
		return m
	}
	return map[string]map[string]any{
		"AReq": areq,
		"ARes": ids(map[string]any{"messageType": "ARes", "transStatus": "Y", "eci": "05", "authenticationValue": cavv,
			"acsReferenceNumber": "ACS-1", "dsReferenceNumber": "DS-1"}, 3),
		"CReq": ids(map[string]any{"messageType": "CReq", "challengeWindowSize": "05"}, 2),
		"CRes": ids(map[string]any{"messageType": "CRes", "transStatus": "Y"}, 2),
		"RReq": ids(map[string]any{"messageType": "RReq", "messageCategory": "01", "transStatus": "Y", "eci": "02",
			"authenticationValue": cavv, "authenticationType": "02", "interactionCounter": "01"}, 3),
		"RRes": ids(map[string]any{"messageType": "RRes", "resultsStatus": "01"}, 3),
		"PReq": ids(map[string]any{"messageType": "PReq", "threeDSServerRefNumber": "3DSS-1", "serialNum": "abc1"}, 1),
		"PRes": ids(map[string]any{"messageType": "PRes", "dsTransID": dID, "dsStartProtocolVersion": "2.1.0", "dsEndProtocolVersion": "2.2.0", "serialNum": "7",
			"cardRangeData": []any{map[string]any{"startRange": "4000000000000000", "endRange": "4999999999999999", "actionInd": "A",
				"acsStartProtocolVersion": "2.1.0", "acsEndProtocolVersion": "2.2.0", "acsInfoInd": []any{"01", "02"},
				"threeDSMethodURL": "https://acs.example/method"}}}, 1),
		"Erro": ids(map[string]any{"messageType": "Erro", "errorCode": "203", "errorComponent": "D",
			"errorDescription": "bad", "errorDetail": "purchaseAmount", "errorMessageType": "AReq"}, 1),
	}
}

func encode(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var c map[string]any
	json.Unmarshal(b, &c)
	return c
}

func TestValidMessages(t *testing.T) {
	for typ, m := range valid(t) {
		t.Run(typ, func(t *testing.T) {
			got, err := threeds.Decode(encode(t, m))
			if err != nil {
				t.Fatal(err)
			}
			if got.Type() != typ {
				t.Fatalf("type %s", got.Type())
			}
			// Encoding the decoded message gives the same JSON.
			again, _ := json.Marshal(got)
			var a, b map[string]any
			json.Unmarshal(again, &a)
			json.Unmarshal(encode(t, m), &b)
			if d := cmp.Diff(b, a); d != "" {
				t.Fatalf("round trip (-sent +re-encoded):\n%s", d)
			}
		})
	}
}

// TestInvalidMessages takes a valid message of each type and breaks it
// one way per case; every case names the Erro code and element expected.
func TestInvalidMessages(t *testing.T) {
	type change func(map[string]any)
	del := func(k string) change { return func(m map[string]any) { delete(m, k) } }
	set := func(k string, v any) change { return func(m map[string]any) { m[k] = v } }
	all := func(cs ...change) change {
		return func(m map[string]any) {
			for _, c := range cs {
				c(m)
			}
		}
	}
	tests := []struct {
		typ, name string
		change    change
		code      string
		element   string
	}{
		// Common to every message.
		{"AReq", "unknown type", set("messageType", "XReq"), "101", "messageType"},
		{"AReq", "missing type", del("messageType"), "201", "messageType"},
		{"AReq", "missing version", del("messageVersion"), "201", "messageVersion"},
		{"AReq", "version 1.0.2", set("messageVersion", "1.0.2"), "102", "messageVersion"},
		{"AReq", "version 2.3.1", set("messageVersion", "2.3.1"), "102", "messageVersion"},
		{"AReq", "empty string", set("merchantName", ""), "203", "merchantName"},
		{"AReq", "null", set("email", nil), "203", "email"},
		{"AReq", "number for a string", set("purchaseAmount", 1000), "203", "purchaseAmount"},
		{"AReq", "critical extension", set("messageExtension", []any{map[string]any{"name": "x", "id": "y", "criticalityIndicator": true, "data": map[string]any{}}}), "202", "messageExtension"},
		{"AReq", "bad transaction ID", set("threeDSServerTransID", "123"), "203", "threeDSServerTransID"},
		// AReq.
		{"AReq", "missing card number", del("acctNumber"), "201", "acctNumber"},
		{"AReq", "short card number", set("acctNumber", "424242"), "203", "acctNumber"},
		{"AReq", "missing amount (PA)", del("purchaseAmount"), "201", "purchaseAmount"},
		{"AReq", "amount with a point", set("purchaseAmount", "10.00"), "203", "purchaseAmount"},
		{"AReq", "reserved currency", set("purchaseCurrency", "999"), "304", "purchaseCurrency"},
		{"AReq", "reserved country", set("merchantCountryCode", "999"), "304", "merchantCountryCode"},
		{"AReq", "MCC 0000", set("mcc", "0000"), "306", "mcc"},
		{"AReq", "bad purchase date", set("purchaseDate", "20261301000000"), "203", "purchaseDate"},
		{"AReq", "bad expiry", set("cardExpiryDate", "1399"), "203", "cardExpiryDate"},
		{"AReq", "missing notificationURL (browser)", del("notificationURL"), "201", "notificationURL"},
		{"AReq", "notificationURL not a URL", set("notificationURL", "not a url"), "203", "notificationURL"},
		{"AReq", "bad device channel", set("deviceChannel", "09"), "203", "deviceChannel"},
		{"AReq", "missing threeDSCompInd (browser)", del("threeDSCompInd"), "201", "threeDSCompInd"},
		{"AReq", "bad challenge indicator", set("threeDSRequestorChallengeInd", "10"), "203", "threeDSRequestorChallengeInd"},
		{"AReq", "missing JS flag (2.2)", del("browserJavascriptEnabled"), "201", "browserJavascriptEnabled"},
		{"AReq", "missing screen (JS on)", del("browserScreenWidth"), "201", "browserScreenWidth"},
		{"AReq", "bad colour depth", set("browserColorDepth", "7"), "203", "browserColorDepth"},
		{"AReq", "bad TZ", set("browserTZ", "UTC"), "203", "browserTZ"},
		{"AReq", "bad phone", set("mobilePhone", map[string]any{"cc": "81"}), "201", "mobilePhone.subscriber"},
		{"AReq", "bad ship indicator", set("merchantRiskIndicator", map[string]any{"shipIndicator": "42"}), "203", "shipIndicator"},
		{"AReq", "recurring without expiry", set("threeDSRequestorAuthenticationInd", "02"), "201", "recurringExpiry"},
		{"AReq", "3RI without indicator", all(set("deviceChannel", "03")), "201", "threeRIInd"},
		{"AReq", "decoupled without max time", set("threeDSRequestorDecReqInd", "Y"), "201", "threeDSRequestorDecMaxTime"},
		{"AReq", "app without SDK data", set("deviceChannel", "01"), "201", "sdkAppID"},
		// ARes.
		{"ARes", "missing dsTransID", del("dsTransID"), "201", "dsTransID"},
		{"ARes", "bad status", set("transStatus", "X"), "203", "transStatus"},
		{"ARes", "Y without ECI", del("eci"), "201", "eci"},
		{"ARes", "CAVV of 19 bytes", set("authenticationValue", "AJkBBkhgQQAAAE4gSEJydQAAAA=="), "203", "authenticationValue"},
		{"ARes", "N without reason", all(set("transStatus", "N"), del("eci"), del("authenticationValue")), "201", "transStatusReason"},
		{"ARes", "bad reason", all(set("transStatus", "R"), set("transStatusReason", "50")), "203", "transStatusReason"},
		{"ARes", "C without mandated flag", all(set("transStatus", "C"), set("acsURL", "https://acs.example/c")), "201", "acsChallengeMandated"},
		// CReq.
		{"CReq", "missing acsTransID", del("acsTransID"), "201", "acsTransID"},
		{"CReq", "missing window size (browser)", del("challengeWindowSize"), "201", "challengeWindowSize"},
		{"CReq", "bad window size", set("challengeWindowSize", "06"), "203", "challengeWindowSize"},
		// CRes.
		{"CRes", "missing status", del("transStatus"), "201", "transStatus"},
		{"CRes", "status A in a CRes", set("transStatus", "A"), "203", "transStatus"},
		{"CRes", "bad completion indicator", set("challengeCompletionInd", "X"), "203", "challengeCompletionInd"},
		// RReq.
		{"RReq", "missing interaction counter", del("interactionCounter"), "201", "interactionCounter"},
		{"RReq", "missing category", del("messageCategory"), "201", "messageCategory"},
		{"RReq", "status C in an RReq", set("transStatus", "C"), "203", "transStatus"},
		{"RReq", "Y without CAVV (PA)", del("authenticationValue"), "201", "authenticationValue"},
		{"RReq", "bad cancel indicator", set("challengeCancel", "99"), "203", "challengeCancel"},
		// RRes.
		{"RRes", "missing results status", del("resultsStatus"), "201", "resultsStatus"},
		{"RRes", "bad results status", set("resultsStatus", "09"), "203", "resultsStatus"},
		{"RRes", "missing acsTransID", del("acsTransID"), "201", "acsTransID"},
		// PReq.
		{"PReq", "missing reference number", del("threeDSServerRefNumber"), "201", "threeDSServerRefNumber"},
		{"PReq", "bad serial", set("serialNum", "a-b"), "203", "serialNum"},
		// PRes.
		{"PRes", "missing serial", del("serialNum"), "201", "serialNum"},
		{"PRes", "range ends before it starts", set("cardRangeData", []any{map[string]any{"startRange": "4999999999999999", "endRange": "4000000000000000", "acsStartProtocolVersion": "2.1.0", "acsEndProtocolVersion": "2.2.0"}}), "203", "endRange"},
		{"PRes", "bad action", set("cardRangeData", []any{map[string]any{"startRange": "4000000000000000", "endRange": "4999999999999999", "actionInd": "X", "acsStartProtocolVersion": "2.1.0", "acsEndProtocolVersion": "2.2.0"}}), "203", "actionInd"},
		// Erro.
		{"Erro", "missing code", del("errorCode"), "201", "errorCode"},
		{"Erro", "bad component", set("errorComponent", "X"), "203", "errorComponent"},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"/"+tc.name, func(t *testing.T) {
			m := clone(valid(t)[tc.typ])
			tc.change(m)
			_, err := threeds.Decode(encode(t, m))
			e, ok := err.(*threeds.Error)
			if !ok {
				t.Fatalf("err = %v, want *threeds.Error %s", err, tc.code)
			}
			if e.Code != tc.code || e.Element != tc.element {
				t.Fatalf("got %s on %q, want %s on %q (%v)", e.Code, e.Element, tc.code, tc.element, err)
			}
			// The Erro answer built from it is itself a valid message.
			erro := threeds.NewErro(nil, tc.typ, threeds.ComponentDS, err)
			if err := erro.Validate(); err != nil {
				t.Fatalf("NewErro gave an invalid Erro: %v", err)
			}
		})
	}
}

func TestDuplicateElement(t *testing.T) {
	for _, s := range []string{
		`{"messageType":"RRes","messageVersion":"2.2.0","resultsStatus":"01","resultsStatus":"02"}`,
		`{"messageType":"AReq","messageVersion":"2.2.0","merchantRiskIndicator":{"shipIndicator":"01","shipIndicator":"02"}}`,
	} {
		_, err := threeds.Decode([]byte(s))
		if e, ok := err.(*threeds.Error); !ok || e.Code != "204" {
			t.Errorf("%s: %v, want 204", s, err)
		}
	}
}

func TestNotJSON(t *testing.T) {
	for _, s := range []string{``, `[]`, `"AReq"`, `{"messageType":"AReq"`, `{} {}`, strings.Repeat(" ", threeds.MaxMessageSize+1)} {
		if _, err := threeds.Decode([]byte(s)); threeds.ErrorCode(err) != "101" {
			t.Errorf("%.20q: %v, want 101", s, err)
		}
	}
}

func TestWrongTypeForDecoder(t *testing.T) {
	b := encode(t, valid(t)["CRes"])
	m, err := threeds.DecodeRReq(b)
	if threeds.ErrorCode(err) != "101" {
		t.Fatalf("CRes to DecodeRReq: %v", err)
	}
	if m == nil || m.ThreeDSServerTransID != sID {
		t.Fatal("no header to answer the Erro with")
	}
	// An Erro where an answer was expected comes back as its *Error.
	_, err = threeds.DecodeRRes(encode(t, valid(t)["Erro"]))
	e, ok := err.(*threeds.Error)
	if !ok || e.Code != "203" || e.Erro == nil || e.Element != "purchaseAmount" {
		t.Fatalf("Erro to DecodeRRes: %v", err)
	}
}

func TestVersion210(t *testing.T) {
	m := clone(valid(t)["CRes"])
	m["messageVersion"] = "2.1.0"
	m["challengeCompletionInd"] = "Y"
	if _, err := threeds.Decode(encode(t, m)); err != nil {
		t.Fatal(err)
	}
	// 2.1.0 browsers must send the Java flag and screen data whatever the JS flag.
	a := clone(valid(t)["AReq"])
	a["messageVersion"] = "2.1.0"
	a["browserJavascriptEnabled"] = false
	delete(a, "browserScreenHeight")
	if _, err := threeds.Decode(encode(t, a)); threeds.ErrorCode(err) != "201" {
		t.Fatalf("2.1.0 without screen data: %v", err)
	}
}

func TestAResValidateFor(t *testing.T) {
	areq, err := threeds.DecodeAReq(encode(t, valid(t)["AReq"]))
	if err != nil {
		t.Fatal(err)
	}
	ares, err := threeds.DecodeARes(encode(t, valid(t)["ARes"]))
	if err != nil {
		t.Fatal(err)
	}
	if err := ares.ValidateFor(areq); err != nil {
		t.Fatal(err)
	}
	other := *ares
	other.ThreeDSServerTransID = threeds.NewTransID()
	if threeds.ErrorCode(other.ValidateFor(areq)) != "301" {
		t.Fatal("an ARes for another transaction passed")
	}
	c := *ares
	c.TransStatus, c.ECI, c.AuthenticationValue, c.ACSChallengeMandated, c.AuthenticationType = "C", "", "", "N", "02"
	if e, _ := c.ValidateFor(areq).(*threeds.Error); e == nil || e.Element != "acsURL" {
		t.Fatalf("browser C without acsURL: %v", e)
	}
	areq.ThreeDSRequestorChallengeInd = "06"
	c.ACSURL = "https://acs.example/c"
	if threeds.ErrorCode(c.ValidateFor(areq)) != "203" {
		t.Fatal("C with challenge indicator 06 passed")
	}
}

func TestAcctNumberMasks(t *testing.T) {
	areq, err := threeds.DecodeAReq(encode(t, valid(t)["AReq"]))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		sprintf("%v", areq), sprintf("%+v", areq), sprintf("%#v", areq), sprintf("%s", areq.AcctNumber), sprintf("%d", areq.AcctNumber),
	} {
		if strings.Contains(s, "4242424242424242") {
			t.Fatalf("card number printed in clear: %.200s", s)
		}
	}
	b, _ := json.Marshal(areq)
	if !strings.Contains(string(b), `"acctNumber":"4242424242424242"`) {
		t.Fatal("the wire form lost the card number")
	}
}

func TestBrowserCodecs(t *testing.T) {
	creq := &threeds.CReq{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: sID, ACSTransID: aID}, ChallengeWindowSize: "01"}
	v, err := threeds.EncodeBrowser(creq)
	if err != nil || strings.ContainsAny(v, "+/=") {
		t.Fatalf("creq %q %v", v, err)
	}
	got, err := threeds.DecodeBrowserCReq(v)
	if err != nil || got.ACSTransID != aID {
		t.Fatal(err)
	}
	if _, err := threeds.DecodeBrowserCReq(v + "=="); err != nil {
		t.Fatalf("padded base64url refused: %v", err)
	}
	if _, err := threeds.DecodeBrowserCRes("***"); threeds.ErrorCode(err) != "203" {
		t.Fatalf("bad cres: %v", err)
	}
	md := threeds.MethodData{ThreeDSServerTransID: sID, ThreeDSMethodNotificationURL: "https://gw.example/m"}
	back, err := threeds.DecodeMethodData(md.Encode())
	if err != nil || back != md {
		t.Fatalf("method data %+v %v", back, err)
	}
	if _, err := threeds.DecodeMethodData(threeds.MethodData{ThreeDSServerTransID: "x"}.Encode()); threeds.ErrorCode(err) != "203" {
		t.Fatalf("bad method data: %v", err)
	}
}
