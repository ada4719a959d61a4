package ingesttest

import (
	"context"
	"crypto/tls"
	"net"
	"path/filepath"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/pki"
)

// TLS creates a CA in a temporary directory and returns a server config
// for 127.0.0.1/localhost and a client config trusting only that CA.
func TLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	dir := t.TempDir()
	ca, err := pki.EnsureCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	server, err = ca.ServerTLS(nil)
	if err != nil {
		t.Fatal(err)
	}
	client, err = pki.ClientTLS(filepath.Join(dir, pki.CACertFile), "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return server, client
}

// Serve starts an ingest server for cfg on addr ("127.0.0.1:0" for any
// port) and returns its address and a stop function that returns once the
// server has fully stopped. The test also stops it at cleanup.
func Serve(t testing.TB, cfg ingest.Config, addr string) (string, func()) {
	t.Helper()
	srv, err := ingest.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}
	t.Cleanup(stop)
	return ln.Addr().String(), stop
}
