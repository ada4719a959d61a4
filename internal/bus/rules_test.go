package bus

import (
	"encoding/json"
	"strings"
	"testing"
)

func emailTarget(id string, to ...string) Target {
	return Target{ID: id, Kind: TargetEmail, Email: &EmailTarget{To: to}}
}

const dockerSocketPattern = `{"source":["aws.guardduty"],"detail":{"type":["PrivilegeEscalation:Runtime/DockerSocketAccessed"]}}`

func validRule() Rule {
	return Rule{
		Name: "docker-socket.alerts_1", Pattern: json.RawMessage(dockerSocketPattern),
		Enabled: true, Targets: []Target{emailTarget("", "sec@example.com")},
	}
}

func TestValidateRule(t *testing.T) {
	tooMany := validRule()
	for range 6 {
		tooMany.Targets = append(tooMany.Targets, emailTarget("", "a@example.com"))
	}
	cases := []struct {
		name    string
		edit    func(*Rule)
		wantErr string
	}{
		{"valid", func(*Rule) {}, ""},
		{"empty name", func(r *Rule) { r.Name = "" }, "rule name"},
		{"name with space", func(r *Rule) { r.Name = "a b" }, "rule name"},
		{"name too long", func(r *Rule) { r.Name = strings.Repeat("a", 65) }, "rule name"},
		{"bad pattern", func(r *Rule) { r.Pattern = json.RawMessage(`{"detail":{"type":"x"}}`) }, "pattern: "},
		{"no targets", func(r *Rule) { r.Targets = nil }, "at least one target"},
		{"too many targets", func(r *Rule) { *r = tooMany }, "at most 5"},
		{"unknown kind", func(r *Rule) { r.Targets[0].Kind = "pager" }, `unknown kind "pager"`},
		{"missing kind", func(r *Rule) { r.Targets[0].Kind = "" }, "kind is required"},
		{"email member missing", func(r *Rule) { r.Targets[0].Email = nil }, "needs an email member"},
		{"no addresses", func(r *Rule) { r.Targets[0].Email.To = nil }, "at least one address"},
		{"bad address", func(r *Rule) { r.Targets[0].Email.To = []string{"not an address"} }, `to[0] "not an address"`},
		{"duplicate ids", func(r *Rule) {
			r.Targets = []Target{emailTarget("x", "a@example.com"), emailTarget("x", "b@example.com")}
		}, `duplicate id "x"`},
		{"bad id", func(r *Rule) { r.Targets[0].ID = "a/b" }, `id "a/b"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validRule()
			c.edit(&r)
			err := ValidateRule(r)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

func TestNormalizeRuleAssignsTargetIDs(t *testing.T) {
	r := validRule()
	r.Targets = []Target{
		emailTarget("", "a@example.com"),
		emailTarget("t1", "b@example.com"),
		emailTarget("", "c@example.com"),
	}
	got, err := NormalizeRule(r)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tg := range got.Targets {
		ids = append(ids, tg.ID)
	}
	if strings.Join(ids, ",") != "t2,t1,t3" {
		t.Fatalf("ids = %v, want [t2 t1 t3]", ids)
	}
	if r.Targets[0].ID != "" {
		t.Fatal("NormalizeRule modified its input")
	}
}
