package pattern

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestMatcherAddReplaceRemove(t *testing.T) {
	m := NewMatcher()
	ev := []byte(`{"source":"aws.guardduty","detail":{"severity":8}}`)
	add := func(name, src string) {
		t.Helper()
		if err := m.Add(name, mustCompile(t, []byte(src))); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want ...string) {
		t.Helper()
		got, err := m.Match(ev)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("Match = %v, %v; want %v", got, err, want)
		}
	}
	check()
	add("b-high", `{"detail":{"severity":[{"numeric":[">=",7]}]}}`)
	add("a-gd", `{"source":["aws.guardduty"]}`)
	add("c-other", `{"source":["aws.ec2"]}`)
	check("a-gd", "b-high")
	add("c-other", `{"source":[{"prefix":"aws."}]}`) // replaces
	check("a-gd", "b-high", "c-other")
	m.Remove("a-gd")
	m.Remove("missing")
	check("b-high", "c-other")
	if err := m.Add("x", nil); err == nil {
		t.Error("Add(nil) succeeded")
	}
	if _, err := m.Match([]byte(`[1]`)); err == nil {
		t.Error("Match of a non-object succeeded")
	}
}

// TestMatcherConcurrent matches from several goroutines while rules are
// added and removed; run with -race. Rules "keep-*" are never removed, so
// every match must report them.
func TestMatcherConcurrent(t *testing.T) {
	m := NewMatcher()
	for i := 0; i < 10; i++ {
		m.Add(fmt.Sprintf("keep-%d", i), mustCompile(t, []byte(`{"detail":{"severity":[{"numeric":[">",1]}]}}`)))
	}
	raw := []byte(`{"source":"aws.guardduty","detail":{"severity":8,"note":"Mixed Case"}}`)
	ev, err := Flatten(raw)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got := m.MatchFlat(ev)
				if len(got) < 10 || !slices.IsSorted(got) {
					t.Errorf("MatchFlat = %v", got)
					return
				}
				// MatchJSON shares pooled scratch between goroutines.
				got, err := m.MatchJSON(raw)
				if err != nil || len(got) < 10 || !slices.IsSorted(got) {
					t.Errorf("MatchJSON = %v, %v", got, err)
					return
				}
			}
		}()
	}
	churn := mustCompile(t, []byte(`{"source":["aws.guardduty"]}`))
	for i := 0; i < 300; i++ {
		name := fmt.Sprintf("churn-%d", i%7)
		if i%2 == 0 {
			m.Add(name, churn)
		} else {
			m.Remove(name)
		}
	}
	close(stop)
	wg.Wait()
}

// TestMatcherResultsIndependent: results share allocation chunks, so
// changing or appending to one must not show in another.
func TestMatcherResultsIndependent(t *testing.T) {
	m := NewMatcher()
	for _, name := range []string{"a", "b"} {
		if err := m.Add(name, mustCompile(t, []byte(`{"x":[1]}`))); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := Flatten([]byte(`{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	r1, r2 := m.MatchFlat(ev), m.MatchFlat(ev)
	r1[1] = "changed"
	r1 = append(r1, "appended")
	if !slices.Equal(r2, []string{"a", "b"}) || r1[0] != "a" {
		t.Errorf("results interfere: r1 = %v, r2 = %v", r1, r2)
	}
	if r3 := m.MatchFlat(ev); !slices.Equal(r3, []string{"a", "b"}) {
		t.Errorf("later result = %v", r3)
	}
}
