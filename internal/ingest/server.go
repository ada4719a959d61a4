package ingest

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
)

// Config configures a Server. TLS, Token and Handler are required: agents
// never talk to a server in the clear or without credentials.
type Config struct {
	Listen         string // address for Run, e.g. ":7443"
	TLS            *tls.Config
	Token          string         // enrollment token agents present as "Bearer <token>"
	AllowNetworks  []netip.Prefix // remote networks allowed to connect; empty = all
	MaxBatchEvents int            // events per batch before it is rejected; default 4096
	Handler        Handler
	Logger         *slog.Logger // default: discard
}

// DefaultMaxBatchEvents leaves room above the agent's default of 256 while
// bounding the work one message can cause.
const DefaultMaxBatchEvents = 4096

// maxRecvMsgSize bounds one agent message. The agent caps batches at 1 MiB
// of encoded events, so this only stops abuse.
const maxRecvMsgSize = 8 << 20

// Server accepts agent streams. It serves once: after Serve returns, make a
// new Server to serve again.
type Server struct {
	pb.UnimplementedIngestServer

	cfg       Config
	log       *slog.Logger
	tokenHash [32]byte
	reg       *registry
	grpc      *grpc.Server

	mu   sync.Mutex
	addr net.Addr
}

// NewServer checks cfg and builds a Server.
func NewServer(cfg Config) (*Server, error) {
	switch {
	case cfg.TLS == nil:
		return nil, errors.New("ingest: TLS config is required")
	case cfg.Token == "":
		return nil, errors.New("ingest: enrollment token is required")
	case cfg.Handler == nil:
		return nil, errors.New("ingest: handler is required")
	case cfg.MaxBatchEvents < 0:
		return nil, fmt.Errorf("ingest: MaxBatchEvents %d is negative", cfg.MaxBatchEvents)
	}
	if cfg.MaxBatchEvents == 0 {
		cfg.MaxBatchEvents = DefaultMaxBatchEvents
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	tlsCfg := cfg.TLS.Clone()
	if tlsCfg.MinVersion < tls.VersionTLS13 {
		tlsCfg.MinVersion = tls.VersionTLS13
	}
	s := &Server{cfg: cfg, log: cfg.Logger, tokenHash: sha256.Sum256([]byte(cfg.Token)), reg: newRegistry()}
	s.grpc = grpc.NewServer(
		grpc.Creds(credentials.NewTLS(tlsCfg)),
		grpc.StreamInterceptor(s.authStream),
		grpc.MaxRecvMsgSize(maxRecvMsgSize),
		grpc.MaxConcurrentStreams(8), // an agent needs one; a few spare for replacement
		grpc.ConnectionTimeout(10*time.Second),
		// Keepalive finds agents that vanished without closing (host
		// crash, network partition) so their stream and Gone follow.
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		// Stop waits for stream handlers, so every Gone has been called
		// and no Batch is in flight when Serve returns.
		grpc.WaitForHandlers(true),
	)
	pb.RegisterIngestServer(s.grpc, s)
	return s, nil
}

// Run listens on cfg.Listen and serves until ctx is done.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("ingest: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves agent streams on ln until ctx is done, then closes every
// stream and waits for their handlers. It returns nil after ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	s.addr = ln.Addr()
	s.mu.Unlock()
	s.log.Info("ingest listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- s.grpc.Serve(ln) }()
	select {
	case <-ctx.Done():
		// Not GracefulStop: agent streams never end on their own, and
		// agents resend whatever was not acked.
		s.grpc.Stop()
		<-errc
		return nil
	case err := <-errc:
		return fmt.Errorf("ingest: serve: %w", err)
	}
}

// Addr is the listening address once Serve has started, else nil.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}
