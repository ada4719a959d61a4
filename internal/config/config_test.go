package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const example = "../../docs/config.example.yaml"

func TestExampleLoadsAndValidates(t *testing.T) {
	c, err := Load(example)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the documented example must be valid: %v", err)
	}
	rules, err := c.BusRules()
	if err != nil || len(rules) != 3 {
		t.Fatalf("rules %+v, %v", rules, err)
	}
	if got := string(rules[0].Pattern); !strings.Contains(got, `"PrivilegeEscalation:Runtime/DockerSocketAccessed"`) {
		t.Fatalf("inline YAML pattern became %s", got)
	}
	if rules[1].Targets[0].Email.To[0] != "oncall@example.com" {
		t.Fatalf("target %+v", rules[1].Targets[0])
	}
}

// TestExampleHasEveryKey keeps docs/config.example.yaml complete: every
// yaml key of Config must appear in it.
func TestExampleHasEveryKey(t *testing.T) {
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range yamlKeys(reflect.TypeOf(Config{})) {
		if !strings.Contains(string(data), k+":") {
			t.Errorf("docs/config.example.yaml lacks key %q", k)
		}
	}
}

func yamlKeys(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		out = append(out, tag)
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() {
			out = append(out, yamlKeys(ft)...)
		}
	}
	return out
}

func load(t *testing.T, content string) (*Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err == nil {
		err = c.Validate()
	}
	return c, err
}

func TestBadConfigNamesThePlace(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"unknown key", "listen: 127.0.0.1:1\nlisen: x\n", "line 2: field lisen not found"},
		{"unknown nested key", "smtp:\n  adr: x\n", "line 2: field adr not found"},
		{"mistyped value", "coverage:\n  unhealthy_after: soon\n", "line 2"},
		{"bad address", "listen: nowhere\n", `listen: "nowhere" is not HOST:PORT`},
		{"bad tls", "smtp:\n  tls: maybe\n", "smtp.tls"},
		{"bad cidr", "ingest_allow: [10.0.0.0/33]\n", "ingest_allow[0]"},
		{"missing threat list", "threat_lists: [/nonexistent/list.txt]\n", "threat_lists[0]"},
		{"bad frequency", "findings:\n  publishing_frequency: HOURLY\n", "findings.publishing_frequency"},
		{"rule without pattern", "rules:\n  - name: r1\n    targets: [{email: [a@example.com]}]\n", `rule "r1": pattern`},
		{"rule with bad pattern", "rules:\n  - name: r2\n    pattern: '{\"source\": \"aws.guardduty\"}'\n    targets: [{email: [a@example.com]}]\n", "rules[0] (r2)"},
		{"rule target without kind", "rules:\n  - name: r3\n    pattern: {source: [x]}\n    targets: [{id: t}]\n", "rules[0] (r3).targets[0]: set exactly one"},
		{"rule target with two kinds", "rules:\n  - name: r4\n    pattern: {source: [x]}\n    targets: [{email: [a@example.com], slack: https://hooks.slack.com/x}]\n", "(got 2)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(t, c.content)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	seed, _ := os.ReadFile(example)
	f.Add(string(seed))
	f.Add("rules:\n  - name: x\n    pattern: {a: [1]}\n")
	f.Fuzz(func(t *testing.T, content string) {
		c := Default()
		if err := c.decode("fuzz.yaml", []byte(content)); err != nil {
			return
		}
		_ = c.Validate()
	})
}

func TestParsedValues(t *testing.T) {
	for name, want := range map[string]time.Duration{
		"FIFTEEN_MINUTES": 15 * time.Minute, "ONE_HOUR": time.Hour, "SIX_HOURS": 6 * time.Hour, "HOURLY": 6 * time.Hour,
	} {
		if got := (Findings{PublishingFrequency: name}).PublishingPeriod(); got != want {
			t.Errorf("PublishingPeriod(%s) = %v; want %v", name, got, want)
		}
	}
	c := Config{IngestAllow: []string{"10.0.0.0/8", "::1/128"}}
	ns, err := c.IngestNetworks()
	if err != nil || len(ns) != 2 || ns[0] != netip.MustParsePrefix("10.0.0.0/8") || ns[1] != netip.MustParsePrefix("::1/128") {
		t.Errorf("IngestNetworks = %v, %v", ns, err)
	}
	c.IngestAllow = append(c.IngestAllow, "10.0.0.0/33")
	if _, err := c.IngestNetworks(); err == nil || !strings.Contains(err.Error(), "ingest_allow[2]") {
		t.Errorf("IngestNetworks with a bad entry: %v; want ingest_allow[2] named", err)
	}
}
