package bus

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseJSONPath(t *testing.T) {
	valid := []string{"$", "$.detail", "$.detail-type", "$.detail.resource.eksClusterDetails.name",
		"$.resources[0]", "$.a[10].b", "$.a[*]", "$.a.*", "$['a.b']", `$["k"][0]`, "$.a/b:c", "$.détail"}
	for _, p := range valid {
		if _, err := parseJSONPath(p); err != nil {
			t.Errorf("parseJSONPath(%q): %v", p, err)
		}
	}
	invalid := []string{"", "detail", "$.", "$..a", "$.a[", "$.a[-1]", "$.a[0:2]", "$.a[?(@.b)]",
		"$.a[]", "$['']", "$['a]", "$.a b", "$a", "$.a.", "$[99999999999999999999]"}
	for _, p := range invalid {
		if _, err := parseJSONPath(p); err == nil {
			t.Errorf("parseJSONPath(%q): want an error", p)
		}
	}
}

func TestValidateTargetOptions(t *testing.T) {
	okTmpl := &InputTransformer{InputPathsMap: map[string]string{"sev": "$.detail.severity"}, InputTemplate: `{"s": <sev>, "r": <aws.events.rule-name>}`}
	for name, tg := range map[string]Target{
		"nothing":        {},
		"input":          {Input: `{"a":1}`},
		"inputPath":      {InputPath: "$.detail"},
		"transformer":    {InputTransformer: okTmpl},
		"text template":  {InputTransformer: &InputTransformer{InputTemplate: "\"a\"\n\"b <aws.events.rule-arn>\""}},
		"retry policy":   {RetryPolicy: &RetryPolicy{MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60}},
		"default retry":  {RetryPolicy: &RetryPolicy{}},
		"rate limit":     {RateLimit: &RateLimit{PerSecond: 0.5}},
		"max rate limit": {RateLimit: &RateLimit{PerSecond: 10000, Burst: 10000}},
	} {
		if err := validateTargetOptions(tg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	long := strings.Repeat(" ", MaxInputLength) + "{}"
	many := map[string]string{}
	for i := range MaxInputPathsMapKeys + 1 {
		many["v"+strings.Repeat("x", i)] = "$"
	}
	cases := []struct {
		name, want string
		t          Target
	}{
		{"two options", "at most one of input, inputPath and inputTransformer", Target{Input: "1", InputPath: "$"}},
		{"three options", "[input inputPath inputTransformer]", Target{Input: "1", InputPath: "$", InputTransformer: okTmpl}},
		{"input not JSON", "input: not valid UTF-8 JSON", Target{Input: "{"}},
		{"input too long", "input: 8194 characters, at most 8192", Target{Input: long}},
		{"bad inputPath", `inputPath "$..x": at offset 1: recursive descent`, Target{InputPath: "$..x"}},
		{"inputPath too long", "inputPath: 258 characters", Target{InputPath: "$." + strings.Repeat("a", 256)}},
		{"bad variable path", `inputTransformer.inputPathsMap.sev: path "detail"`, Target{InputTransformer: &InputTransformer{
			InputPathsMap: map[string]string{"sev": "detail"}, InputTemplate: "<sev>"}}},
		{"reserved name", `inputTransformer.inputPathsMap.AWS.x: names starting with "aws." are reserved`, Target{InputTransformer: &InputTransformer{
			InputPathsMap: map[string]string{"AWS.x": "$"}, InputTemplate: "x"}}},
		{"bad name", "inputTransformer.inputPathsMap.a b: name", Target{InputTransformer: &InputTransformer{
			InputPathsMap: map[string]string{"a b": "$"}, InputTemplate: "x"}}},
		{"too many variables", "inputTransformer.inputPathsMap: 101 variables, at most 100", Target{InputTransformer: &InputTransformer{
			InputPathsMap: many, InputTemplate: "x"}}},
		{"empty template", "inputTransformer.inputTemplate: required", Target{InputTransformer: &InputTransformer{}}},
		{"template too long", "inputTransformer.inputTemplate: 8194 characters", Target{InputTransformer: &InputTransformer{InputTemplate: long}}},
		{"undefined variable", "inputTransformer.inputTemplate: <sev> is not defined", Target{InputTransformer: &InputTransformer{InputTemplate: `{"s": <sev>}`}}},
		{"unknown aws variable", "<aws.events.nope> is not defined", Target{InputTransformer: &InputTransformer{InputTemplate: `"<aws.events.nope>"`}}},
		{"placeholder as key", "<k> is used as an object key", Target{InputTransformer: &InputTransformer{
			InputPathsMap: map[string]string{"k": "$.id"}, InputTemplate: `{"a": 1, <k>: 2}`}}},
		{"retries too many", "retryPolicy.maximumRetryAttempts: 186, want 0-185", Target{RetryPolicy: &RetryPolicy{MaximumRetryAttempts: 186}}},
		{"retries negative", "retryPolicy.maximumRetryAttempts: -1", Target{RetryPolicy: &RetryPolicy{MaximumRetryAttempts: -1}}},
		{"age too short", "retryPolicy.maximumEventAgeInSeconds: 59, want 60-86400", Target{RetryPolicy: &RetryPolicy{MaximumEventAgeInSeconds: 59}}},
		{"age too long", "retryPolicy.maximumEventAgeInSeconds: 86401", Target{RetryPolicy: &RetryPolicy{MaximumEventAgeInSeconds: 86401}}},
		{"rate zero", "rateLimit.perSecond: 0, want more than 0", Target{RateLimit: &RateLimit{}}},
		{"rate too high", "rateLimit.perSecond: 10001", Target{RateLimit: &RateLimit{PerSecond: 10001}}},
		{"rate NaN", "rateLimit.perSecond: NaN", Target{RateLimit: &RateLimit{PerSecond: math.NaN()}}},
		{"burst negative", "rateLimit.burst: -1, want 0-10000", Target{RateLimit: &RateLimit{PerSecond: 1, Burst: -1}}},
		{"burst too high", "rateLimit.burst: 10001", Target{RateLimit: &RateLimit{PerSecond: 1, Burst: 10001}}},
	}
	for _, c := range cases {
		err := validateTargetOptions(c.t)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// Options are checked when a rule is saved, with the target's index.
func TestValidateRuleChecksTargetOptions(t *testing.T) {
	r := Rule{Name: "r", Pattern: json.RawMessage(`{"source":["aws.guardduty"]}`), Enabled: true,
		Targets: []Target{emailTarget("", "a@example.com"), emailTarget("", "b@example.com")}}
	r.Targets[1].InputTransformer = &InputTransformer{InputTemplate: "<sev>"}
	err := ValidateRule(r)
	if err == nil || !strings.Contains(err.Error(), "targets[1]: inputTransformer.inputTemplate: <sev> is not defined") {
		t.Fatalf("err = %v", err)
	}
}

// A target whose payload cannot be shaped loses its delivery; the other
// targets of the event still get theirs, and the error says which failed.
func TestRouteShapingErrorSkipsOnlyThatTarget(t *testing.T) {
	good := emailTarget("good", "a@example.com")
	good.InputPath = "$.detail.type"
	bad := emailTarget("bad", "b@example.com")
	bad.InputPath = "$..nope" // unparseable; only reachable by bypassing validation
	r := &Router{}
	tbl, err := buildRouteTable([]Rule{{Name: "r", Pattern: json.RawMessage(findingTypesPattern), Enabled: true,
		Targets: []Target{good}}})
	if err != nil {
		t.Fatal(err)
	}
	rule := tbl.rules["r"].rule
	rule.Targets = []Target{bad, good}
	tbl.rules["r"] = newRoutedRule(rule)
	r.current.Store(tbl)

	ds, err := r.Route(findingEnv(t, "PrivilegeEscalation:Runtime/DockerSocketAccessed"), t0)
	if err == nil || !strings.Contains(err.Error(), "rule r target bad: inputPath") {
		t.Fatalf("err = %v, want the bad target named", err)
	}
	if len(ds) != 1 || ds[0].Target.ID != "good" || string(ds[0].Payload) != `"\"PrivilegeEscalation:Runtime/DockerSocketAccessed\""` {
		t.Fatalf("deliveries = %+v, want only the good target with the shaped payload", ds)
	}
}

func TestLimitsFor(t *testing.T) {
	d := NewDispatcher(DispatcherConfig{MaxAttempts: 7, MaxAge: time.Hour})
	cases := []struct {
		p    *RetryPolicy
		want retryLimits
	}{
		{nil, retryLimits{7, time.Hour}},
		{&RetryPolicy{}, retryLimits{7, time.Hour}},
		{&RetryPolicy{MaximumRetryAttempts: 2}, retryLimits{3, time.Hour}},
		{&RetryPolicy{MaximumEventAgeInSeconds: 90}, retryLimits{7, 90 * time.Second}},
		{&RetryPolicy{MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400}, retryLimits{186, 24 * time.Hour}},
	}
	for _, c := range cases {
		if got := d.limitsFor(Target{RetryPolicy: c.p}); got != c.want {
			t.Errorf("limitsFor(%+v) = %+v, want %+v", c.p, got, c.want)
		}
	}
}
