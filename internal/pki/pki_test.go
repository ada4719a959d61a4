package pki

import (
	"crypto/tls"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnsureCACreatesThenLoads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	ca, err := EnsureCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, CAKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, want 0600", st.Mode().Perm())
	}
	again, err := EnsureCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cert.Equal(ca.Cert) {
		t.Fatal("second EnsureCA created a new CA instead of loading")
	}
	if !ca.Cert.IsCA || ca.Cert.PublicKeyAlgorithm.String() != "ECDSA" {
		t.Fatalf("CA cert: IsCA=%v alg=%v", ca.Cert.IsCA, ca.Cert.PublicKeyAlgorithm)
	}
}

func TestEnsureCARefusesHalfACA(t *testing.T) {
	dir := t.TempDir()
	if _, err := EnsureCA(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, CACertFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureCA(dir); err == nil || !strings.Contains(err.Error(), "only one of") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadCARejectsMismatchedKey(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if _, err := EnsureCA(a); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureCA(b); err != nil {
		t.Fatal(err)
	}
	_, err := LoadCA(filepath.Join(a, CACertFile), filepath.Join(b, CAKeyFile))
	if err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("err = %v", err)
	}
}

// TestHandshake proves the pieces fit: a TLS 1.3 handshake with a server
// certificate from the CA succeeds for each SAN and fails for other names
// and for a client trusting another CA.
func TestHandshake(t *testing.T) {
	dir := t.TempDir()
	ca, err := EnsureCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	srvTLS, err := ca.ServerTLS([]string{"vigil.example.internal", "10.1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", srvTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _ = c.(*tls.Conn).Handshake(); _, _ = io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	caFile := filepath.Join(dir, CACertFile)
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "vigil.example.internal", "10.1.2.3"} {
		if err := dialWith(ln.Addr().String(), caFile, name); err != nil {
			t.Errorf("server name %s: %v", name, err)
		}
	}
	if err := dialWith(ln.Addr().String(), caFile, "evil.example.com"); err == nil {
		t.Error("handshake succeeded for a name not in the certificate")
	}
	other := t.TempDir()
	if _, err := EnsureCA(other); err != nil {
		t.Fatal(err)
	}
	if err := dialWith(ln.Addr().String(), filepath.Join(other, CACertFile), "localhost"); err == nil {
		t.Error("handshake succeeded with a client trusting another CA")
	}
}

func dialWith(addr, caFile, name string) error {
	cfg, err := ClientTLS(caFile, name)
	if err != nil {
		return err
	}
	c, err := tls.DialWithDialer(&net.Dialer{}, "tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	if v := c.ConnectionState().Version; v != tls.VersionTLS13 {
		return &net.AddrError{Err: "not TLS 1.3", Addr: addr}
	}
	return nil
}

func TestClientTLSErrors(t *testing.T) {
	if _, err := ClientTLS(filepath.Join(t.TempDir(), "missing.pem"), "localhost"); err == nil {
		t.Error("missing CA file accepted")
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ClientTLS(empty, "localhost"); err == nil {
		t.Error("CA file without certificates accepted")
	}
}
