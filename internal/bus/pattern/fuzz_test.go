package pattern

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// seedFromConformance adds the conformance patterns or events as seeds,
// when the suite is reachable (the fuzz targets also run without it).
func seedFromConformance(f *testing.F, events bool) {
	b, err := os.ReadFile("../../../../shared/spec/pattern-cases.jsonl")
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c conformanceCase
		if json.Unmarshal(sc.Bytes(), &c) != nil {
			continue
		}
		if events {
			if c.Event != nil {
				f.Add([]byte(c.Event))
			}
		} else {
			f.Add([]byte(c.Pattern))
		}
	}
}

// FuzzCompile: the pattern parser never panics, an error is always a
// *PatternError, and valid patterns compile deterministically and can
// match an event.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`{"a":["x"]}`, `{"$or":[{"a":[1]},{"b":[{"exists":false}]}]}`, `{"a":[{"wildcard":"a\\**"}]}`, `{"a":[{"numeric":[">",0,"<",1]}]}`} {
		f.Add([]byte(s))
	}
	seedFromConformance(f, false)
	ev, err := Flatten([]byte(`{"a":"x","b":[1,{"c":null}],"d":{"e":"10.0.0.1"}}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p1, err := Compile(src)
		if err != nil {
			if _, ok := err.(*PatternError); !ok {
				t.Fatalf("error %v is %T, not *PatternError", err, err)
			}
			return
		}
		p2, err := Compile(src)
		if err != nil {
			t.Fatalf("second compile failed: %v", err)
		}
		if d1, d2 := describe(p1), describe(p2); d1 != d2 {
			t.Fatalf("non-deterministic compile:\n%s\n%s", d1, d2)
		}
		if p1.MatchFlat(ev) != p2.MatchFlat(ev) {
			t.Fatal("equal patterns disagree")
		}
	})
}

// FuzzMatch: the event parser never panics, rejects what encoding/json
// rejects (for object documents) and matching a flattened event is safe.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,[2,{"b":"\u00e9\ud83d\ude00"}]]}`, `{"a":-0.5e-3,"b":true,"c":null}`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	seedFromConformance(f, true)
	p := mustCompile(f, []byte(`{"a":[{"exists":true},{"anything-but":"x"}],"$or":[{"b":[{"numeric":[">",0]}]},{"c":[{"wildcard":"*x*"}]}]}`))
	f.Fuzz(func(t *testing.T, event []byte) {
		ev, err := Flatten(event)
		var v any
		stdErr := json.Unmarshal(event, &v)
		_, isObj := v.(map[string]any)
		if err == nil && stdErr != nil && bytes.Count(event, []byte{0xff}) == 0 {
			// Go's decoder also rejects invalid UTF-8 escapes we accept;
			// only structural disagreements matter here.
			if _, ok := stdErr.(*json.SyntaxError); ok {
				t.Fatalf("Flatten accepted %q, encoding/json: %v", event, stdErr)
			}
		}
		if err != nil && stdErr == nil && isObj && !deep(event) {
			t.Fatalf("Flatten rejected %q: %v", event, err)
		}
		if err == nil {
			p.MatchFlat(ev)
		}
	})
}

// deep reports whether an event may exceed our nesting limit, which
// encoding/json does not have.
func deep(b []byte) bool {
	return bytes.Count(b, []byte("["))+bytes.Count(b, []byte("{")) > MaxEventDepth
}
