package pattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// numRange is a numeric condition; "=" is the range [x, x] and a missing
// bound is infinite.
type numRange struct {
	lo, hi         float64
	loIncl, hiIncl bool
}

func (r numRange) contains(x float64) bool {
	if x < r.lo || (x == r.lo && !r.loIncl) {
		return false
	}
	return x < r.hi || (x == r.hi && r.hiIncl)
}

func (r numRange) key() string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	return fmt.Sprintf("%t%s,%s%t", r.loIncl, f(r.lo), f(r.hi), r.hiIncl)
}

// parseNumeric validates the argument of {"numeric": [...]}: one
// comparison, or a lower bound followed by an upper bound.
func parseNumeric(arg any) (numRange, error) {
	items, ok := arg.([]any)
	if !ok || len(items) == 0 {
		return numRange{}, errors.New("must be a non-empty array such as [\">=\", 0, \"<\", 10]")
	}
	r := numRange{lo: math.Inf(-1), hi: math.Inf(1)}
	op, x, err := numericTerm(items, 0)
	if err != nil {
		return numRange{}, err
	}
	switch op {
	case "=":
		r = numRange{lo: x, hi: x, loIncl: true, hiIncl: true}
	case "<", "<=":
		r.hi, r.hiIncl = x, op == "<="
	case ">", ">=":
		r.lo, r.loIncl = x, op == ">="
		if len(items) > 2 {
			return parseUpper(items, r)
		}
	}
	if len(items) > 2 {
		return numRange{}, fmt.Errorf("unexpected element after %q %v", op, x)
	}
	return r, nil
}

// parseUpper reads the upper bound that may follow a lower bound.
func parseUpper(items []any, r numRange) (numRange, error) {
	op, x, err := numericTerm(items, 2)
	if err != nil {
		return numRange{}, err
	}
	if op != "<" && op != "<=" {
		return numRange{}, fmt.Errorf("second comparison must be \"<\" or \"<=\", not %q", op)
	}
	if len(items) > 4 {
		return numRange{}, errors.New("too many elements: at most a lower and an upper bound")
	}
	if x <= r.lo {
		return numRange{}, errors.New("lower bound must be less than upper bound")
	}
	r.hi, r.hiIncl = x, op == "<="
	return r, nil
}

// numericTerm reads the operator at items[i] and its operand.
func numericTerm(items []any, i int) (string, float64, error) {
	op, ok := items[i].(string)
	if !ok {
		return "", 0, fmt.Errorf("element %d must be one of \"=\", \"<\", \"<=\", \">\", \">=\"", i)
	}
	switch op {
	case "=", "<", "<=", ">", ">=":
	default:
		return "", 0, fmt.Errorf("unknown comparison %q", op)
	}
	if i+1 >= len(items) {
		return "", 0, fmt.Errorf("%q needs a number after it", op)
	}
	num, ok := items[i+1].(json.Number)
	if !ok {
		return "", 0, fmt.Errorf("operand of %q must be a number", op)
	}
	n := parseNumber(string(num))
	if !n.ok || n.key.s != "" {
		return "", 0, fmt.Errorf("%s is not exactly representable as a 64-bit float", num)
	}
	return op, n.key.f, nil
}
