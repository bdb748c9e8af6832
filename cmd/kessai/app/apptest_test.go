package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/kessai/kessai/cmd/kessai/app"
)

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// platform is a started dev platform for a test.
type platform struct {
	*app.App
	t     testing.TB
	dir   string
	logs  *syncBuffer
	creds *app.Credentials
}

// startPlatform starts the platform in dev mode on free loopback ports with
// its data in a temp dir and its gateway database at dsn, logging at debug
// level into a buffer.
func startPlatform(t testing.TB, dsn string, opts ...func(*app.Config)) *platform {
	t.Helper()
	dir := t.TempDir()
	cfg := &app.Config{
		Dev:       true,
		DataDir:   dir,
		Database:  dsn,
		KEK:       "file:" + dir + "/kek.key",
		HTTP:      "127.0.0.1:0",
		HTTPS:     "127.0.0.1:0",
		LogFormat: "json",
		Issuer:    app.IssuerConfig{Run: true, Listen: "127.0.0.1:0", Database: "sqlite:" + dir + "/issuer.db"},
	}
	for _, o := range opts {
		o(cfg)
	}
	logs := &syncBuffer{}
	a, err := app.Start(context.Background(), cfg, app.NewLogger(logs, "json", -8))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &platform{App: a, t: t, dir: dir, logs: logs, creds: a.Credentials()}
}

// response is an HTTP answer with its decoded JSON object.
type response struct {
	Status int
	Body   string
	Object map[string]any
}

// do sends a request to the platform with the key as Basic auth user.
// body is sent as a form when it is url.Values, as JSON when it is a string
// starting with '{', and as it is otherwise.
func (p *platform) do(method, path, key string, body any, header ...string) response {
	p.t.Helper()
	var r io.Reader
	ctype := ""
	switch b := body.(type) {
	case url.Values:
		r, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		r = strings.NewReader(b)
		if strings.HasPrefix(b, "{") {
			ctype = "application/json"
		}
	case []byte:
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, p.BaseURL()+path, r)
	if err != nil {
		p.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if key != "" {
		req.SetBasicAuth(key, "")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Body: string(raw)}
	json.Unmarshal(raw, &out.Object)
	return out
}

// cardForm returns the form of a token request for the number.
func cardForm(number, month, year, code string) url.Values {
	return url.Values{
		"card[name]":             {"Taro Yamada"},
		"card[number]":           {number},
		"card[expiration_month]": {month},
		"card[expiration_year]":  {year},
		"card[security_code]":    {code},
	}
}
