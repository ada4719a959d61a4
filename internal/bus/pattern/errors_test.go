package pattern

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestInvalidPatterns checks that each invalid pattern is refused with a
// *PatternError whose text names the path and the reason.
func TestInvalidPatterns(t *testing.T) {
	for _, c := range []struct{ pattern, want string }{
		{`"aws.ec2"`, "event pattern: must be a JSON object"},
		{`{}`, "event pattern: empty objects are not allowed"},
		{`{"a":{}}`, "a: empty objects are not allowed"},
		{`{"a":1}`, "a: must be an object or an array of values"},
		{`{"a":"x"}`, "a: must be an object or an array of values"},
		{`{"a":[]}`, "a: empty arrays are not allowed"},
		{`{"a":[[1]]}`, "a: nested arrays are not allowed"},
		{`{"a":[{}]}`, "a: an operator object must have exactly one key, found 0"},
		{`{"a":[{"prefix":"x","suffix":"y"}]}`, "a: an operator object must have exactly one key, found 2"},
		{`{"a":[{"foo":"x"}]}`, "a: foo: unrecognized operator"},
		{`{"a":[{"prefix":3}]}`, "a: prefix: must be a string"},
		{`{"a":[{"prefix":{"equals-ignore-case":5}}]}`, "a: prefix: equals-ignore-case: must be a string"},
		{`{"a":[{"suffix":{"x":"y"}}]}`, `a: suffix: object form must be exactly {"equals-ignore-case": "<string>"}`},
		{`{"a":[{"equals-ignore-case":["x"]}]}`, "a: equals-ignore-case: must be a string"},
		{`{"a":[{"wildcard":"a**b"}]}`, "a: wildcard: consecutive '*' characters are not allowed"},
		{`{"a":[{"wildcard":"a\\b"}]}`, `a: wildcard: invalid escape \b`},
		{`{"a":[{"wildcard":"ab\\"}]}`, "a: wildcard: trailing backslash"},
		{`{"a":[{"cidr":"10.0.0.0"}]}`, "a: cidr: must have the form address/bits"},
		{`{"a":[{"cidr":"10.0.0.0/33"}]}`, "a: cidr: mask bits must be at most 32"},
		{`{"a":[{"cidr":"::/129"}]}`, "a: cidr: mask bits must be at most 128"},
		{`{"a":[{"cidr":"10.0.0.0/-1"}]}`, "a: cidr: mask bits must be a non-negative integer"},
		{`{"a":[{"cidr":"10.0.0/8"}]}`, `a: cidr: malformed IP address "10.0.0"`},
		{`{"a":[{"exists":"yes"}]}`, "a: exists: must be true or false"},
		{`{"detail":{"severity":[{"numeric":[">",5,"<",5]}]}}`, "detail.severity: numeric: lower bound must be less than upper bound"},
		{`{"a":[{"numeric":["<",1,">",0]}]}`, `a: numeric: unexpected element after "<" 1`},
		{`{"a":[{"numeric":[">",0,">",1]}]}`, `a: numeric: second comparison must be "<" or "<=", not ">"`},
		{`{"a":[{"numeric":["==",1]}]}`, `a: numeric: unknown comparison "=="`},
		{`{"a":[{"numeric":["=","5"]}]}`, `a: numeric: operand of "=" must be a number`},
		{`{"a":[{"numeric":["<"]}]}`, `a: numeric: "<" needs a number after it`},
		{`{"a":[{"numeric":["=",1E309]}]}`, "a: numeric: 1E309 is not exactly representable as a 64-bit float"},
		{`{"a":[{"numeric":[">",1,"<",3,false]}]}`, "a: numeric: too many elements"},
		{`{"a":[{"anything-but":true}]}`, "a: anything-but: must be a string, a number"},
		{`{"a":[{"anything-but":[]}]}`, "a: anything-but: list must not be empty"},
		{`{"a":[{"anything-but":["x",1]}]}`, "a: anything-but: list must not mix strings and numbers"},
		{`{"a":[{"anything-but":{"prefix":""}}]}`, "a: anything-but: prefix: must not be empty"},
		{`{"a":[{"anything-but":{"numeric":[">",1]}}]}`, `a: anything-but: unsupported operator "numeric" inside anything-but`},
		{`{"a":[{"anything-but":{"suffix":27}}]}`, "a: anything-but: suffix: must be a string or a list of strings"},
		{`{"a":[{"anything-but":{"foo":"x"}}]}`, `a: anything-but: unsupported operator "foo" inside anything-but`},
		{`{"a":[{"anything-but":{"wildcard":"x**"}}]}`, "a: anything-but: wildcard: consecutive '*'"},
		{`{"$or":[{"a":["x"]}]}`, "$or: must be an array of at least two objects"},
		{`{"d":{"$or":[{"a":["x"]},["y"]]}}`, "d.$or[1]: must be an object"},
		{`{"$or":[{"prefix":["x"]},{"b":["y"]}]}`, `$or[0].prefix: "prefix" is reserved and cannot be a field name inside $or`},
		{`{"$or":[{"a":{"numeric":["x"]}},{"b":["y"]}]}`, `$or[0].a.numeric: "numeric" is reserved`},
		{`{"a":[1]} x`, "event pattern: not valid JSON"},
		{`{"a":[1]`, "event pattern: not valid JSON"},
	} {
		_, err := Compile([]byte(c.pattern))
		var pe *PatternError
		if !errors.As(err, &pe) {
			t.Errorf("Compile(%s) = %v, want a *PatternError", c.pattern, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Compile(%s):\n got %q\nwant %q...", c.pattern, err, c.want)
		}
	}
}

// TestLimits checks the EventBridge limits of spec §7.
func TestLimits(t *testing.T) {
	big := `{"a":["` + strings.Repeat("x", MaxPatternChars) + `"]}`
	if _, err := Compile([]byte(big)); err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Errorf("oversized pattern: %v", err)
	}
	// Multi-byte characters count once each.
	wide := `{"a":["` + strings.Repeat("é", MaxPatternChars-20) + `"]}`
	if _, err := Compile([]byte(wide)); err != nil {
		t.Errorf("pattern of %d characters refused: %v", MaxPatternChars-8, err)
	}
	or := func(n int) string {
		var alts []string
		for i := 0; i < n; i++ {
			alts = append(alts, `{"f`+strings.Repeat("x", i%3)+`":["v`+string(rune('a'+i))+`"]}`)
		}
		return `{"$or":[` + strings.Join(alts, ",") + `]}`
	}
	// 10 × 10 × 10 = 1000 combinations is allowed, 10 × 10 × 11 is not.
	ok := `{"a":` + or(10) + `,"b":` + or(10) + `,"c":` + or(10) + `}`
	if _, err := Compile([]byte(ok)); err != nil {
		t.Errorf("1000 combinations refused: %v", err)
	}
	tooMany := `{"a":` + or(10) + `,"b":` + or(10) + `,"c":` + or(11) + `}`
	if _, err := Compile([]byte(tooMany)); err == nil || !strings.Contains(err.Error(), "too many combinations") {
		t.Errorf("1100 combinations: %v", err)
	}
	var mixed []string
	for i := 0; i < 40; i++ {
		mixed = append(mixed, `"f`+strconv.Itoa(i)+`":["x",{"exists":false}]`)
	}
	if _, err := Compile([]byte(`{` + strings.Join(mixed, ",") + `}`)); err == nil || !strings.Contains(err.Error(), "too many combinations") {
		t.Errorf("2^40 alternatives: %v", err)
	}
	deep := `{"a":` + strings.Repeat("[", MaxEventDepth+1) + strings.Repeat("]", MaxEventDepth+1) + `}`
	if _, err := Flatten([]byte(deep)); err == nil || !strings.Contains(err.Error(), "nesting") {
		t.Errorf("too deep event: %v", err)
	}
}

func TestInvalidEvents(t *testing.T) {
	p, err := Compile([]byte(`{"a":["x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{``, `[]`, `"x"`, `{"a":"x"`, `{"a":"x"}}`, `{"a":x}`, `{"a":01}`, `{"a":1.}`, `{"a":"\q"}`, "{\"a\":\"\x01\"}", `{a:1}`, `{"a":1,}`} {
		var ee *EventError
		if _, err := p.Match([]byte(ev)); !errors.As(err, &ee) {
			t.Errorf("Match(%q) error = %v, want an *EventError", ev, err)
		}
	}
}
