package pattern

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Pattern is a compiled, immutable event pattern; safe for concurrent use.
type Pattern struct {
	branches []branch
	once     sync.Once
	auto     *automaton // built on first own use; see automaton()
}

// Compile validates an event pattern and compiles it. The error, a
// *PatternError, names the JSON path of the offending member and the reason.
func Compile(pattern []byte) (*Pattern, error) {
	if n := utf8.RuneCount(pattern); n > MaxPatternChars {
		return nil, &PatternError{Reason: fmt.Sprintf("pattern has %d characters, more than the limit of %d", n, MaxPatternChars)}
	}
	root, err := decodeJSON(pattern)
	if err != nil {
		return nil, &PatternError{Reason: "not valid JSON: " + err.Error()}
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, &PatternError{Reason: "must be a JSON object"}
	}
	c := compiler{orProduct: 1}
	sets, err := c.object(obj, where{})
	if err != nil {
		return nil, err
	}
	branches, err := buildBranches(sets)
	if err != nil {
		return nil, err
	}
	return &Pattern{branches: branches}, nil
}

// automaton returns the pattern's own automaton, building it on first
// use: patterns that only ever go into a Matcher (thousands of rules)
// never need one, and each would be dozens of heap objects that every
// garbage collection has to trace.
func (p *Pattern) automaton() *automaton {
	p.once.Do(func() { p.auto = newBuilder().addRule(0, p.branches).freeze(1) })
	return p.auto
}

// decodeJSON parses exactly one JSON value, keeping number texts. Go's
// decoder keeps the last of duplicate keys, which is EventBridge's rule.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the top-level value")
	}
	return v, nil
}

// where locates a pattern object: its event path (segments) and the
// dotted path shown in errors, which also names $or branches.
type where struct {
	path   string // encoded event path
	shown  string
	nested bool // false at the top level of the pattern
}

func (w where) key(k string) where {
	return where{path: joinPath(w.path, !w.nested, k), shown: w.dot(k), nested: true}
}

func (w where) dot(s string) string {
	if w.shown == "" {
		return s
	}
	return w.shown + "." + s
}

// stepSet is one alternative under construction: a step per path.
type stepSet map[string]*step

type compiler struct {
	orProduct int
}

// object compiles one pattern object into its alternatives. Keys are
// visited in sorted order so that the first error reported is stable.
func (c *compiler) object(obj map[string]any, at where) ([]stepSet, error) {
	if len(obj) == 0 {
		return nil, errAt(at.shown, "empty objects are not allowed")
	}
	sets := []stepSet{{}}
	for _, k := range sortedKeys(obj) {
		if k == "$or" {
			continue
		}
		sub, err := c.member(obj[k], at.key(k))
		if err != nil {
			return nil, err
		}
		sets = cross(sets, sub)
	}
	if v, ok := obj["$or"]; ok {
		alts, err := c.or(v, at)
		if err != nil {
			return nil, err
		}
		sets = cross(sets, alts)
	}
	return sets, nil
}

// member compiles the value of one key: a nested object or a value list.
func (c *compiler) member(v any, at where) ([]stepSet, error) {
	switch x := v.(type) {
	case map[string]any:
		return c.object(x, at)
	case []any:
		ms, absent, err := parseValueList(at.shown, x)
		if err != nil {
			return nil, err
		}
		return []stepSet{{at.path: newStep(at, ms, absent)}}, nil
	}
	return nil, errAt(at.shown, "must be an object or an array of values")
}

// or compiles a $or array: each element is an alternative at this depth.
func (c *compiler) or(v any, at where) ([]stepSet, error) {
	shown := at.dot("$or")
	items, ok := v.([]any)
	if !ok || len(items) < 2 {
		return nil, errAt(shown, "must be an array of at least two objects")
	}
	c.orProduct *= len(items)
	if c.orProduct > MaxOrCombinations {
		return nil, errAt(shown, "too many combinations: the $or arrays multiply to more than %d", MaxOrCombinations)
	}
	var alts []stepSet
	for i, it := range items {
		branchAt := where{path: at.path, shown: shown + "[" + strconv.Itoa(i) + "]", nested: at.nested}
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, errAt(branchAt.shown, "must be an object")
		}
		if err := checkReserved(obj, branchAt); err != nil {
			return nil, err
		}
		sets, err := c.object(obj, branchAt)
		if err != nil {
			return nil, err
		}
		alts = append(alts, sets...)
	}
	return alts, nil
}

// cross combines every alternative of a with every alternative of b. For a
// path present in both, b wins: a $or branch overrides a sibling condition
// on the same path (event-ruler's default "rule overriding").
func cross(a, b []stepSet) []stepSet {
	out := make([]stepSet, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			m := make(stepSet, len(x)+len(y))
			for k, v := range x {
				m[k] = v
			}
			for k, v := range y {
				m[k] = v
			}
			out = append(out, m)
		}
	}
	return out
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
