package webhook

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"syscall"
)

// ErrBlockedAddress is returned when a live-mode delivery would connect to
// a private, loopback, link-local or otherwise non-public address.
var ErrBlockedAddress = errors.New("webhook: destination address is not public")

// CheckURL tells whether uri may be a webhook endpoint: an absolute http or
// https URL with a host, and https in live mode. It does not resolve the
// host: addresses are checked when connecting (see [publicOnly]).
func CheckURL(uri string, livemode bool) error {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("webhook_uri must be an absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && !livemode:
	default:
		if livemode {
			return fmt.Errorf("webhook_uri must be an https URL in live mode")
		}
		return fmt.Errorf("webhook_uri must be an http or https URL")
	}
	if livemode {
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !publicAddr(ip) {
			return fmt.Errorf("webhook_uri must not name a private address in live mode")
		}
	}
	return nil
}

// publicAddr reports whether ip is a public unicast address.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && ip.IsGlobalUnicast() && !ip.IsPrivate() &&
		!ip.IsLoopback() && !ip.IsLinkLocalUnicast() && !ip.IsMulticast() &&
		!ip.IsUnspecified() && !cgnat.Contains(ip)
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// publicOnly is a net.Dialer Control function that refuses to connect to a
// non-public address. It runs for the address actually dialed, after DNS
// resolution, so a name that resolves to a private address (DNS rebinding
// included) is refused too.
func publicOnly(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return ErrBlockedAddress
	}
	if !publicAddr(ap.Addr()) {
		return ErrBlockedAddress
	}
	return nil
}
