// Package config is vigil's typed configuration: defaults, then a YAML file,
// then command-line flags. Unknown and mistyped keys are refused with the
// file, line and key; nothing is global — callers pass a *Config down.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is everything `vigil up`, `vigil server` and `vigil agent` read.
// See docs/config.example.yaml for every key with a comment.
type Config struct {
	// Data is the data directory: store, CA, tokens.
	Data string `yaml:"data"`
	// Listen is the HTTP API and console address.
	Listen string `yaml:"listen"`
	// Ingest is the agent channel (gRPC over TLS) address.
	Ingest string `yaml:"ingest"`
	// IngestHosts are extra names/IPs for the server certificate.
	IngestHosts []string `yaml:"ingest_hosts"`
	// IngestAllow lists the networks agents may connect from (empty = any).
	IngestAllow []string `yaml:"ingest_allow"`
	// ConsoleURL is the base of links in notifications.
	ConsoleURL string `yaml:"console_url"`

	Account     Account       `yaml:"account"`
	SMTP        SMTP          `yaml:"smtp"`
	ThreatLists []string      `yaml:"threat_lists"`
	Coverage    Coverage      `yaml:"coverage"`
	Findings    Findings      `yaml:"findings"`
	Delivery    Delivery      `yaml:"delivery"`
	Rules       []RuleConfig  `yaml:"rules"`
	Agent       Agent         `yaml:"agent"`
	LogLevel    string        `yaml:"log_level"`
	Shutdown    time.Duration `yaml:"shutdown_timeout"`
}

// Account is the identity findings carry (GuardDuty's account, region and
// detector).
type Account struct {
	ID         string `yaml:"id"`
	Region     string `yaml:"region"`
	Partition  string `yaml:"partition"`
	DetectorID string `yaml:"detector_id"`
}

// SMTP is the mail relay of email targets.
type SMTP struct {
	Addr     string        `yaml:"addr"`
	From     string        `yaml:"from"`
	Username string        `yaml:"username"`
	Password string        `yaml:"password"`
	TLS      string        `yaml:"tls"` // none | starttls | tls
	Timeout  time.Duration `yaml:"timeout"`
}

// Coverage sets when a silent agent's resource turns UNHEALTHY.
type Coverage struct {
	UnhealthyAfter time.Duration `yaml:"unhealthy_after"`
	SweepInterval  time.Duration `yaml:"sweep_interval"`
}

// Findings sets how findings are published.
type Findings struct {
	// PublishingFrequency is how often updates of an existing finding are
	// re-published: FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS (GuardDuty's).
	PublishingFrequency string `yaml:"publishing_frequency"`
}

// PublishingFrequencies maps GuardDuty's findingPublishingFrequency names,
// the values PublishingFrequency accepts, to their periods.
var PublishingFrequencies = map[string]time.Duration{
	"FIFTEEN_MINUTES": 15 * time.Minute,
	"ONE_HOUR":        time.Hour,
	"SIX_HOURS":       6 * time.Hour,
}

// PublishingPeriod is PublishingFrequency as a duration; a name Validate
// would reject counts as SIX_HOURS, the default.
func (f Findings) PublishingPeriod() time.Duration {
	if d, ok := PublishingFrequencies[f.PublishingFrequency]; ok {
		return d
	}
	return PublishingFrequencies["SIX_HOURS"]
}

// Delivery tunes the outbox dispatcher.
type Delivery struct {
	MaxAttempts int           `yaml:"max_attempts"`
	MaxAge      time.Duration `yaml:"max_age"`
	Poll        time.Duration `yaml:"poll"`
	// MaxBackoff caps the delay between two attempts of one delivery.
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// HTTPTimeout bounds one webhook or Slack request.
	HTTPTimeout time.Duration `yaml:"http_timeout"`
	// FileDirs confines file targets to these directories (empty: any).
	FileDirs []string `yaml:"file_dirs"`
}

