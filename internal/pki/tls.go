package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// serverValidity is short-ish because server certificates are issued anew
// at every server start; nothing stores or rotates them.
const serverValidity = 397 * 24 * time.Hour

// ServerCert issues a server certificate with a fresh P-256 key, valid for
// hosts (names or IP literals) plus localhost, 127.0.0.1 and ::1, so that
// the all-in-one `vigil up` agent can always reach its own server.
func (ca *CA) ServerCert(hosts []string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: generate server key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "vigil server", Organization: []string{"vigil"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(serverValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	addSANs(tmpl, append([]string{"localhost", "127.0.0.1", "::1"}, hosts...))
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: create server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("pki: parse server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// addSANs puts IP literals into IPAddresses and everything else into
// DNSNames, once each.
func addSANs(tmpl *x509.Certificate, hosts []string) {
	seen := map[string]bool{}
	for _, h := range hosts {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
}

// ServerTLS returns a TLS 1.3 server configuration with a certificate from
// ServerCert(hosts).
func (ca *CA) ServerTLS(hosts []string) (*tls.Config, error) {
	cert, err := ca.ServerCert(hosts)
	if err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cert}}, nil
}

// ClientTLS returns a TLS 1.3 client configuration that trusts only the CA
// in caFile and expects serverName (a host name or IP literal) in the
// server's certificate. The system roots are deliberately not trusted: an
// agent talks to its own server, never to a public CA's customer.
func ClientTLS(caFile, serverName string) (*tls.Config, error) {
	if serverName == "" {
		return nil, errors.New("pki: client TLS: empty server name")
	}
	b, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("pki: client TLS: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("pki: client TLS: no certificate in %s", caFile)
	}
	return &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool, ServerName: serverName}, nil
}
