package bus

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/bus/pattern"
)

// Router decides which targets an event goes to. It holds one compiled
// matcher over all enabled rules, so the cost of matching does not grow with
// the number of rules, and swaps it atomically when the rules change.
type Router struct {
	current atomic.Pointer[routeTable]
}

// routeTable is an immutable snapshot: a matcher and the rules it was built
// from. Route reads one snapshot, so a concurrent Replace never shows it a
// half-updated set.
type routeTable struct {
	matcher *pattern.Matcher
	rules   map[string]routedRule // enabled rules by name
}

// routedRule is an enabled rule, targets normalized, with each target's
// input shaping compiled once: shapers[i] shapes for rule.Targets[i].
type routedRule struct {
	rule    Rule
	shapers []targetShaper
}

// targetShaper is a compiled shaper, or the error compiling it gave. Rules
// are validated before they are routed, so err is a safety net: Route
// reports it for each event, as it would a shaping error.
type targetShaper struct {
	s   shaper
	err error
}

// newRoutedRule compiles the shaping of each of rule's targets.
func newRoutedRule(rule Rule) routedRule {
	rr := routedRule{rule: rule, shapers: make([]targetShaper, len(rule.Targets))}
	for i, target := range rule.Targets {
		s, err := compileShaper(target)
		rr.shapers[i] = targetShaper{s: s, err: err}
	}
	return rr
}

// NewRouter validates rules and builds a router over the enabled ones.
func NewRouter(rules []Rule) (*Router, error) {
	t, err := buildRouteTable(rules)
	if err != nil {
		return nil, err
	}
	r := &Router{}
	r.current.Store(t)
	return r, nil
}

// Replace swaps in a new rule set. On error the old set stays in force.
func (r *Router) Replace(rules []Rule) error {
	t, err := buildRouteTable(rules)
	if err != nil {
		return err
	}
	r.current.Store(t)
	return nil
}

// Route returns one Delivery per (matching enabled rule, target), due at
// now, carrying what the target will receive: the envelope JSON, or what the
// target's Input, InputPath or InputTransformer makes of it (compiled once
// per target when the rule set is built, stored with EncodePayload), so the outbox row holds the delivered bytes
// and a later rule change cannot alter an event already routed.
// Deliveries are ordered by rule name, then by the rule's target order.
//
// A target whose payload cannot be shaped gets no delivery, but the other
// targets still get theirs: the error (all of them, joined) is returned
// together with the deliveries that could be made, and callers persist
// those and log the error. Rules are validated before they reach the
// router and a value missing from the event is not an error (it renders as
// nothing), so this is a safety net against a bug, not a path events take.
func (r *Router) Route(env Envelope, now time.Time) ([]Delivery, error) {
	payload, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("route event %s: marshal: %w", env.ID, err)
	}
	t := r.current.Load()
	names, err := t.matcher.Match(payload)
	if err != nil {
		return nil, fmt.Errorf("route event %s: match: %w", env.ID, err)
	}
	var out []Delivery
	var errs []error
	for _, name := range names {
		rr, ok := t.rules[name]
		if !ok {
			continue // cannot happen: the matcher only knows rules of this table
		}
		rule := rr.rule
		for i, target := range rule.Targets {
			sh := rr.shapers[i]
			err := sh.err
			var body []byte
			if err == nil {
				body, err = sh.s.apply(rule.Name, payload)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("route event %s: rule %s target %s: %w", env.ID, rule.Name, target.ID, err))
				continue
			}
			out = append(out, Delivery{
				EventID:   env.ID,
				Rule:      rule.Name,
				Target:    copyTarget(target),
				Payload:   EncodePayload(body),
				CreatedAt: now,
				NextAt:    now,
			})
		}
	}
	return out, errors.Join(errs...)
}

// Rules returns the enabled rules the router currently routes to, by name.
func (r *Router) Rules() map[string]Rule {
	t := r.current.Load()
	out := make(map[string]Rule, len(t.rules))
	for k, v := range t.rules {
		out[k] = v.rule
	}
	return out
}

func buildRouteTable(rules []Rule) (*routeTable, error) {
	t := &routeTable{matcher: pattern.NewMatcher(), rules: make(map[string]routedRule)}
	seen := make(map[string]bool, len(rules))
	for _, in := range rules {
		if seen[in.Name] {
			return nil, fmt.Errorf("rule %s: duplicate name", in.Name)
		}
		seen[in.Name] = true
		rule, p, err := normalizeRule(in)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", in.Name, err)
		}
		// Disabled rules are validated too, so enabling one later cannot fail.
		if !rule.Enabled {
			continue
		}
		if err := t.matcher.Add(rule.Name, p); err != nil {
			return nil, fmt.Errorf("rule %s: add to matcher: %w", rule.Name, err)
		}
		t.rules[rule.Name] = newRoutedRule(rule)
	}
	// The matcher builds its automaton lazily on the first match; do it here
	// so the cost lands on Replace, not on the first event routed after it.
	if _, err := t.matcher.Match([]byte(emptyDetail)); err != nil {
		return nil, fmt.Errorf("build matcher: %w", err)
	}
	return t, nil
}
