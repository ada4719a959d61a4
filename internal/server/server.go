// Package server wires the detection service: ingest → detect → finding →
// store → bus → notify, with coverage tracking beside it and the HTTP API in
// front. Each stage is its own package; this one only composes them.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/coverage"
	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/notify"
	"github.com/vigilsec/vigil/internal/pki"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/threatlist"
)

// Server is a running detection service.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	store    store.Store
	engine   atomic.Pointer[detect.Engine]
	router   *bus.Router
	disp     *bus.Dispatcher
	cov      *coverage.Tracker
	ingest   *ingest.Server
	origin   finding.Origin
	metrics  *metrics
	apiLn    net.Listener
	ingestLn net.Listener
	// filters are the filters and suppression rules, by rank.
	filters atomic.Pointer[filterSet]
	// subs is the snapshot of subscriptions topic targets fan out to.
	subs atomic.Pointer[map[string][]bus.Subscription]
	// ready is consulted by /healthz; `vigil up` adds the local agent.
	ready atomic.Pointer[func() error]

	AdminToken string
	AgentToken string
	CA         *pki.CA
}

// New opens the store, loads threat lists and rules, and binds the API and
// ingest listeners (so their addresses are known before Run).
func New(cfg *config.Config, log *slog.Logger) (*Server, error) {
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("making data directory: %w", err)
	}
	s := &Server{cfg: cfg, log: log, metrics: newMetrics()}
	if err := s.openParts(); err != nil {
		s.closeParts()
		return nil, err
	}
	if err := s.listen(); err != nil {
		s.closeParts()
		return nil, err
	}
	return s, nil
}

func (s *Server) openParts() error {
	var err error
	if s.AdminToken, err = ensureToken(filepath.Join(s.cfg.Data, "admin.token")); err != nil {
		return err
	}
	if s.AgentToken, err = ensureToken(filepath.Join(s.cfg.Data, "agent.token")); err != nil {
		return err
	}
	if s.CA, err = pki.EnsureCA(s.cfg.Data); err != nil {
		return fmt.Errorf("loading CA: %w", err)
	}
	if s.store, err = store.OpenSQLite(filepath.Join(s.cfg.Data, "vigil.db")); err != nil {
		return fmt.Errorf("opening store: %w", err)
	}
	threats, err := loadThreatLists(s.cfg.ThreatLists)
	if err != nil {
		return err
	}
	s.engine.Store(detect.NewEngine(detect.Config{Threats: threats}))
	s.origin = finding.Origin{AccountID: s.cfg.Account.ID, Region: s.cfg.Account.Region,
		Partition: s.cfg.Account.Partition, DetectorID: detectorID(s.cfg)}
	s.cov = coverage.NewTracker(coverage.Config{AccountID: s.cfg.Account.ID,
		DetectorID: s.origin.DetectorID, UnhealthyAfter: s.cfg.Coverage.UnhealthyAfter})
	if err := s.loadRules(context.Background()); err != nil {
		return err
	}
	if err := s.reloadFilters(context.Background()); err != nil {
		return fmt.Errorf("loading filters: %w", err)
	}
	if err := s.reloadSubscriptions(context.Background()); err != nil {
		return fmt.Errorf("loading subscriptions: %w", err)
	}
	return s.restoreCoverage(context.Background())
}

func loadThreatLists(files []string) (*threatlist.Set, error) {
	var lists []*threatlist.List
	for _, f := range files {
		l, err := threatlist.LoadFile(f)
		if err != nil {
			return nil, fmt.Errorf("loading threat list: %w", err)
		}
		lists = append(lists, l)
	}
	return threatlist.NewSet(lists...), nil
}

// loadRules puts the config file's rules into the store, then routes on
// every stored rule.
func (s *Server) loadRules(ctx context.Context) error {
	rules, err := s.cfg.BusRules()
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := s.store.PutRule(ctx, r); err != nil {
			return fmt.Errorf("storing rule %s from config: %w", r.Name, err)
		}
	}
	all, err := s.store.ListRules(ctx)
	if err != nil {
		return fmt.Errorf("loading rules: %w", err)
	}
	if s.router, err = bus.NewRouter(all); err != nil {
		return fmt.Errorf("compiling rules: %w", err)
	}
	return nil
}

