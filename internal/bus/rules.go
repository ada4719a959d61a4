package bus

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/bus/pattern"
)

// Limits from EventBridge (event-patterns.md §6.1, §6.2, §7).
const (
	MaxRuleNameLength    = 64
	MaxRuleDescription   = 512
	MaxTargetsPerRule    = 5
	MaxTargetIDLength    = 64
	maxEmailRecipients   = 50
	maxTargetURLLength   = 2048
	maxWebhookSecret     = 256
	maxWebhookHeaders    = 20
	maxHeaderValueLength = 4096
	maxFilePathLength    = 4096
	targetIDAutoPrefix   = "t"
	ruleNameAllowedChars = `[A-Za-z0-9._-]`
)

var (
	// Immutable compiled expressions, not configuration.
	ruleNameRE = regexp.MustCompile(`^` + ruleNameAllowedChars + `{1,64}$`)
	targetIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
)

// ValidateRule reports the first reason r cannot be stored or routed. Target
// ids may be empty: NormalizeRule assigns them.
func ValidateRule(r Rule) error {
	_, err := NormalizeRule(r)
	return err
}

// NormalizeRule validates r and returns a copy whose empty target ids are
// filled with t1, t2, … (the lowest numbers not already taken), so every
// delivery names its target. The input is not modified.
func NormalizeRule(r Rule) (Rule, error) {
	out, _, err := normalizeRule(r)
	return out, err
}

// normalizeRule also returns the compiled pattern, so the router compiles
// each pattern once.
func normalizeRule(r Rule) (Rule, *pattern.Pattern, error) {
	if !ruleNameRE.MatchString(r.Name) {
		return Rule{}, nil, fmt.Errorf("rule name %q: want 1-%d characters of %s", r.Name, MaxRuleNameLength, ruleNameAllowedChars)
	}
	if len(r.Description) > MaxRuleDescription {
		return Rule{}, nil, fmt.Errorf("rule %s: description longer than %d characters", r.Name, MaxRuleDescription)
	}
	p, err := pattern.Compile(r.Pattern)
	if err != nil {
		return Rule{}, nil, fmt.Errorf("pattern: %w", err)
	}
	targets, err := normalizeTargets(r.Targets)
	if err != nil {
		return Rule{}, nil, err
	}
	r.Targets = targets
	r.Pattern = append(json.RawMessage(nil), r.Pattern...)
	return r, p, nil
}

func normalizeTargets(in []Target) ([]Target, error) {
	if len(in) == 0 {
		return nil, errors.New("targets: a rule needs at least one target")
	}
	if len(in) > MaxTargetsPerRule {
		return nil, fmt.Errorf("targets: %d targets, at most %d per rule", len(in), MaxTargetsPerRule)
	}
	out := make([]Target, len(in))
	seen := make(map[string]bool, len(in))
	for i, t := range in {
		if t.ID == "" {
			continue
		}
		if !targetIDRE.MatchString(t.ID) {
			return nil, fmt.Errorf("targets[%d]: id %q: want 1-%d characters of [A-Za-z0-9._-]", i, t.ID, MaxTargetIDLength)
		}
		if seen[t.ID] {
			return nil, fmt.Errorf("targets[%d]: duplicate id %q", i, t.ID)
		}
		seen[t.ID] = true
	}
	next := 1
	for i, t := range in {
		if err := validateTarget(t); err != nil {
			return nil, fmt.Errorf("targets[%d]: %w", i, err)
		}
		if err := validateTargetOptions(t); err != nil {
			return nil, fmt.Errorf("targets[%d]: %w", i, err)
		}
		for t.ID == "" {
			id := targetIDAutoPrefix + strconv.Itoa(next)
			next++
			if !seen[id] {
				t.ID = id
				seen[id] = true
			}
		}
		out[i] = copyTarget(t)
	}
	return out, nil
}

// validateTarget checks the kind and the member that belongs to it. New
// target kinds add a case here and a file in internal/notify.
func validateTarget(t Target) error {
	switch t.Kind {
	case TargetEmail:
		return validateEmail(t.Email)
	case TargetWebhook:
		return validateWebhook(t.Webhook)
	case TargetSlack:
		return validateSlack(t.Slack)
	case TargetFile:
		return validateFile(t.File)
	case TargetTopic:
		if t.Topic == nil {
			return errors.New("topic: kind topic needs a topic member")
		}
		if err := ValidateTopic(Topic{Name: t.Topic.Name}); err != nil {
			return fmt.Errorf("topic.%w", err)
		}
		return nil
	case "":
		return errors.New("kind is required")
	default:
		return fmt.Errorf("unknown kind %q", t.Kind)
	}
}

func validateEmail(e *EmailTarget) error {
	if e == nil {
		return errors.New("email: kind email needs an email member")
	}
	if len(e.To) == 0 {
		return errors.New("email: at least one address is required")
	}
	if len(e.To) > maxEmailRecipients {
		return fmt.Errorf("email: %d addresses, at most %d", len(e.To), maxEmailRecipients)
	}
	for i, a := range e.To {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("email: to[%d] %q: %w", i, a, err)
		}
	}
	return nil
}

