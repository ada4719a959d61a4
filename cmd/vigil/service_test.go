package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServiceFlagsOverrideConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "vigil.yaml")
	list := filepath.Join(dir, "list.txt")
	os.WriteFile(list, []byte("203.0.113.1\n"), 0o644)
	os.WriteFile(cfgFile, []byte("listen: 127.0.0.1:9000\nsmtp:\n  addr: mail:25\n  from: a@example.com\n"), 0o644)
	cfg, err := newServiceFlags("up", io.Discard).load([]string{"--config", cfgFile, "--smtp", "127.0.0.1:2525", "--threat-list", list, "--data", dir})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9000" || cfg.SMTP.Addr != "127.0.0.1:2525" || cfg.SMTP.From != "a@example.com" ||
		cfg.Data != dir || len(cfg.ThreatLists) != 1 {
		t.Fatalf("config %+v", cfg)
	}
}

func TestServiceFlagsRefuseBadValues(t *testing.T) {
	for _, args := range [][]string{
		{"--listen", "nowhere"},
		{"--threat-list", "/nonexistent"},
		{"--bogus"},
		{"extra-arg"},
	} {
		if _, err := newServiceFlags("up", io.Discard).load(args); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	_, err := newServiceFlags("up", io.Discard).load([]string{"--listen", "nowhere", "--smtp", "x"})
	if err == nil || !strings.Contains(err.Error(), "listen") || !strings.Contains(err.Error(), "smtp.addr") {
		t.Fatalf("every problem is named: %v", err)
	}
}

func TestParseInterleaved(t *testing.T) {
	f := newClientFlags("rules put", io.Discard)
	var emails stringList
	f.fs.Var(&emails, "email", "")
	pos, err := parseInterleaved(f.fs, []string{"name1", "--email", "a@x", "--json", "--email", "b@x"})
	if err != nil || len(pos) != 1 || pos[0] != "name1" || len(emails) != 2 || !f.json {
		t.Fatalf("pos %v emails %v json %v err %v", pos, emails, f.json, err)
	}
}
