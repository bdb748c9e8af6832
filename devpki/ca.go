package devpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// File names of the CA inside its directory.
const (
	CACertFile = "ca.pem"     // the CA certificate, to be trusted by clients
	CAKeyFile  = "ca-key.pem" // the CA private key, mode 0600
)

const (
	caValidity   = 10 * 365 * 24 * time.Hour
	leafValidity = 397 * 24 * time.Hour // the longest that browsers accept
	// renewBefore is how long before expiry a certificate is replaced.
	renewBefore = 30 * 24 * time.Hour
	// backdate covers clocks that are a little behind ours.
	backdate = time.Hour
)

// CA is a local certificate authority whose files live in one directory.
// Its methods are safe for concurrent use within one process.
type CA struct {
	// Cert is the CA certificate.
	Cert *x509.Certificate
	// CertFile is the path of the CA certificate's PEM file: the file that
	// clients trust and that credentials.json names as "ca_file".
	CertFile string

	dir string
	key *ecdsa.PrivateKey
	now func() time.Time
	mu  sync.Mutex // serializes leaf issuance, so a key and its certificate match
}

// EnsureCA returns the CA kept in dir, creating dir (mode 0700) and the CA
// (ECDSA P-256, valid for ten years, key file mode 0600) the first time.
// Later calls load the same files, so certificates issued earlier stay valid.
// A CA within 30 days of expiry is replaced by a new one.
//
// EnsureCA fails when dir cannot be created or written, when only one of
// the two CA files exists, or when the files cannot be parsed, do not match or
// do not hold a CA: it never overwrites a CA key it could not read. Two
// processes creating the same CA at the same moment are not supported.
func EnsureCA(dir string) (*CA, error) {
	return ensureCA(dir, time.Now)
}

func ensureCA(dir string, now func() time.Time) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devpki: create directory: %w", err)
	}
	ca := &CA{
		CertFile: filepath.Join(dir, CACertFile),
		dir:      dir,
		now:      now,
	}
	keyFile := filepath.Join(dir, CAKeyFile)
	cert, key, err := loadPair(ca.CertFile, keyFile)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !exists(ca.CertFile) && !exists(keyFile):
		return ca, ca.create(keyFile)
	case err != nil:
		return nil, fmt.Errorf("devpki: load CA: %w", err)
	}
	if !cert.IsCA || !cert.BasicConstraintsValid || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, fmt.Errorf("devpki: load CA: %s is not a CA certificate", ca.CertFile)
	}
	if err := cert.CheckSignatureFrom(cert); err != nil {
		return nil, fmt.Errorf("devpki: load CA: %s is not self-signed: %w", ca.CertFile, err)
	}
	if !now().Add(renewBefore).Before(cert.NotAfter) {
		return ca, ca.create(keyFile)
	}
	if err := tightenMode(keyFile); err != nil {
		return nil, fmt.Errorf("devpki: load CA: %w", err)
	}
	ca.Cert, ca.key = cert, key
	return ca, nil
}

// create makes a new CA key and certificate and writes them, key first.
func (ca *CA) create(keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("devpki: generate CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return err
	}
	now := ca.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Organization: []string{"Kessai development"},
			// A distinct name per CA, so that two dev CAs in one trust store
			// can be told apart.
			CommonName: fmt.Sprintf("Kessai development CA %x", serial.Bytes()[:4]),
		},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("devpki: create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("devpki: create CA certificate: %w", err)
	}
	if err := writePair(ca.CertFile, keyFile, der, key); err != nil {
		return err
	}
	ca.Cert, ca.key = cert, key
	return nil
}

// Dir returns the directory that holds the CA's files and the files of the
// certificates it issued.
func (ca *CA) Dir() string { return ca.dir }

// CertPool returns a new pool that holds only the CA certificate.
func (ca *CA) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// randomSerial returns a random positive 128-bit serial number.
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("devpki: serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}
