package pattern

import (
	"slices"
	"testing"
)

// jsonDiffPatterns exercise what MatchJSON must get right while skipping:
// paths through arrays, leaves under skipped objects, exists:false, folded
// strings and keys that need encoding.
var jsonDiffPatterns = []string{
	`{"a":["x"],"b":{"c":[1]}}`,
	`{"b":{"c":[{"numeric":[">",0]}],"d":[{"exists":false}]}}`,
	`{"a":[{"equals-ignore-case":"X"}],"e":[{"exists":true}]}`,
	`{"b":{"c":[{"anything-but":[1,2]}]},"f":{"g":[null,true]}}`,
	`{"a":[{"prefix":{"equals-ignore-case":"É"}}],"b":{"d":["y"]}}`,
	`{"k\u0000":[{"exists":true}],"$or":[{"a":[{"wildcard":"*x*"}]},{"f":{"g":[false]}}]}`,
	`{"b":{"c":[{"exists":false}],"d":[{"exists":true}]}}`,
}

// diffMatcher holds jsonDiffPatterns as rules "a", "b", ...
func diffMatcher(tb testing.TB) *Matcher {
	m := NewMatcher()
	for i, src := range jsonDiffPatterns {
		if err := m.Add(string(rune('a'+i)), mustCompile(tb, []byte(src))); err != nil {
			tb.Fatal(err)
		}
	}
	return m
}

// checkSameAnswer fails unless MatchJSON and Flatten+MatchFlat agree on
// event: both reject it, or both accept it with the same rule names.
func checkSameAnswer(t *testing.T, m *Matcher, event []byte) {
	t.Helper()
	got, errJSON := m.MatchJSON(event)
	ev, errFlat := Flatten(event)
	if (errJSON == nil) != (errFlat == nil) {
		t.Fatalf("%q: MatchJSON error %v, Flatten error %v", event, errJSON, errFlat)
	}
	if errFlat != nil {
		return
	}
	if want := m.MatchFlat(ev); !slices.Equal(got, want) {
		t.Fatalf("%q: MatchJSON = %v, MatchFlat = %v", event, got, want)
	}
}

func TestMatchJSONAgreesWithFlatten(t *testing.T) {
	m := diffMatcher(t)
	for _, ev := range []string{
		`{"a":"x","b":{"c":1}}`, `{"a":["q","x"],"b":[{"c":2},{"d":"y"}]}`,
		`{"b":[{"c":1,"d":"y"},{"c":3}]}`, `{"b":{"c":{"c":1}},"a":{"x":"x"}}`,
		`{"a":"ÉTÉ","e":null,"f":[{"g":[null]},{"g":false}]}`, `{"k\u0000":0,"a":"axb"}`,
		`{"a":"X","z":{"deep":[[[{"a":"x"}]]]}}`, `{"b":{"d":[]}}`, `{"b":{"c":[]}}`,
		`{"a":"x\"y","b":{"c":-0.0e1}}`, `{"a":"\u0058"}`, `{"a":"x"} x`, `[1]`, ` {"a":"x"} `,
		`{"b":{"c":01}}`, `{"z":"\q"}`, `{"z":"a` + "\x01" + `"}`, `{"z":tru}`, `{"z":[1,]}`, `{"z":{"a" 1}}`,
		`{"a":"x","z":"\ud800\u12"}`, `{"a":"x","z":{"y":[1 2]}}`, `{"a":"x",}`, ``, `{`,
	} {
		checkSameAnswer(t, m, []byte(ev))
	}
}

// FuzzMatchJSON: parsing with MatchJSON accepts and rejects the same
// events as Flatten and matches the same rules as MatchFlat.
func FuzzMatchJSON(f *testing.F) {
	for _, s := range []string{`{"a":"x","b":{"c":1}}`, `{"b":[{"c":1,"d":"y"},{"c":3}]}`, `{"f":{"g":[null,true]},"k\u0000":[]}`} {
		f.Add([]byte(s))
	}
	seedFromConformance(f, true)
	m := diffMatcher(f)
	f.Fuzz(func(t *testing.T, event []byte) {
		checkSameAnswer(t, m, event)
	})
}

func TestStateSetGrows(t *testing.T) {
	var s stateSet[string]
	for i := range 10 {
		s.add(string(rune('a'+i)), int32(i))
		s.add("a", int32(100+i)) // one key leading to many states
	}
	if got := s.collect("a", nil); len(got) != 11 || got[0] != 0 || got[10] != 109 {
		t.Errorf("collect(a) = %v", got)
	}
	if got := s.collect("j", nil); !slices.Equal(got, []int32{9}) {
		t.Errorf("collect(j) = %v", got)
	}
	if got := s.collect("zz", nil); got != nil {
		t.Errorf("collect(zz) = %v", got)
	}
}
