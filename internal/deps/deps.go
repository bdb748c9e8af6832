//go:build tools

// Package deps pins the project's dependencies while the packages that use
// them are being written, so that go mod tidy keeps them. It is never built.
package deps

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/expr-lang/expr"
	_ "github.com/go-jose/go-jose/v4"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/moov-io/iso8583"
	_ "github.com/omise/omise-go"
	_ "github.com/omise/omise-go/operations"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/tink-crypto/tink-go/v2/aead"
	_ "github.com/tink-crypto/tink-go/v2/keyset"
	_ "github.com/tink-crypto/tink-go/v2/prf"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/time/rate"
)
