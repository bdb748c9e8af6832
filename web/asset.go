package web

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

//go:embed static
var static embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	name         string
	body         []byte
	contentType  string
	etag         string
	cacheControl string
}

// loadAsset returns the embedded file static/name. It panics if the file is
// missing: the set of files is fixed at build time.
func loadAsset(name, cacheControl string) *asset {
	b, err := fs.ReadFile(static, "static/"+name)
	if err != nil {
		panic("web: embedded asset: " + err.Error())
	}
	sum := sha256.Sum256(b)
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".js":
		// Not left to the system's MIME table, which may lack it or say
		// application/javascript without a charset.
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	}
	return &asset{
		name:         name,
		body:         b,
		contentType:  ct,
		etag:         `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
		cacheControl: cacheControl,
	}
}

// ServeHTTP answers GET and HEAD with the file, and 304 Not Modified to a
// matching If-None-Match.
func (a *asset) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", a.cacheControl)
	h.Set("ETag", a.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
}

// integrity returns the Subresource Integrity value of the file.
func (a *asset) integrity() string {
	sum := sha512.Sum384(a.body)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}