// copyTarget deep-copies the target so a normalized rule shares no slices
// with its input.
func copyTarget(t Target) Target {
	if t.Email != nil {
		e := *t.Email
		e.To = append([]string(nil), t.Email.To...)
		t.Email = &e
	}
	if t.Webhook != nil {
		w := *t.Webhook
		w.Headers = maps.Clone(t.Webhook.Headers)
		t.Webhook = &w
	}
	if t.Slack != nil {
		s := *t.Slack
		t.Slack = &s
	}
	if t.File != nil {
		f := *t.File
		t.File = &f
	}
	if t.Topic != nil {
		tp := *t.Topic
		t.Topic = &tp
	}
	if t.InputTransformer != nil {
		tr := *t.InputTransformer
		tr.InputPathsMap = maps.Clone(t.InputTransformer.InputPathsMap)
		t.InputTransformer = &tr
	}
	if t.RetryPolicy != nil {
		rp := *t.RetryPolicy
		t.RetryPolicy = &rp
	}
	if t.RateLimit != nil {
		rl := *t.RateLimit
		t.RateLimit = &rl
	}
	return t
}

func validateWebhook(w *WebhookTarget) error {
	if w == nil {
		return errors.New("webhook: kind webhook needs a webhook member")
	}
	if err := validateHTTPURL(w.URL, false); err != nil {
		return fmt.Errorf("webhook.url: %w", err)
	}
	if len(w.Secret) > maxWebhookSecret {
		return fmt.Errorf("webhook.secret: %d characters, at most %d", len(w.Secret), maxWebhookSecret)
	}
	if len(w.Headers) > maxWebhookHeaders {
		return fmt.Errorf("webhook.headers: %d headers, at most %d", len(w.Headers), maxWebhookHeaders)
	}
	seen := make(map[string]string, len(w.Headers))
	for name, value := range w.Headers {
		if err := ValidateWebhookHeader(name, value); err != nil {
			return fmt.Errorf("webhook.headers[%q]: %w", name, err)
		}
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if other, dup := seen[canon]; dup {
			return fmt.Errorf("webhook.headers[%q]: same header as %q (names are case-insensitive)", name, other)
		}
		seen[canon] = name
	}
	return nil
}

// ValidateWebhookHeader refuses names that are not HTTP tokens, values that
// could split the request (CR, LF, NUL), and headers vigil sets itself:
// letting a target override Content-Type or the X-Vigil-* headers would let
// it forge what receivers rely on (signature, event id). internal/notify
// calls it again when it builds the request, for targets stored before a
// rule was tightened.
func ValidateWebhookHeader(name, value string) error {
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenRune(r) }) >= 0 {
		return errors.New("name is not a valid HTTP header name")
	}
	canon := textproto.CanonicalMIMEHeaderKey(name)
	switch canon {
	case "Content-Type", "Content-Length", "Host", "Transfer-Encoding", "Connection":
		return fmt.Errorf("%s is set by vigil and cannot be overridden", canon)
	}
	if strings.HasPrefix(canon, "X-Vigil-") {
		return errors.New("X-Vigil-* headers are set by vigil and cannot be overridden")
	}
	if len(value) > maxHeaderValueLength {
		return fmt.Errorf("value longer than %d bytes", maxHeaderValueLength)
	}
	if strings.IndexFunc(value, func(r rune) bool { return r != '\t' && (r < ' ' || r == 0x7f) }) >= 0 {
		return errors.New("value contains control characters")
	}
	return nil
}

// isTokenRune reports whether r may appear in an HTTP header name (RFC 9110 token).
func isTokenRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

func validateSlack(s *SlackTarget) error {
	if s == nil {
		return errors.New("slack: kind slack needs a slack member")
	}
	// Slack webhook URLs carry their credential in the path: over plain
	// HTTP anyone on the way could post to the channel. Loopback is allowed
	// for local receivers (tests, a relay on the same host).
	if err := validateHTTPURL(s.URL, true); err != nil {
		return fmt.Errorf("slack.url: %w", err)
	}
	return nil
}

// validateHTTPURL accepts absolute http(s) URLs with a host and without
// user info (credentials belong in a header, not in a URL that is shown
// in listings and logs). httpsOnly allows http only to loopback hosts.
func validateHTTPURL(raw string, httpsOnly bool) error {
	if raw == "" {
		return errors.New("is required")
	}
	if len(raw) > maxTargetURLLength {
		return fmt.Errorf("longer than %d characters", maxTargetURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: want an absolute http or https URL", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%q: no host", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q: user info in the URL is not allowed", raw)
	}
	if httpsOnly && u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return fmt.Errorf("%q: want https (http only to localhost or 127.0.0.1)", raw)
	}
	return nil
}

// IsLoopbackHost reports whether host (a name or IP literal, without port)
// is localhost or a loopback address: where cleartext is acceptable.
func IsLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func validateFile(f *FileTarget) error {
	if f == nil {
		return errors.New("file: kind file needs a file member")
	}
	p := f.Path
	switch {
	case p == "":
		return errors.New("file.path: is required")
	case len(p) > maxFilePathLength:
		return fmt.Errorf("file.path: longer than %d characters", maxFilePathLength)
	case strings.ContainsRune(p, 0):
		return errors.New("file.path: contains a NUL byte")
	case !filepath.IsAbs(p):
		return fmt.Errorf("file.path %q: want an absolute path", p)
	case filepath.Clean(p) != p:
		// A clean path is what the operator reads in listings, and it makes
		// prefix checks (allowed directories) sound: no "..", no "//".
		return fmt.Errorf("file.path %q: not clean, want %q", p, filepath.Clean(p))
	}
	// Kernel interfaces, not files: a JSON line written to /proc/sys or a
	// device could change the system rather than record an event.
	for _, root := range []string{"/proc", "/sys", "/dev"} {
		if p == root || strings.HasPrefix(p, root+"/") {
			return fmt.Errorf("file.path %q: files under %s are not allowed", p, root)
		}
	}
	return nil
}
