package bus

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/finding"
)

// ec2Event is the example event of EventBridge's "Input transformation"
// page; the cases below are that page's templates with its outputs
// (minified: "The JSON that is passed to the target is minified").
const ec2Event = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-0123456789","state":"RUNNING"}}`

// ec2Paths is the page's Input Path box.
var ec2Paths = map[string]string{
	"timestamp": "$.time",
	"instance":  "$.detail.instance-id",
	"state":     "$.detail.state",
	"resource":  "$.resources[0]",
}

func transformTarget(paths map[string]string, tmpl string) Target {
	return Target{ID: "t1", Kind: TargetEmail, Email: &EmailTarget{To: []string{"a@example.com"}},
		InputTransformer: &InputTransformer{InputPathsMap: paths, InputTemplate: tmpl}}
}

func TestShapePayloadEventBridgeDocExamples(t *testing.T) {
	ec2Meta := `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detailType":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]}`
	cases := []struct {
		name, tmpl, want string
	}{
		{"simple string", `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`},
		{"string with escaped quotes", `"instance \"<instance>\" is in <state>"`, `"instance \"i-0123456789\" is in RUNNING"`},
		{"simple JSON", "{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}", `{"instance":"i-0123456789","state":"RUNNING"}`},
		{"JSON with strings and variables",
			`{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}`,
			`{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \"i-0123456789\" is in RUNNING"}`},
		{"JSON with a mix of variables and static information",
			`{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}`,
			`{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}`},
		{"reserved variables in JSON",
			`{"instance" : <instance>, "state": <state>, "ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>, "originalEvent" : <aws.events.event>}`,
			`{"instance":"i-0123456789","state":"RUNNING","ruleArn":"arn:aws:events:us-east-1:123456789012:rule/example","ruleName":"example","originalEvent":` + ec2Meta + `}`},
		{"reserved variables in a string", `"<aws.events.rule-name> triggered"`, `"example triggered"`},
		{"array index path", `{"first": <resource>}`, `{"first":"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}`},
		// The API reference's InputTemplate examples (status is the state).
		{"API: plain text", `<instance> is in state <state>`, `i-0123456789 is in state RUNNING`},
		{"API: plain text with quotes", `<instance> is in state "<state>"`, `i-0123456789 is in state "RUNNING"`},
		{"API: JSON with variables in quotes or out",
			`{"myInstance": <instance>,"myStatus": "<instance> is in state \"<state>\""}`,
			`{"myInstance":"i-0123456789","myStatus":"i-0123456789 is in state \"RUNNING\""}`},
		// Predefined JSON values.
		{"whole event", `{"e": <aws.events.event.json>}`, `{"e":` + ec2Event + `}`},
		{"ingestion time", `"at <aws.events.event.ingestion-time>"`, `"at 2015-11-11T21:29:54Z"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ShapePayload(transformTarget(ec2Paths, c.tmpl), "example", []byte(ec2Event))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// Missing paths, as observed from AWS: nothing inside a string (and in
// text), an empty string in value position.
func TestShapePayloadMissingPath(t *testing.T) {
	paths := map[string]string{"type": "$.detail-type", "cmd": "$.detail.notinmessage"}
	cases := []struct{ tmpl, want string }{
		{`"Event of <type> type, info extracted from detail <cmd>"`, `"Event of EC2 Instance State-change Notification type, info extracted from detail "`},
		{`{"detailType": <type>, "command": <cmd>}`, `{"detailType":"EC2 Instance State-change Notification","command":""}`},
		{`type <type>, cmd [<cmd>]`, `type EC2 Instance State-change Notification, cmd []`},
	}
	for _, c := range cases {
		got, err := ShapePayload(transformTarget(paths, c.tmpl), "r", []byte(ec2Event))
		if err != nil || string(got) != c.want {
			t.Errorf("%s:\ngot  %s (%v)\nwant %s", c.tmpl, got, err, c.want)
		}
	}
}

// Values that need escaping stay valid JSON inside JSON templates and go in
// verbatim in text templates.
func TestShapePayloadQuoting(t *testing.T) {
	event := `{"id":"e","account":"1","region":"r","time":"t","detail":{"cmd":"sh -c \"echo <x> & \\\\ done\"\n","n":5.30,"obj":{"b":1,"a":[true,null]},"nil":null}}`
	paths := map[string]string{"cmd": "$.detail.cmd", "n": "$.detail.n", "obj": "$.detail.obj", "nil": "$.detail.nil"}
	cases := []struct{ name, tmpl, want string }{
		{"string in value position", `{"c": <cmd>}`, `{"c":"sh -c \"echo <x> & \\\\ done\"\n"}`},
		{"string inside a string is escaped", `{"c": "ran <cmd>"}`, `{"c":"ran sh -c \"echo <x> & \\\\ done\"\n"}`},
		{"text template inserts raw text", `ran <cmd>`, "ran sh -c \"echo <x> & \\\\ done\"\n"},
		{"number keeps its text", `{"n": <n>, "s": "n=<n>"}`, `{"n":5.30,"s":"n=5.30"}`},
		{"object keeps member order", `{"o": <obj>}`, `{"o":{"b":1,"a":[true,null]}}`},
		{"object inside a string is escaped JSON", `{"o": "<obj>"}`, `{"o":"{\"b\":1,\"a\":[true,null]}"}`},
		{"object in text", `obj=<obj>`, `obj={"b":1,"a":[true,null]}`},
		{"null value", `{"z": <nil>, "s": "<nil>"}`, `{"z":null,"s":"null"}`},
		{"literal < is text", `{"s": "1 < 2 <= <n>"}`, `{"s":"1 < 2 <= 5.30"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ShapePayload(transformTarget(paths, c.tmpl), "r", []byte(event))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			if strings.HasPrefix(c.tmpl, "{") && !json.Valid(got) {
				t.Fatalf("JSON template gave invalid JSON %s", got)
			}
		})
	}
}

