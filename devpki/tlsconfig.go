package devpki

import (
	"crypto/tls"
	"crypto/x509"
)

// cipherSuites are the TLS 1.2 suites Kessai accepts: ECDHE key exchange
// (forward secrecy) with an AEAD cipher. TLS 1.3 suites are not
// configurable and are all AEAD.
var cipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// CipherSuites returns the TLS 1.2 cipher suites that [ServerTLSConfig] and
// [ClientTLSConfig] allow: ECDHE with AES-GCM or ChaCha20-Poly1305.
func CipherSuites() []uint16 { return append([]uint16(nil), cipherSuites...) }

// ServerTLSConfig returns a server configuration that presents certs and
// accepts TLS 1.2 and 1.3 only, with only the [CipherSuites] in TLS 1.2.
// It works with any certificate, not only those of a [CA].
func ServerTLSConfig(certs ...tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: CipherSuites(),
		Certificates: certs,
	}
}

// MutualTLSConfig returns [ServerTLSConfig] for server that also requires
// every client to present a certificate issued by ca.
func (ca *CA) MutualTLSConfig(server *Leaf) *tls.Config {
	c := ServerTLSConfig(server.Certificate)
	c.ClientAuth = tls.RequireAndVerifyClientCert
	c.ClientCAs = ca.CertPool()
	return c
}

// ClientTLSConfig returns a client configuration that trusts only roots
// (the system roots when roots is nil), speaks TLS 1.2 or 1.3 with the
// same suites as [ServerTLSConfig], and presents certs to servers that ask
// for a client certificate.
func ClientTLSConfig(roots *x509.CertPool, certs ...tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: CipherSuites(),
		RootCAs:      roots,
		Certificates: certs,
	}
}