func (s *Server) listen() error {
	var err error
	if s.apiLn, err = net.Listen("tcp", s.cfg.Listen); err != nil {
		return fmt.Errorf("listening for the API on %s: %w", s.cfg.Listen, err)
	}
	if s.ingestLn, err = net.Listen("tcp", s.cfg.Ingest); err != nil {
		return fmt.Errorf("listening for agents on %s: %w", s.cfg.Ingest, err)
	}
	// Local clients and agents find the actual addresses (even with port 0)
	// in the data directory.
	files := map[string]string{"api.url": "http://" + s.apiLn.Addr().String(), "ingest.addr": s.ingestLn.Addr().String()}
	for name, v := range files {
		if err := os.WriteFile(filepath.Join(s.cfg.Data, name), []byte(v+"\n"), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}

// APIAddr is where the API listens (useful with port 0).
func (s *Server) APIAddr() string { return s.apiLn.Addr().String() }

// IngestAddr is where agents connect.
func (s *Server) IngestAddr() string { return s.ingestLn.Addr().String() }

// SetReady installs an extra readiness check for /healthz.
func (s *Server) SetReady(f func() error) { s.ready.Store(&f) }

// Run serves until ctx is done, then shuts down within cfg.Shutdown.
func (s *Server) Run(ctx context.Context) error {
	defer s.closeParts()
	if err := s.buildIngest(); err != nil {
		return err
	}
	sender, err := notify.NewSender(notify.Config{SMTP: s.smtpConfig(), ConsoleURL: s.consoleURL(),
		HTTP: notify.HTTPConfig{Timeout: s.cfg.Delivery.HTTPTimeout}, File: notify.FileConfig{AllowedDirs: s.cfg.Delivery.FileDirs}})
	if err != nil {
		return fmt.Errorf("making notification sender: %w", err)
	}
	s.disp = bus.NewDispatcher(bus.DispatcherConfig{
		Outbox: s.store, Sender: sender,
		Poll: s.cfg.Delivery.Poll, MaxAttempts: s.cfg.Delivery.MaxAttempts, MaxAge: s.cfg.Delivery.MaxAge,
		MaxBackoff: s.cfg.Delivery.MaxBackoff,
		Logger:     s.log.With("stage", "bus"),
	})
	httpSrv := &http.Server{Handler: api.Routes(s, s.AdminToken, s.log.With("stage", "api")), ReadHeaderTimeout: 10 * time.Second}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.ingest.Serve(gctx, s.ingestLn) })
	g.Go(func() error { return s.disp.Run(gctx) })
	g.Go(func() error { return s.sweepCoverage(gctx) })
	g.Go(func() error { return s.publishUpdates(gctx) })
	g.Go(func() error {
		if err := httpSrv.Serve(s.apiLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serving API: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.Shutdown)
		defer cancel()
		return httpSrv.Shutdown(sctx)
	})
	s.log.Info("vigil server running", "api", s.APIAddr(), "ingest", s.IngestAddr(), "data", s.cfg.Data)
	err = g.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

func (s *Server) buildIngest() error {
	hosts := append([]string{"localhost", "127.0.0.1", "::1"}, s.cfg.IngestHosts...)
	if h, _, err := net.SplitHostPort(s.cfg.Ingest); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	tlsCfg, err := s.CA.ServerTLS(hosts)
	if err != nil {
		return fmt.Errorf("making ingest certificate: %w", err)
	}
	allow, err := s.cfg.IngestNetworks()
	if err != nil {
		return err
	}
	s.ingest, err = ingest.NewServer(ingest.Config{TLS: tlsCfg, Token: s.AgentToken,
		AllowNetworks: allow, Handler: &pipeline{s: s}, Logger: s.log.With("stage", "ingest")})
	if err != nil {
		return fmt.Errorf("making ingest server: %w", err)
	}
	return nil
}

func (s *Server) closeParts() {
	if s.store != nil {
		if err := s.store.Close(); err != nil {
			s.log.Error("closing store", "err", err)
		}
		s.store = nil
	}
	for _, ln := range []net.Listener{s.apiLn, s.ingestLn} {
		if ln != nil {
			_ = ln.Close()
		}
	}
}

func (s *Server) smtpConfig() notify.SMTPConfig {
	c := s.cfg
	return notify.SMTPConfig{Addr: c.SMTP.Addr, From: c.SMTP.From, Username: c.SMTP.Username,
		Password: c.SMTP.Password, TLS: c.SMTP.TLS, ConsoleURL: s.consoleURL(), Timeout: c.SMTP.Timeout}
}
