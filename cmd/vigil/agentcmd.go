package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/vigilsec/vigil/internal/agent"
	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/container"
	"github.com/vigilsec/vigil/internal/pki"
	"github.com/vigilsec/vigil/internal/sensor"
)

// agentConfig maps the agent section of the config file.
func agentConfig(cfg *config.Config) agent.Config {
	a := cfg.Agent
	uri := a.ECSMetadataURI
	if uri == "" {
		uri = os.Getenv("ECS_CONTAINER_METADATA_URI_V4")
	}
	return agent.Config{
		ID: a.ID, StateDir: a.StateDir, Version: version, HeartbeatInterval: a.HeartbeatInterval,
		Sensor:    sensor.Config{RingBufferBytes: a.RingBufferBytes, OpenPathPrefixes: a.OpenPathPrefixes},
		Container: container.Config{ECSMetadataURI: uri},
	}
}

func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "YAML config file (its agent section)")
	server := fs.String("server", "", "server ingest HOST:PORT (config: agent.server)")
	tokenFile := fs.String("token-file", "", "file with the enrollment token, the server's DIR/agent.token (config: agent.token_file)")
	caFile := fs.String("ca-file", "", "CA certificate, the server's DIR/ca.pem (config: agent.ca_file)")
	stateDir := fs.String("state-dir", "/var/lib/vigil-agent", "where the agent keeps its id (config: agent.state_dir)")
	output := fs.String("output", "", `"json": write events to stdout instead of a server`)
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := config.Default()
	if *configFile != "" {
		var err error
		if cfg, err = config.Load(*configFile); err != nil {
			return err
		}
	}
	set := map[string]func(){
		"server": func() { cfg.Agent.Server = *server }, "token-file": func() { cfg.Agent.TokenFile = *tokenFile },
		"ca-file": func() { cfg.Agent.CAFile = *caFile }, "state-dir": func() { cfg.Agent.StateDir = *stateDir },
		"log-level": func() { cfg.LogLevel = *logLevel },
	}
	fs.Visit(func(f *flag.Flag) {
		if fn, ok := set[f.Name]; ok {
			fn()
		}
	})
	if cfg.Agent.StateDir == "" {
		cfg.Agent.StateDir = *stateDir
	}
	acfg := agentConfig(cfg)
	acfg.Logger = newLogger(cfg.LogLevel, stderr)
	switch *output {
	case "json":
		acfg.Output = stdout
	case "":
		if err := remoteAgent(&acfg, cfg.Agent); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--output %q: only json is supported", *output)
	}
	ag, err := agent.New(acfg)
	if err != nil {
		return err
	}
	return ag.Run(ctx)
}

// remoteAgent fills in how to reach and authenticate to the server.
func remoteAgent(acfg *agent.Config, a config.Agent) error {
	if a.Server == "" || a.TokenFile == "" || a.CAFile == "" {
		return fmt.Errorf("vigil agent needs --server, --token-file and --ca-file (or --output json)")
	}
	host, _, err := net.SplitHostPort(a.Server)
	if err != nil {
		return fmt.Errorf("--server %q: want HOST:PORT", a.Server)
	}
	tok, err := os.ReadFile(a.TokenFile)
	if err != nil {
		return fmt.Errorf("reading token file: %w", err)
	}
	tlsCfg, err := pki.ClientTLS(a.CAFile, host)
	if err != nil {
		return fmt.Errorf("agent TLS: %w", err)
	}
	acfg.Server, acfg.Token, acfg.TLS = a.Server, strings.TrimSpace(string(tok)), tlsCfg
	return nil
}
