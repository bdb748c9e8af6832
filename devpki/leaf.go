package devpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
)

// LocalHosts are the names a local server certificate carries when no
// names are given.
var LocalHosts = []string{"localhost", "127.0.0.1", "::1"}

// Leaf is a certificate issued by a [CA], with its key and the files that
// hold them.
type Leaf struct {
	// Certificate is the key pair for [tls.Config.Certificates]. Its Leaf
	// field is set. The chain holds the leaf only: peers trust the CA.
	Certificate tls.Certificate
	// CertFile and KeyFile are the PEM files of the certificate and of its
	// key (mode 0600).
	CertFile, KeyFile string
}

// leafSpec is what a leaf certificate must say.
type leafSpec struct {
	commonName string
	dnsNames   []string // sorted, lowercase
	ips        []net.IP // sorted by string form
	usage      x509.ExtKeyUsage
}

// ServerCert returns a server certificate for hosts (DNS names or IP
// addresses; [LocalHosts] when none are given), kept in the files
// name.pem and name-key.pem of the CA's directory. The files are reused
// while they hold a certificate of this CA for exactly these hosts that is
// not within 30 days of expiry; otherwise a new key and certificate replace
// them.
//
// ServerCert fails when name is not a plain file name (letters, digits,
// '.', '_', '-'; not "ca"), when a host is neither an IP address nor a
// valid DNS name, or when the files cannot be written.
func (ca *CA) ServerCert(name string, hosts ...string) (*Leaf, error) {
	if len(hosts) == 0 {
		hosts = LocalHosts
	}
	spec := leafSpec{usage: x509.ExtKeyUsageServerAuth}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			spec.ips = append(spec.ips, ip)
			continue
		}
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		if !validDNSName(h) {
			return nil, fmt.Errorf("devpki: %q is neither an IP address nor a DNS name", h)
		}
		spec.dnsNames = append(spec.dnsNames, h)
	}
	slices.Sort(spec.dnsNames)
	spec.dnsNames = slices.Compact(spec.dnsNames)
	slices.SortFunc(spec.ips, func(a, b net.IP) int { return strings.Compare(a.String(), b.String()) })
	spec.ips = slices.CompactFunc(spec.ips, net.IP.Equal)
	if len(spec.dnsNames) > 0 {
		spec.commonName = spec.dnsNames[0]
	}
	return ca.ensureLeaf(name, spec)
}

// ClientCert returns a client certificate (for mutual TLS) whose subject
// common name is commonName, kept in the files name.pem and name-key.pem
// of the CA's directory. The files are reused as by [CA.ServerCert].
//
// ClientCert fails when name is not a plain file name, when commonName is
// empty, or when the files cannot be written.
func (ca *CA) ClientCert(name, commonName string) (*Leaf, error) {
	if commonName == "" {
		return nil, fmt.Errorf("devpki: client certificate %q needs a common name", name)
	}
	return ca.ensureLeaf(name, leafSpec{commonName: commonName, usage: x509.ExtKeyUsageClientAuth})
}

func (ca *CA) ensureLeaf(name string, spec leafSpec) (*Leaf, error) {
	if !validFileName(name) {
		return nil, fmt.Errorf("devpki: %q is not a valid certificate name", name)
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()
	l := &Leaf{
		CertFile: filepath.Join(ca.dir, name+".pem"),
		KeyFile:  filepath.Join(ca.dir, name+"-key.pem"),
	}
	cert, key, err := loadPair(l.CertFile, l.KeyFile)
	if err != nil || !ca.reusable(cert, spec) {
		// Leaf files are ours to replace: a missing, broken or stale pair
		// is simply issued again.
		if cert, key, err = ca.issue(l, spec); err != nil {
			return nil, err
		}
	} else if err := tightenMode(l.KeyFile); err != nil {
		return nil, fmt.Errorf("devpki: %w", err)
	}
	l.Certificate = tls.Certificate{
		Certificate: [][]byte{cert.Raw},
		PrivateKey:  key,
		Leaf:        cert,
	}
	return l, nil
}

// reusable reports whether cert was issued by ca for spec and is not close
// to expiry.
func (ca *CA) reusable(cert *x509.Certificate, spec leafSpec) bool {
	now := ca.now()
	if cert.CheckSignatureFrom(ca.Cert) != nil ||
		now.Before(cert.NotBefore) || !now.Add(renewBefore).Before(cert.NotAfter) {
		return false
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{spec.usage}) ||
		cert.Subject.CommonName != spec.commonName {
		return false
	}
	dns := slices.Sorted(slices.Values(cert.DNSNames))
	ips := make([]string, len(cert.IPAddresses))
	for i, ip := range cert.IPAddresses {
		ips[i] = ip.String()
	}
	slices.Sort(ips)
	want := make([]string, len(spec.ips))
	for i, ip := range spec.ips {
		want[i] = ip.String()
	}
	return slices.Equal(dns, spec.dnsNames) && slices.Equal(ips, want)
}

// issue makes a new key and certificate for spec and writes them to l's files.
func (ca *CA) issue(l *Leaf, spec leafSpec) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("devpki: generate key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	now := ca.now()
	notAfter := now.Add(leafValidity)
	if notAfter.After(ca.Cert.NotAfter) {
		notAfter = ca.Cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Organization: []string{"Kessai development"},
			CommonName:   spec.commonName,
		},
		NotBefore:   now.Add(-backdate),
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{spec.usage},
		DNSNames:    spec.dnsNames,
		IPAddresses: spec.ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, fmt.Errorf("devpki: issue certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("devpki: issue certificate: %w", err)
	}
	if err := writePair(l.CertFile, l.KeyFile, der, key); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

func validFileName(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' || strings.EqualFold(s, "ca") {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validDNSName reports whether s is a lowercase DNS name of letter, digit
// and hyphen labels, optionally with a leading "*." wildcard label.
func validDNSName(s string) bool {
	s = strings.TrimPrefix(s, "*.")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
