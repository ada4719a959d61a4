package pattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// butMatcher holds the exclusions of one anything-but. A value matches when
// it is a leaf that no exclusion of its own JSON type covers: string
// exclusions never exclude numbers and vice versa (event-ruler behaviour).
type butMatcher struct {
	key      string
	strs     []string // exact strings
	nums     []numKey
	prefixes []string
	suffixes []string
	folds    []string // folded strings (equals-ignore-case)
	wilds    []*wildcard
}

func (b *butMatcher) matches(f *field) bool {
	switch f.kind {
	case fString:
		s := f.str
		return !slices.Contains(b.strs, s) &&
			!slices.ContainsFunc(b.prefixes, func(p string) bool { return strings.HasPrefix(s, p) }) &&
			!slices.ContainsFunc(b.suffixes, func(p string) bool { return strings.HasSuffix(s, p) }) &&
			!slices.Contains(b.folds, f.fold) &&
			!slices.ContainsFunc(b.wilds, func(w *wildcard) bool { return w.match(s) })
	case fNumber:
		return !slices.Contains(b.nums, f.numKey())
	}
	return true
}

// parseAnythingBut validates every documented form of the argument.
func parseAnythingBut(arg any) (*butMatcher, error) {
	b := &butMatcher{}
	var err error
	switch v := arg.(type) {
	case string:
		b.strs = []string{v}
	case json.Number:
		b.nums = []numKey{parseNumber(string(v)).key}
	case []any:
		err = b.parseList(v)
	case map[string]any:
		err = b.parseNested(v)
	default:
		err = errors.New("must be a string, a number, a non-empty list of strings or of numbers, or an object with prefix, suffix, equals-ignore-case or wildcard")
	}
	if err != nil {
		return nil, err
	}
	b.key = b.canonical()
	return b, nil
}

// parseList reads a non-empty list of all strings or all numbers.
func (b *butMatcher) parseList(items []any) error {
	if len(items) == 0 {
		return errors.New("list must not be empty")
	}
	for i, it := range items {
		switch v := it.(type) {
		case string:
			b.strs = append(b.strs, v)
		case json.Number:
			b.nums = append(b.nums, parseNumber(string(v)).key)
		default:
			return fmt.Errorf("list element %d must be a string or a number", i)
		}
	}
	if len(b.strs) > 0 && len(b.nums) > 0 {
		return errors.New("list must not mix strings and numbers")
	}
	return nil
}

// parseNested reads {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": s | [s...]}.
func (b *butMatcher) parseNested(obj map[string]any) error {
	if len(obj) != 1 {
		return errors.New("object must have exactly one of prefix, suffix, equals-ignore-case, wildcard")
	}
	for op, v := range obj {
		switch op {
		case "prefix", "suffix", "equals-ignore-case", "wildcard":
		default:
			return fmt.Errorf("unsupported operator %q inside anything-but", op)
		}
		vals, err := stringOrList(v)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return b.addNested(op, vals)
	}
	return nil
}

func (b *butMatcher) addNested(op string, vals []string) error {
	for _, s := range vals {
		switch op {
		case "prefix", "suffix":
			if s == "" {
				return fmt.Errorf("%s: must not be empty", op)
			}
			if op == "prefix" {
				b.prefixes = append(b.prefixes, s)
			} else {
				b.suffixes = append(b.suffixes, s)
			}
		case "equals-ignore-case":
			b.folds = append(b.folds, foldString(s))
		case "wildcard":
			w, err := parseWildcard(s)
			if err != nil {
				return fmt.Errorf("wildcard: %w", err)
			}
			b.wilds = append(b.wilds, w)
		}
	}
	return nil
}

// stringOrList accepts a string or a non-empty list of strings.
func stringOrList(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		if len(x) == 0 {
			return nil, errors.New("list must not be empty")
		}
		out := make([]string, len(x))
		for i, it := range x {
			s, ok := it.(string)
			if !ok {
				return nil, fmt.Errorf("list element %d must be a string", i)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, errors.New("must be a string or a list of strings")
}

// canonical spells the exclusion sets in sorted order for sharing.
func (b *butMatcher) canonical() string {
	var sb strings.Builder
	part := func(tag string, xs []string) {
		xs = slices.Clone(xs)
		slices.Sort(xs)
		sb.WriteString(tag)
		for _, x := range slices.Compact(xs) {
			sb.WriteString(strconv.Quote(x))
		}
	}
	ws := make([]string, len(b.wilds))
	for i, w := range b.wilds {
		ws[i] = w.raw
	}
	part("s", b.strs)
	nums := make([]string, len(b.nums))
	for i, k := range b.nums {
		nums[i] = k.String()
	}
	part("n", nums)
	part("p", b.prefixes)
	part("x", b.suffixes)
	part("f", b.folds)
	part("w", ws)
	return sb.String()
}
