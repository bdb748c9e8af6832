package acs

import (
	"net/http"

	"github.com/kessai/kessai/threeds"
)

// serveMethod runs the 3DS Method: it receives threeDSMethodData in the
// requestor's hidden iframe, notes that the method ran for the
// transaction, and posts threeDSMethodData (the transaction ID alone)
// back to the notification URL. Bad data gets a 400 error page.
func (a *ACS) serveMethod(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	d, err := threeds.DecodeMethodData(r.PostFormValue("threeDSMethodData"))
	if err != nil || d.ThreeDSMethodNotificationURL == "" {
		errorPage(w, http.StatusBadRequest, "The 3-D Secure method data is not valid.")
		return
	}
	a.mu.Lock()
	a.methods[d.ThreeDSServerTransID] = a.now()
	a.mu.Unlock()
	back := threeds.MethodData{ThreeDSServerTransID: d.ThreeDSServerTransID}.Encode()
	target := d.ThreeDSMethodNotificationURL
	render(w, http.StatusOK, "post", map[string]any{
		"Title": "3-D Secure", "Message": "",
		"Target": target, "Fields": []field{{"threeDSMethodData", back}},
	}, origin(target), origin(target))
}

// MethodRan reports whether the 3DS Method ran for the 3DS Server
// transaction ID.
func (a *ACS) MethodRan(threeDSServerTransID string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.methods[threeDSServerTransID]
	return ok
}
