package web

import "net/http"

// ScriptPath is where [Script] is served: the vault's origin + ScriptPath is
// the URL merchants put in their pages' script tag.
const ScriptPath = "/kessai.js"

// The script may change with a release, under the same URL: caches keep it
// for five minutes, then revalidate it by its ETag.
var script = loadAsset("kessai.js", "public, max-age=300")

// Script returns the handler of kessai.js. It answers GET and HEAD with the
// script (text/javascript, an ETag, five minutes of caching), 304 to a
// matching If-None-Match, and 405 to other methods. The script may be
// loaded from any origin, also with crossorigin="anonymous" and an
// integrity attribute ([ScriptIntegrity]).
func Script() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		script.ServeHTTP(w, r)
	})
}

// ScriptIntegrity returns the Subresource Integrity value of the kessai.js
// that [Script] serves ("sha384-…"), for a script tag's integrity attribute.
func ScriptIntegrity() string { return script.integrity() }
