package bus

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"

	"github.com/vigilsec/vigil/internal/bus/pattern"
)

// Limits from EventBridge (event-patterns.md §6.1, §6.2, §7).
const (
	MaxRuleNameLength    = 64
	MaxRuleDescription   = 512
	MaxTargetsPerRule    = 5
	MaxTargetIDLength    = 64
	maxEmailRecipients   = 50
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
	return t
}
