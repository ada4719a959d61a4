package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"unicode/utf8"
)

// Input shaping: what a target receives, as EventBridge's PutTargets
// defines it (event-patterns.md §6.2, EventBridge User Guide "Input
// transformation").
//
//   - no Input, InputPath or InputTransformer: the matched event, unchanged;
//   - Input: that constant JSON text, verbatim;
//   - InputPath: the JSON value the path selects (see jsonpath.go), compact;
//     a string is delivered as JSON, quotes included ("baz"), as EventBridge
//     does; a path that selects nothing delivers null;
//   - InputTransformer: variables taken from the event by InputPathsMap,
//     substituted into InputTemplate (template.go).
//
// The result may be text rather than JSON (a template of several quoted
// lines, like GuardDuty's e-mail recipe); see EncodePayload for how such a
// body travels through the JSON-only outbox.

// Limits from the EventBridge API reference.
const (
	MaxInputLength        = 8192 // Input and InputTemplate
	MaxInputPathLength    = 256  // InputPath and each InputPathsMap value
	MaxInputPathsMapKeys  = 100
	maxInputPathsMapKeyLn = 256
)

// Predefined InputTransformer variables: usable in a template without
// being defined, and reserved (user variables cannot start with "aws.").
const (
	VarRuleARN       = "aws.events.rule-arn"
	VarRuleName      = "aws.events.rule-name"
	VarEvent         = "aws.events.event"
	VarEventJSON     = "aws.events.event.json"
	VarIngestionTime = "aws.events.event.ingestion-time"
)

var predefinedVars = map[string]bool{
	VarRuleARN: true, VarRuleName: true, VarEvent: true, VarEventJSON: true, VarIngestionTime: true,
}

// inputPathsMapKeyRE: EventBridge's key syntax. Dots are excluded, which
// also keeps user variables out of the reserved aws.* names.
var inputPathsMapKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ShapePayload returns the bytes target t receives for event, the envelope
// JSON matched by the rule named ruleName. It re-validates what it uses, so
// it is safe on targets that never went through ValidateRule (it returns an
// error rather than guessing). It compiles t's shaping on every call; the
// router compiles each target's once (compileShaper) and only applies it.
func ShapePayload(t Target, ruleName string, event []byte) ([]byte, error) {
	s, err := compileShaper(t)
	if err != nil {
		return nil, err
	}
	return s.apply(ruleName, event)
}

// shaper is a target's compiled Input, InputPath or InputTransformer; the
// zero shaper delivers the event unchanged.
type shaper struct {
	input string       // Input, when set
	path  *jsonPath    // InputPath, when set
	tr    *transformer // InputTransformer, when set
}

// compileShaper checks and compiles t's input shaping. It does not check
// the length limits, which only validation (validateInputOptions) enforces.
func compileShaper(t Target) (shaper, error) {
	if err := checkOneInputOption(t); err != nil {
		return shaper{}, err
	}
	switch {
	case t.Input != "":
		if !json.Valid([]byte(t.Input)) || !utf8.ValidString(t.Input) {
			return shaper{}, fmt.Errorf("%s: not valid UTF-8 JSON", inputFieldInput)
		}
		return shaper{input: t.Input}, nil
	case t.InputPath != "":
		p, err := parseJSONPath(t.InputPath)
		if err != nil {
			return shaper{}, fmt.Errorf("%s %q: %w", inputFieldInputPath, t.InputPath, err)
		}
		return shaper{path: &p}, nil
	case t.InputTransformer != nil:
		tr, err := compileTransformer(*t.InputTransformer)
		if err != nil {
			return shaper{}, err
		}
		return shaper{tr: &tr}, nil
	}
	return shaper{}, nil
}

// apply returns the bytes the target receives for event, matched by the
// rule named ruleName.
func (s shaper) apply(ruleName string, event []byte) ([]byte, error) {
	switch {
	case s.input != "":
		return []byte(s.input), nil
	case s.path != nil:
		v, ok, err := s.path.eval(event)
		if err != nil {
			return nil, fmt.Errorf("inputPath: %w", err)
		}
		if !ok {
			// Nothing selected: EventBridge does not document this case;
			// null keeps the delivery (and the alert) rather than dropping it.
			return []byte("null"), nil
		}
		return compactJSON(v)
	case s.tr != nil:
		return s.tr.apply(ruleName, event)
	}
	return event, nil
}

// checkOneInputOption enforces that Input, InputPath and InputTransformer
// are mutually exclusive, naming the ones that are set.
func checkOneInputOption(t Target) error {
	var set []string
	if t.Input != "" {
		set = append(set, "input")
	}
	if t.InputPath != "" {
		set = append(set, "inputPath")
	}
	if t.InputTransformer != nil {
		set = append(set, "inputTransformer")
	}
	if len(set) > 1 {
		return fmt.Errorf("%v: at most one of input, inputPath and inputTransformer may be set", set)
	}
	return nil
}

// transformer is a compiled InputTransformer.
type transformer struct {
	paths map[string]jsonPath
	tmpl  template
}

