package pattern

import (
	"encoding/json"
	"errors"
	"fmt"
)

// parseValueList reads the array at a leaf of the pattern. It returns the
// positive matchers, and absent=true when the list contains
// {"exists": false} (the path is then also satisfied by a missing field).
func parseValueList(path string, items []any) (ms []matcher, absent bool, err error) {
	if len(items) == 0 {
		return nil, false, errAt(path, "empty arrays are not allowed")
	}
	for _, it := range items {
		m, isAbsent, err := parseValue(it)
		if err != nil {
			return nil, false, &PatternError{Path: path, Reason: err.Error()}
		}
		if isAbsent {
			absent = true
			continue
		}
		ms = append(ms, m)
	}
	return ms, absent, nil
}

// parseValue reads one element of a value list.
func parseValue(v any) (m matcher, absent bool, err error) {
	switch x := v.(type) {
	case string:
		return matcher{kind: mString, s: x}, false, nil
	case json.Number:
		return matcher{kind: mNumber, num: parseNumber(string(x)).key}, false, nil
	case bool:
		if x {
			return matcher{kind: mTrue}, false, nil
		}
		return matcher{kind: mFalse}, false, nil
	case nil:
		return matcher{kind: mNull}, false, nil
	case []any:
		return matcher{}, false, errors.New("nested arrays are not allowed in a value list")
	case map[string]any:
		return parseOperator(x)
	}
	return matcher{}, false, fmt.Errorf("unsupported value %v", v)
}

// parseOperator reads an operator object, which must have exactly one key.
func parseOperator(obj map[string]any) (matcher, bool, error) {
	if len(obj) != 1 {
		return matcher{}, false, fmt.Errorf("an operator object must have exactly one key, found %d", len(obj))
	}
	for name, arg := range obj {
		if name == "exists" {
			b, ok := arg.(bool)
			if !ok {
				return matcher{}, false, errors.New("exists: must be true or false")
			}
			return matcher{kind: mExists}, !b, nil
		}
		m, err := parseOperand(name, arg)
		if err != nil {
			return matcher{}, false, fmt.Errorf("%s: %w", name, err)
		}
		return m, false, nil
	}
	panic("unreachable: object has one key")
}

// parseOperand builds the matcher of every operator except exists.
func parseOperand(name string, arg any) (matcher, error) {
	switch name {
	case "prefix", "suffix":
		return parseAffix(name, arg)
	case "equals-ignore-case", "exactly", "wildcard", "cidr":
		s, ok := arg.(string)
		if !ok {
			return matcher{}, errors.New("must be a string")
		}
		return stringOperand(name, s)
	case "anything-but":
		b, err := parseAnythingBut(arg)
		return matcher{kind: mAnythingBut, but: b}, err
	case "numeric":
		r, err := parseNumeric(arg)
		return matcher{kind: mNumeric, rng: r}, err
	}
	return matcher{}, errors.New("unrecognized operator")
}

func stringOperand(name, s string) (matcher, error) {
	switch name {
	case "equals-ignore-case":
		return matcher{kind: mFold, s: foldString(s)}, nil
	case "exactly":
		return matcher{kind: mString, s: s}, nil
	case "wildcard":
		w, err := parseWildcard(s)
		if err != nil {
			return matcher{}, err
		}
		if w.literal() { // no star: an exact string in disguise
			return matcher{kind: mString, s: w.pieces[0]}, nil
		}
		return matcher{kind: mWildcard, wc: w}, nil
	}
	p, err := parseCIDR(s)
	return matcher{kind: mCIDR, pfx: p}, err
}

// parseAffix reads prefix/suffix: a string or {"equals-ignore-case": string}.
func parseAffix(name string, arg any) (matcher, error) {
	plain, folded := mPrefix, mPrefixFold
	if name == "suffix" {
		plain, folded = mSuffix, mSuffixFold
	}
	switch x := arg.(type) {
	case string:
		return matcher{kind: plain, s: x}, nil
	case map[string]any:
		v, ok := x["equals-ignore-case"]
		if !ok || len(x) != 1 {
			return matcher{}, errors.New(`object form must be exactly {"equals-ignore-case": "<string>"}`)
		}
		s, ok := v.(string)
		if !ok {
			return matcher{}, errors.New("equals-ignore-case: must be a string")
		}
		return matcher{kind: folded, s: foldString(s)}, nil
	}
	return matcher{}, errors.New(`must be a string or {"equals-ignore-case": "<string>"}`)
}
