package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/bus"
)

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// Validate checks every value; the error lists each problem with its key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, a...)))
	}
	if c.Data == "" {
		bad("data", "must not be empty")
	}
	checkAddr(bad, "listen", c.Listen)
	checkAddr(bad, "ingest", c.Ingest)
	if _, err := c.IngestNetworks(); err != nil {
		errs = append(errs, err)
	}
	if !accountRE.MatchString(c.Account.ID) {
		bad("account.id", "%q is not 12 digits", c.Account.ID)
	}
	if c.Account.Region == "" {
		bad("account.region", "must not be empty")
	}
	if c.SMTP.Addr != "" {
		checkAddr(bad, "smtp.addr", c.SMTP.Addr)
	}
	switch c.SMTP.TLS {
	case "none", "starttls", "tls":
	default:
		bad("smtp.tls", "%q: want none, starttls or tls", c.SMTP.TLS)
	}
	if _, ok := PublishingFrequencies[c.Findings.PublishingFrequency]; !ok {
		bad("findings.publishing_frequency", "%q: want FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS", c.Findings.PublishingFrequency)
	}
	if c.Coverage.UnhealthyAfter <= 0 {
		bad("coverage.unhealthy_after", "must be positive")
	}
	if c.Coverage.SweepInterval <= 0 {
		bad("coverage.sweep_interval", "must be positive")
	}
	if c.Delivery.MaxAttempts < 1 || c.Delivery.MaxAttempts > 185 {
		bad("delivery.max_attempts", "%d: want 1 to 185", c.Delivery.MaxAttempts)
	}
	for i, d := range c.Delivery.FileDirs {
		if !filepath.IsAbs(d) || filepath.Clean(d) != d {
			bad(fmt.Sprintf("delivery.file_dirs[%d]", i), "%q: want an absolute, clean path", d)
		}
	}
	if c.Delivery.MaxBackoff < time.Second {
		bad("delivery.max_backoff", "%v: want at least 1s", c.Delivery.MaxBackoff)
	}
	if c.Delivery.HTTPTimeout <= 0 {
		bad("delivery.http_timeout", "must be positive")
	}
	for i, f := range c.ThreatLists {
		if _, err := os.Stat(f); err != nil {
			bad(fmt.Sprintf("threat_lists[%d]", i), "%v", err)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q: want debug, info, warn or error", c.LogLevel)
	}
	if _, err := c.BusRules(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func checkAddr(bad func(string, string, ...any), key, addr string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		bad(key, "%q is not HOST:PORT", addr)
		return
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		bad(key, "%q: bad port", addr)
	}
	_ = host
}

// IngestNetworks parses IngestAllow, the networks agents may connect from
// (none means any). The error names every entry that is not a CIDR.
func (c *Config) IngestNetworks() ([]netip.Prefix, error) {
	var out []netip.Prefix
	var errs []error
	for i, n := range c.IngestAllow {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			errs = append(errs, fmt.Errorf("ingest_allow[%d]: %q is not a CIDR (e.g. 10.0.0.0/8)", i, n))
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// BusRules converts the rules declared in the file, validating each.
func (c *Config) BusRules() ([]bus.Rule, error) {
	var out []bus.Rule
	for i, rc := range c.Rules {
		key := fmt.Sprintf("rules[%d]", i)
		if rc.Name != "" {
			key += " (" + rc.Name + ")"
		}
		r := bus.Rule{Name: rc.Name, Description: rc.Description, Pattern: rc.patternJSON, Enabled: rc.Enabled == nil || *rc.Enabled}
		for j, t := range rc.Targets {
			bt, err := t.busTarget()
			if err != nil {
				return nil, fmt.Errorf("%s.targets[%d]: %w", key, j, err)
			}
			r.Targets = append(r.Targets, bt)
		}
		n, err := bus.NormalizeRule(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// resolvePattern turns the pattern given inline (YAML/JSON object or a JSON
// string) or by pattern_file into JSON.
func (rc *RuleConfig) resolvePattern(file string) error {
	where := fmt.Sprintf("%s: rule %q", file, rc.Name)
	switch {
	case rc.PatternFile != "" && rc.Pattern.Kind != 0:
		return fmt.Errorf("%s: set pattern or pattern_file, not both", where)
	case rc.PatternFile != "":
		data, err := os.ReadFile(rc.PatternFile)
		if err != nil {
			return fmt.Errorf("%s: pattern_file: %w", where, err)
		}
		rc.patternJSON = data
		return nil
	case rc.Pattern.Kind == yaml.ScalarNode:
		rc.patternJSON = json.RawMessage(rc.Pattern.Value)
		return nil
	case rc.Pattern.Kind == yaml.MappingNode:
		var v any
		if err := rc.Pattern.Decode(&v); err != nil {
			return fmt.Errorf("%s:%d: pattern: %w", file, rc.Pattern.Line, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("%s:%d: pattern: %w", file, rc.Pattern.Line, err)
		}
		rc.patternJSON = b
		return nil
	}
	return fmt.Errorf("%s: pattern (or pattern_file) is required", where)
}

// busTarget converts a target of the file; exactly one kind must be set.
func (t TargetConfig) busTarget() (bus.Target, error) {
	bt := bus.Target{ID: t.ID, Input: t.Input, InputPath: t.InputPath}
	kinds := 0
	if len(t.Email) > 0 {
		kinds++
		bt.Kind, bt.Email = bus.TargetEmail, &bus.EmailTarget{To: t.Email}
	}
	if t.Webhook != nil {
		kinds++
		bt.Kind, bt.Webhook = bus.TargetWebhook, &bus.WebhookTarget{URL: t.Webhook.URL, Secret: t.Webhook.Secret, Headers: t.Webhook.Headers}
	}
	if t.Slack != "" {
		kinds++
		bt.Kind, bt.Slack = bus.TargetSlack, &bus.SlackTarget{URL: t.Slack}
	}
	if t.File != "" {
		kinds++
		bt.Kind, bt.File = bus.TargetFile, &bus.FileTarget{Path: t.File}
	}
	if t.Topic != "" {
		kinds++
		bt.Kind, bt.Topic = bus.TargetTopic, &bus.TopicTarget{Name: t.Topic}
	}
	if kinds != 1 {
		return bt, fmt.Errorf("set exactly one of email, webhook, slack, file or topic (got %d)", kinds)
	}
	if tr := t.InputTransformer; tr != nil {
		bt.InputTransformer = &bus.InputTransformer{InputPathsMap: tr.InputPathsMap, InputTemplate: tr.InputTemplate}
	}
	if rp := t.RetryPolicy; rp != nil {
		bt.RetryPolicy = &bus.RetryPolicy{MaximumRetryAttempts: rp.MaximumRetryAttempts, MaximumEventAgeInSeconds: rp.MaximumEventAgeInSeconds}
	}
	if rl := t.RateLimit; rl != nil {
		bt.RateLimit = &bus.RateLimit{PerSecond: rl.PerSecond, Burst: rl.Burst}
	}
	return bt, nil
}