// compileTransformer parses the paths and the template and checks every
// variable the template uses is defined; errors name the field.
func compileTransformer(it InputTransformer) (transformer, error) {
	if len(it.InputPathsMap) > MaxInputPathsMapKeys {
		return transformer{}, fmt.Errorf("inputTransformer.inputPathsMap: %d variables, at most %d", len(it.InputPathsMap), MaxInputPathsMapKeys)
	}
	tr := transformer{paths: make(map[string]jsonPath, len(it.InputPathsMap))}
	for _, name := range slices.Sorted(maps.Keys(it.InputPathsMap)) {
		p, err := compileVariable(name, it.InputPathsMap[name])
		if err != nil {
			return transformer{}, fmt.Errorf("inputTransformer.inputPathsMap.%s: %w", name, err)
		}
		tr.paths[name] = p
	}
	if it.InputTemplate == "" {
		return transformer{}, errors.New("inputTransformer.inputTemplate: required")
	}
	if !utf8.ValidString(it.InputTemplate) {
		// Text templates are stored as JSON strings (EncodePayload), which
		// cannot carry invalid UTF-8 unchanged.
		return transformer{}, errors.New("inputTransformer.inputTemplate: not valid UTF-8")
	}
	if len(it.InputTemplate) > MaxInputLength {
		return transformer{}, fmt.Errorf("inputTransformer.inputTemplate: %d characters, at most %d", len(it.InputTemplate), MaxInputLength)
	}
	tmpl, err := parseTemplate(it.InputTemplate)
	if err != nil {
		return transformer{}, fmt.Errorf("inputTransformer.inputTemplate: %w", err)
	}
	for _, name := range tmpl.vars() {
		if _, ok := tr.paths[name]; !ok && !predefinedVars[name] {
			return transformer{}, fmt.Errorf("inputTransformer.inputTemplate: <%s> is not defined in inputPathsMap nor predefined", name)
		}
	}
	tr.tmpl = tmpl
	return tr, nil
}

func compileVariable(name, path string) (jsonPath, error) {
	switch {
	case len(name) > maxInputPathsMapKeyLn:
		return jsonPath{}, fmt.Errorf("name longer than %d characters", maxInputPathsMapKeyLn)
	case len(name) >= 4 && equalFoldASCII(name[:4], "aws."):
		return jsonPath{}, errors.New(`names starting with "aws." are reserved`)
	case !inputPathsMapKeyRE.MatchString(name):
		return jsonPath{}, errors.New("name: want characters of [A-Za-z0-9_-]")
	case len(path) > MaxInputPathLength:
		return jsonPath{}, fmt.Errorf("path longer than %d characters", MaxInputPathLength)
	}
	p, err := parseJSONPath(path)
	if err != nil {
		return jsonPath{}, fmt.Errorf("path %q: %w", path, err)
	}
	return p, nil
}

// apply resolves the variables against event and fills the template.
func (tr transformer) apply(ruleName string, event []byte) ([]byte, error) {
	vals := make(map[string]json.RawMessage, len(tr.paths)+len(predefinedVars))
	var cache docCache // the event and its objects, split once for every variable
	for name, p := range tr.paths {
		v, ok, err := p.evalCached(event, &cache)
		if err != nil {
			return nil, fmt.Errorf("inputTransformer.inputPathsMap.%s: %w", name, err)
		}
		if ok {
			vals[name] = v
		}
	}
	if err := addPredefined(vals, ruleName, event, &cache); err != nil {
		return nil, fmt.Errorf("inputTransformer: %w", err)
	}
	out, err := tr.tmpl.render(vals)
	if err != nil {
		return nil, fmt.Errorf("inputTransformer.inputTemplate: %w", err)
	}
	return out, nil
}

// addPredefined sets the aws.events.* variables.
//
//   - rule-arn: vigil has no ARNs; it builds the ARN a rule of that name on
//     the default bus would have, arn:aws:events:<region>:<account>:rule/<name>,
//     from the event's region and account, so templates written for AWS
//     render the same shape.
//   - event.ingestion-time: the event's "time", which vigil sets when it
//     publishes the event (the moment it enters the bus).
//   - event: the event without "detail", with "detail-type" spelled
//     "detailType", as AWS delivers it (observed, not documented).
//   - event.json: the whole event.
//
// c, which may be nil, shares the event's members already split for the
// inputPathsMap variables.
func addPredefined(vals map[string]json.RawMessage, ruleName string, event []byte, c *docCache) error {
	ms, err := c.members(event)
	if err != nil {
		return fmt.Errorf("event: %w", err)
	}
	var region, account string
	var meta []member
	for _, m := range ms {
		switch m.key {
		case "region":
			_ = json.Unmarshal(m.value, &region)
		case "account":
			_ = json.Unmarshal(m.value, &account)
		case "time":
			vals[VarIngestionTime] = m.value
		case "detail-type":
			m.key = "detailType"
		case "detail":
			continue
		}
		meta = append(meta, m)
	}
	vals[VarRuleName] = jsonString(ruleName)
	vals[VarRuleARN] = jsonString(fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", region, account, ruleName))
	vals[VarEventJSON] = event
	vals[VarEvent] = encodeObject(meta)
	return nil
}

func encodeObject(ms []member) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonString(m.key))
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// jsonString encodes s as a JSON string without Go's HTML escaping of < > &,
// which would turn "a<b" into "a\u003cb" in mails and chat messages.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func compactJSON(v []byte) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	return b.Bytes(), nil
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// EncodePayload turns body, the bytes a target receives, into a
// Delivery.Payload, which must be JSON (the outbox stores JSON, and
// deliveries are shown through the JSON API). A body that is a JSON object,
// array, number, boolean or null is kept as it is, so an unshaped event is
// stored unchanged. Any other body (text, or a JSON string) is stored as a
// JSON string whose value is the body. The mapping is one-to-one:
// PayloadBody inverts it exactly, so a template producing "quoted text"
// delivers its quotes, as EventBridge does.
func EncodePayload(body []byte) json.RawMessage {
	if k := kindOf(body); k != '"' && k != 0 && json.Valid(body) {
		return body
	}
	return jsonString(string(body))
}

// PayloadBody returns the bytes the target receives for a Delivery.Payload
// made by EncodePayload.
func PayloadBody(payload json.RawMessage) ([]byte, error) {
	if kindOf(payload) != '"' {
		return payload, nil
	}
	var s string
	if err := json.Unmarshal(payload, &s); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	return []byte(s), nil
}
