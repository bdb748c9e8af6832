package threeds_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kessai/kessai/threeds"
)

func TestPost(t *testing.T) {
	rreq := func() *threeds.RReq {
		return &threeds.RReq{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: sID, DSTransID: dID, ACSTransID: aID},
			MessageCategory: "01", TransStatus: "N", TransStatusReason: "01", InteractionCounter: "01"}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		code    string
	}{
		{"answer", func(w http.ResponseWriter, r *http.Request) {
			m, err := threeds.ReadMessage(r)
			if err != nil {
				t.Error(err)
			}
			threeds.WriteMessage(w, &threeds.RRes{Header: m.Head().IDs(), ResultsStatus: "01"})
		}, ""},
		{"erro", func(w http.ResponseWriter, r *http.Request) {
			threeds.WriteMessage(w, threeds.NewErro(nil, "RReq", "S", threeds.Errorf("403", "", "busy")))
		}, "403"},
		{"wrong answer type", func(w http.ResponseWriter, r *http.Request) {
			threeds.WriteMessage(w, &threeds.CRes{Header: threeds.Header{MessageVersion: "2.2.0", ThreeDSServerTransID: sID, ACSTransID: aID}, TransStatus: "Y"})
		}, "101"},
		{"invalid answer", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"messageType":"RRes","messageVersion":"2.2.0"}`))
		}, "201"},
		{"HTTP 403 page", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "forbidden", 403) }, "404"},
		{"HTTP 503 page", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 503) }, "403"},
		{"too slow", func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) }, "402"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := httptest.NewServer(tc.handler)
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			var rres threeds.RRes
			err := threeds.Post(ctx, s.Client(), s.URL, rreq(), &rres)
			if threeds.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want code %q", err, tc.code)
			}
			if tc.code == "" && (rres.ResultsStatus != "01" || rres.ACSTransID != aID) {
				t.Fatalf("RRes %+v", rres)
			}
		})
	}
	s := httptest.NewServer(http.NotFoundHandler())
	s.Close()
	var rres threeds.RRes
	if err := threeds.Post(context.Background(), http.DefaultClient, s.URL, rreq(), &rres); threeds.ErrorCode(err) != "405" {
		t.Fatalf("closed server: %v", err)
	}
}
