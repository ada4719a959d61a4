package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/vigilsec/vigil/internal/agent"
	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/pki"
	"github.com/vigilsec/vigil/internal/server"
)

// serviceFlags are the flags of `up` and `server`; each has a config key.
type serviceFlags struct {
	fs          *flag.FlagSet
	configFile  string
	data        string
	listen      string
	ingest      string
	smtp        string
	smtpFrom    string
	threatLists stringList
	logLevel    string
}

func newServiceFlags(name string, stderr io.Writer) *serviceFlags {
	f := &serviceFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.fs.SetOutput(stderr)
	f.fs.StringVar(&f.configFile, "config", "", "YAML config file (see docs/config.example.yaml)")
	f.fs.StringVar(&f.data, "data", "", "data directory (config: data; default /var/lib/vigil)")
	f.fs.StringVar(&f.listen, "listen", "", "API and console address (config: listen; default 127.0.0.1:8080)")
	f.fs.StringVar(&f.ingest, "ingest", "", "agent channel address, gRPC over TLS (config: ingest; default 127.0.0.1:8443)")
	f.fs.StringVar(&f.smtp, "smtp", "", "SMTP relay HOST:PORT for email targets (config: smtp.addr)")
	f.fs.StringVar(&f.smtpFrom, "smtp-from", "", "From address of notification mail (config: smtp.from)")
	f.fs.Var(&f.threatLists, "threat-list", "threat list file in GuardDuty TXT format; repeatable (config: threat_lists)")
	f.fs.StringVar(&f.logLevel, "log-level", "", "debug, info, warn or error (config: log_level)")
	return f
}

// load parses args and builds the validated config: defaults, then the
// file, then the flags that were given.
func (f *serviceFlags) load(args []string) (*config.Config, error) {
	if err := f.fs.Parse(args); err != nil {
		return nil, err
	}
	if f.fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", f.fs.Arg(0))
	}
	cfg := config.Default()
	if f.configFile != "" {
		var err error
		if cfg, err = config.Load(f.configFile); err != nil {
			return nil, err
		}
	}
	set := map[string]func(){
		"data": func() { cfg.Data = f.data }, "listen": func() { cfg.Listen = f.listen },
		"ingest": func() { cfg.Ingest = f.ingest }, "smtp": func() { cfg.SMTP.Addr = f.smtp },
		"smtp-from": func() { cfg.SMTP.From = f.smtpFrom }, "log-level": func() { cfg.LogLevel = f.logLevel },
		"threat-list": func() { cfg.ThreatLists = append(cfg.ThreatLists, f.threatLists...) },
	}
	f.fs.Visit(func(fl *flag.Flag) {
		if apply, ok := set[fl.Name]; ok { // --config was read above
			apply()
		}
	})
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return cfg, nil
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func runServer(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := newServiceFlags("server", stderr).load(args)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, stderr)
	srv, err := server.New(cfg, log)
	if err != nil {
		return err
	}
	log.Info("agents enroll with", "token_file", filepath.Join(cfg.Data, "agent.token"), "ca_file", filepath.Join(cfg.Data, "ca.pem"))
	go reloadOnHangup(ctx, srv, log)
	return srv.Run(ctx)
}

// runUp runs the service and a local agent in one process: the agent
// connects to the service over the same authenticated TLS channel a remote
// agent uses.
func runUp(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := newServiceFlags("up", stderr).load(args)
	if err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("vigil up loads eBPF programs: run it as root")
	}
	log := newLogger(cfg.LogLevel, stderr)
	srv, err := server.New(cfg, log)
	if err != nil {
		return err
	}
	tlsCfg, err := pki.ClientTLS(filepath.Join(cfg.Data, "ca.pem"), "localhost")
	if err != nil {
		return fmt.Errorf("local agent TLS: %w", err)
	}
	acfg := agentConfig(cfg)
	acfg.Server, acfg.TLS, acfg.Token = srv.IngestAddr(), tlsCfg, srv.AgentToken
	acfg.StateDir = filepath.Join(cfg.Data, "agent")
	acfg.Logger = log.With("stage", "agent")
	ag, err := agent.New(acfg)
	if err != nil {
		return fmt.Errorf("starting local agent: %w", err)
	}
	srv.SetReady(ag.Ready)
	go reloadOnHangup(ctx, srv, log)
	errc := make(chan error, 1)
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { errc <- ag.Run(actx) }()
	err = srv.Run(ctx)
	cancel()
	if aerr := <-errc; err == nil {
		err = aerr
	}
	return err
}

// reloadOnHangup re-reads the threat lists on SIGHUP; a bad list is logged
// with its file:line and the lists in force are kept.
func reloadOnHangup(ctx context.Context, srv *server.Server, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := srv.ReloadThreatLists(); err != nil {
				log.Error("SIGHUP", "err", err)
			}
		}
	}
}
