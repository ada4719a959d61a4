package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/store"
)

func newRule(name string) bus.Rule {
	return bus.Rule{
		Name:        name,
		Description: "route " + name,
		// Spacing and '&' as a user typed them: they must read back as is.
		Pattern: json.RawMessage(`{"source": ["aws.guardduty"],  "detail": {"type": ["Backdoor:Runtime/C&CActivity.B"]}}`),
		Enabled: true,
		Targets: []bus.Target{{ID: "t1", Kind: bus.TargetEmail, Email: &bus.EmailTarget{To: []string{"a@example.com", "b@example.com"}}}},
	}
}

func testRules(t *testing.T, h Harness) {
	s := h.open(t)
	if _, ok, err := s.GetRule(ctx(t), "r1"); ok || err != nil {
		t.Fatalf("GetRule on empty store: ok %v err %v", ok, err)
	}
	for _, name := range []string{"r2", "r1", "r3"} {
		must(t, s.PutRule(ctx(t), newRule(name)))
	}
	got, ok, err := s.GetRule(ctx(t), "r1")
	must(t, err)
	if !ok || !reflect.DeepEqual(got, newRule("r1")) || !bytes.Equal(got.Pattern, newRule("r1").Pattern) {
		t.Fatalf("GetRule(r1) = %v, %+v (pattern %s); want it as put", ok, got, got.Pattern)
	}

	replaced := newRule("r1")
	replaced.Enabled, replaced.Description, replaced.Targets = false, "", nil
	replaced.Pattern = json.RawMessage(`{"detail-type":["GuardDuty Runtime Protection Unhealthy"]}`)
	must(t, s.PutRule(ctx(t), replaced))
	got, _, err = s.GetRule(ctx(t), "r1")
	must(t, err)
	if got.Enabled || got.Description != "" || len(got.Targets) != 0 || !bytes.Equal(got.Pattern, replaced.Pattern) {
		t.Fatalf("after replacing r1: %+v", got)
	}

	existed, err := s.DeleteRule(ctx(t), "r2")
	must(t, err)
	again, err := s.DeleteRule(ctx(t), "r2")
	must(t, err)
	if !existed || again {
		t.Fatalf("DeleteRule(r2) twice = %v, %v; want true, false", existed, again)
	}
	list, err := s.ListRules(ctx(t))
	must(t, err)
	if len(list) != 2 || list[0].Name != "r1" || list[1].Name != "r3" {
		t.Fatalf("ListRules = %+v; want r1, r3", list)
	}

	for _, r := range []bus.Rule{{Pattern: json.RawMessage(`{}`)}, {Name: "bad", Pattern: json.RawMessage(`{`)}} {
		if err := s.PutRule(ctx(t), r); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutRule(%q, %s) error = %v; want ErrInvalid", r.Name, r.Pattern, err)
		}
	}
}