// snsRecipe is the InputTransformer of the GuardDuty e-mail recipe
// (event-patterns.md §8.5): its input paths and template.
func snsRecipe() (map[string]string, string) {
	paths := map[string]string{
		"severity":            "$.detail.severity",
		"Finding_ID":          "$.detail.id",
		"Finding_Type":        "$.detail.type",
		"region":              "$.region",
		"Finding_description": "$.detail.description",
	}
	tmpl := `"You have a severity <severity> GuardDuty finding type <Finding_Type> in the <region> region."
"Finding Description:"
"<Finding_description>. "
"For more details open the GuardDuty console at https://console.aws.amazon.com/guardduty/home?region=<region>#/findings?search=id%3D<Finding_ID>"`
	return paths, tmpl
}

// recipeEvent is the finding event the recipe tests and benchmarks route.
func recipeEvent(tb testing.TB) Envelope {
	env, err := FindingEvent(finding.Finding{AccountID: "111122223333", Region: "eu-west-1", ID: "f-42",
		Type: "Backdoor:Runtime/C&CActivity.B", Severity: 8.5,
		Description: `Container "web" queried a C&C domain`}, "ev-1", t0)
	if err != nil {
		tb.Fatal(err)
	}
	return env
}

// The GuardDuty e-mail recipe (event-patterns.md §8.5, GuardDuty User
// Guide): quoted lines, delivered as text with their quotes, through the
// router and the outbox encoding, from a real finding event.
func TestShapePayloadGuardDutySNSRecipe(t *testing.T) {
	paths, tmpl := snsRecipe()
	rules := []Rule{{Name: "gd-mail", Pattern: json.RawMessage(`{"source":["aws.guardduty"]}`), Enabled: true,
		Targets: []Target{transformTarget(paths, tmpl)}}}
	r, err := NewRouter(rules)
	if err != nil {
		t.Fatal(err)
	}
	env := recipeEvent(t)
	ds, err := r.Route(env, t0)
	if err != nil || len(ds) != 1 {
		t.Fatalf("Route: %d deliveries, %v", len(ds), err)
	}
	if !json.Valid(ds[0].Payload) {
		t.Fatalf("outbox payload is not JSON: %s", ds[0].Payload)
	}
	body, err := PayloadBody(ds[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	want := `"You have a severity 8.5 GuardDuty finding type Backdoor:Runtime/C&CActivity.B in the eu-west-1 region."
"Finding Description:"
"Container "web" queried a C&C domain. "
"For more details open the GuardDuty console at https://console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?search=id%3Df-42"`
	if string(body) != want {
		t.Fatalf("mail body:\n%s\nwant:\n%s", body, want)
	}
}

func TestShapePayloadInputAndInputPath(t *testing.T) {
	ev := []byte(ec2Event)
	cases := []struct {
		name string
		t    Target
		want string
	}{
		{"nothing set: the event unchanged", Target{}, ec2Event},
		{"constant input, verbatim", Target{Input: `{"alert": "x" }`}, `{"alert": "x" }`},
		{"constant string input", Target{Input: `"hello"`}, `"hello"`},
		{"detail", Target{InputPath: "$.detail"}, `{"instance-id":"i-0123456789","state":"RUNNING"}`},
		{"root", Target{InputPath: "$"}, ec2Event},
		{"string keeps quotes", Target{InputPath: "$.detail.state"}, `"RUNNING"`},
		{"array element", Target{InputPath: "$.resources[0]"}, `"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"`},
		{"bracketed name", Target{InputPath: "$['detail']['instance-id']"}, `"i-0123456789"`},
		{"wildcard gives an array", Target{InputPath: "$.detail.*"}, `["i-0123456789","RUNNING"]`},
		{"wildcard with no match", Target{InputPath: "$.resources[*].x"}, `[]`},
		{"missing path delivers null", Target{InputPath: "$.detail.nope"}, `null`},
		{"index out of range", Target{InputPath: "$.resources[3]"}, `null`},
	}
	for _, c := range cases {
		got, err := ShapePayload(c.t, "r", ev)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %s (%v), want %s", c.name, got, err, c.want)
		}
	}
	if _, err := ShapePayload(Target{Input: "{}", InputPath: "$"}, "r", ev); err == nil {
		t.Error("Input and InputPath together: want an error")
	}
	if _, err := ShapePayload(transformTarget(nil, `<undefined>`), "r", ev); err == nil {
		t.Error("undefined variable: want an error")
	}
}

func TestEncodePayloadRoundTrip(t *testing.T) {
	for _, body := range []string{ec2Event, `[1,2]`, `3`, `null`, `true`, `"quoted"`, "\"a\"\n\"b\"", "plain text", "", ` {"a":1} `, "{not json"} {
		p := EncodePayload([]byte(body))
		if !json.Valid(p) {
			t.Errorf("EncodePayload(%q) = %s, not JSON", body, p)
		}
		back, err := PayloadBody(p)
		if err != nil || string(back) != body {
			t.Errorf("PayloadBody(EncodePayload(%q)) = %q, %v", body, back, err)
		}
	}
	// The unshaped event is stored as itself, as before input shaping.
	if p := EncodePayload([]byte(ec2Event)); !bytes.Equal(p, []byte(ec2Event)) {
		t.Errorf("event payload changed: %s", p)
	}
}

// FuzzShapePayload: shaping never panics; what validation accepts shapes
// without error; a JSON template always yields valid JSON; every output
// survives the outbox encoding.
func FuzzShapePayload(f *testing.F) {
	f.Add(`{"a": <v>, "b": "x <v> y"}`, "$.detail.v", `{"detail":{"v":"q\"uote"}}`)
	f.Add(`"line <v>"`+"\n"+`"two"`, "$.detail", ec2Event)
	f.Add(`<aws.events.event>`, "$.resources[*]", ec2Event)
	f.Add(`{<v>: 1}`, "$['a.b'][0]", `{"a.b":[{"c":1}]}`)
	f.Add(`[<v>, <aws.events.rule-arn>]`, "$..x", `{"id":1}`)
	f.Fuzz(func(t *testing.T, tmpl, path, event string) {
		if !json.Valid([]byte(event)) || kindOf([]byte(event)) != '{' || !utf8.ValidString(event) {
			return // the router only shapes envelopes it marshalled itself: UTF-8 JSON objects
		}
		targets := []Target{
			transformTarget(map[string]string{"v": path}, tmpl),
			{InputPath: path},
			{Input: tmpl},
		}
		for _, tg := range targets {
			got, err := ShapePayload(tg, "rule", []byte(event))
			if verr := validateTargetOptions(tg); verr == nil && err != nil {
				t.Fatalf("valid target %+v failed to shape %s: %v", tg, event, err)
			}
			if err != nil {
				continue
			}
			if tg.InputTransformer != nil {
				tp, perr := parseTemplate(tmpl)
				if perr == nil && tp.jsonMode && !json.Valid(got) {
					t.Fatalf("JSON template %q gave invalid JSON %q", tmpl, got)
				}
			}
			back, err := PayloadBody(EncodePayload(got))
			if err != nil || !bytes.Equal(back, got) {
				t.Fatalf("outbox encoding lost %q: %q, %v", got, back, err)
			}
		}
	})
}