// RuleConfig is a rule declared in the config file; it is put into the store
// at start (replacing a stored rule of the same name).
type RuleConfig struct {
	Name        string          `yaml:"name"`
	Description string          `yaml:"description"`
	Pattern     yaml.Node       `yaml:"pattern"` // inline YAML/JSON object or a JSON string
	PatternFile string          `yaml:"pattern_file"`
	Enabled     *bool           `yaml:"enabled"`
	Targets     []TargetConfig  `yaml:"targets"`
	patternJSON json.RawMessage `yaml:"-"`
}

// TargetConfig is one rule target; exactly one kind is set (email,
// webhook, slack, file or topic).
type TargetConfig struct {
	ID      string         `yaml:"id"`
	Email   []string       `yaml:"email"`
	Webhook *WebhookConfig `yaml:"webhook"`
	Slack   string         `yaml:"slack"`
	File    string         `yaml:"file"`
	Topic   string         `yaml:"topic"`

	Input            string             `yaml:"input"`
	InputPath        string             `yaml:"input_path"`
	InputTransformer *TransformerConfig `yaml:"input_transformer"`
	RetryPolicy      *RetryConfig       `yaml:"retry_policy"`
	RateLimit        *RateLimitConfig   `yaml:"rate_limit"`
}

// WebhookConfig is a webhook target.
type WebhookConfig struct {
	URL     string            `yaml:"url"`
	Secret  string            `yaml:"secret"`
	Headers map[string]string `yaml:"headers"`
}

// TransformerConfig is EventBridge's InputTransformer.
type TransformerConfig struct {
	InputPathsMap map[string]string `yaml:"input_paths_map"`
	InputTemplate string            `yaml:"input_template"`
}

// RetryConfig is a target's retry policy.
type RetryConfig struct {
	MaximumRetryAttempts     int `yaml:"maximum_retry_attempts"`
	MaximumEventAgeInSeconds int `yaml:"maximum_event_age_in_seconds"`
}

// RateLimitConfig caps deliveries per second to a target.
type RateLimitConfig struct {
	PerSecond float64 `yaml:"per_second"`
	Burst     int     `yaml:"burst"`
}

// Agent configures `vigil agent` and the local agent of `vigil up`.
type Agent struct {
	Server            string        `yaml:"server"`
	TokenFile         string        `yaml:"token_file"`
	CAFile            string        `yaml:"ca_file"`
	StateDir          string        `yaml:"state_dir"`
	ID                string        `yaml:"id"`
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	RingBufferBytes   int           `yaml:"ring_buffer_bytes"`
	OpenPathPrefixes  []string      `yaml:"open_path_prefixes"`
	ECSMetadataURI    string        `yaml:"ecs_metadata_uri"`
}

// Default returns the embedded defaults `vigil up` runs on.
func Default() *Config {
	return &Config{
		Data:       "/var/lib/vigil",
		Listen:     "127.0.0.1:8080",
		Ingest:     "127.0.0.1:8443",
		ConsoleURL: "",
		Account:    Account{ID: "000000000000", Region: "local", Partition: "aws"},
		SMTP:       SMTP{From: "vigil@localhost", TLS: "none", Timeout: 10 * time.Second},
		Coverage:   Coverage{UnhealthyAfter: 30 * time.Second, SweepInterval: time.Second},
		Findings:   Findings{PublishingFrequency: "SIX_HOURS"},
		Delivery:   Delivery{MaxAttempts: 185, MaxAge: 24 * time.Hour, Poll: 200 * time.Millisecond, MaxBackoff: 5 * time.Minute, HTTPTimeout: 10 * time.Second},
		Agent:      Agent{HeartbeatInterval: 5 * time.Second},
		LogLevel:   "info",
		Shutdown:   10 * time.Second,
	}
}

// Load reads the YAML file at path over the defaults. Unknown keys and
// wrong types are errors naming path:line.
func Load(path string) (*Config, error) {
	c := Default()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if err := c.decode(path, data); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) decode(path string, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	for i := range c.Rules {
		if err := c.Rules[i].resolvePattern(path); err != nil {
			return err
		}
	}
	return nil
}
