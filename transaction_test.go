package kessai_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kessai/kessai"
	"github.com/omise/omise-go"
)

func TestFeeScheduleApply(t *testing.T) {
	tests := []struct {
		name           string
		fees           kessai.FeeSchedule
		amount         int64
		fee, vat, net  int64
		feeFlat, rate  string
		vatRate, currx string
	}{
		// The omise-go fixture's 100000 satang charge credits 96094.
		{"thailand", kessai.DefaultFeeSchedule("TH"), 100000, 3650, 256, 96094, "0.0", "3.65", "7.0", "thb"},
		{"japan", kessai.DefaultFeeSchedule("jp"), 10000, 360, 36, 9604, "0.0", "3.6", "10.0", "jpy"},
		{"half up", kessai.FeeSchedule{RateBP: 250}, 20, 1, 0, 19, "0.0", "2.5", "0.0", "usd"},
		{"flat fee", kessai.FeeSchedule{Flat: 1050, RateBP: 100, VatBP: 700}, 10000, 1150, 81, 8769, "10.5", "1.0", "7.0", "usd"},
		{"flat fee yen", kessai.FeeSchedule{Flat: 30}, 1000, 30, 0, 970, "30.0", "0.0", "0.0", "jpy"},
		{"nothing", kessai.DefaultFeeSchedule("TH"), 0, 0, 0, 0, "0.0", "3.65", "7.0", "thb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fee, vat, net := tt.fees.Apply(tt.amount)
			if fee != tt.fee || vat != tt.vat || net != tt.net {
				t.Errorf("Apply(%d) = %d, %d, %d; want %d, %d, %d", tt.amount, fee, vat, net, tt.fee, tt.vat, tt.net)
			}
			want := kessai.TransactionFees{FeeFlat: tt.feeFlat, FeeRate: tt.rate, VatRate: tt.vatRate}
			if diff := cmp.Diff(want, tt.fees.TransactionFees(tt.currx)); diff != "" {
				t.Errorf("TransactionFees (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTransactionJSON(t *testing.T) {
	tr := &kessai.Transaction{
		ID: "trxn_test_000000000000000000a", Direction: kessai.Credit, Key: kessai.TransactionChargeCapture,
		Origin: "chrg_test_000000000000000000a", Amount: 96094, Currency: "thb",
		TransferableAt: kessai.Time{Time: t0.Add(kessai.SettlementDelay)}, CreatedAt: kessai.Time{Time: t0},
	}
	tr.Derive()
	m, keys := keysOf(t, tr)
	want := []string{"amount", "created_at", "currency", "direction", "id", "key", "livemode", "location", "object",
		"origin", "source", "transferable", "transferable_at", "type"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if string(m["location"]) != `"/transactions/trxn_test_000000000000000000a"` {
		t.Errorf("location = %s", m["location"])
	}
	b, _ := json.Marshal(tr)
	var got omise.Transaction
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != omise.Credit || got.Source != tr.Origin || got.Amount != 96094 || !got.Transferable.Equal(t0.Add(kessai.SettlementDelay)) {
		t.Errorf("omise-go reads %+v", got)
	}
}

func TestBalanceJSON(t *testing.T) {
	b := &kessai.Balance{Currency: "thb", Total: 10, Transferable: 5, CreatedAt: kessai.Time{Time: t0}}
	b.Derive()
	_, keys := keysOf(t, b)
	want := []string{"created_at", "currency", "livemode", "location", "object", "reserve", "total", "transferable"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}
