package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// InputTemplate semantics.
//
// A placeholder is <name> where name is made of [A-Za-z0-9_.-] (the
// predefined variables contain dots); any other '<' is literal text, so
// "a < b" needs no escaping.
//
// A template is a JSON template when it becomes valid JSON with every
// placeholder in value position replaced by a value and every placeholder
// inside a string by text: an object, an array, or a single "quoted
// string". Its output is JSON, minified (as EventBridge sends it):
//
//   - a placeholder in value position becomes the variable's JSON value
//     (strings get their quotes, objects and arrays are inserted whole);
//   - a placeholder inside a JSON string becomes the variable's text
//     without added quotes: a string's characters, any other value's JSON
//     text. vigil escapes it for JSON (" becomes \", newlines \n, …).
//     EventBridge documents that it does not escape, which turns a value
//     containing a quote into invalid JSON that targets then reject; for
//     values that need no escaping (the common case) the output is
//     identical, and for the others vigil's output is valid JSON whose
//     string holds the value unchanged. Losing an alert to a quote in a
//     command line is not an acceptable trade for bug-compatibility;
//   - a variable whose path selected nothing yields "" in value position
//     (what AWS delivers) and nothing inside a string.
//
// Any other template (plain text, or several quoted lines like GuardDuty's
// e-mail recipe, event-patterns.md §8.5) is a text template: the output is
// the template text with each placeholder replaced by the variable's text
// (a string's characters unquoted and unescaped, other values as JSON), and
// quotes written in the template appear verbatim, as in EventBridge's mails.
//
// Placeholders may not be object keys in a template that is a JSON object
// (EventBridge's restriction); parseTemplate rejects that.
type template struct {
	parts    []tmplPart
	jsonMode bool
}

type tmplPart struct {
	text     string // literal text; empty for a placeholder
	name     string // placeholder name; empty for literal text
	inString bool   // the placeholder sits inside a "…" string
}

// scanState tracks, outside the placeholders, whether the scanner is inside
// a JSON string and the last structural character seen, enough to tell a
// key position from a value position.
type scanState struct {
	inString bool
	escaped  bool
	stack    []byte // open { and [ outside strings
	last     byte   // last significant byte outside strings; 'v' after a placeholder
}

func (s *scanState) feed(c byte) {
	switch {
	case s.inString && s.escaped:
		s.escaped = false
	case s.inString && c == '\\':
		s.escaped = true
	case s.inString && c == '"':
		s.inString = false
		s.last = '"'
	case s.inString:
	case c == '"':
		s.inString = true
	case c == '{' || c == '[':
		s.stack = append(s.stack, c)
		s.last = c
	case c == '}' || c == ']':
		if len(s.stack) > 0 {
			s.stack = s.stack[:len(s.stack)-1]
		}
		s.last = c
	case c != ' ' && c != '\t' && c != '\r' && c != '\n':
		s.last = c
	}
}

// atKey reports whether a placeholder here would be an object key.
func (s *scanState) atKey() bool {
	return !s.inString && len(s.stack) > 0 && s.stack[len(s.stack)-1] == '{' && (s.last == '{' || s.last == ',')
}

// parseTemplate splits tmpl into literal text and placeholders and decides
// whether it is a JSON template.
func parseTemplate(tmpl string) (template, error) {
	var t template
	var st scanState
	var lit strings.Builder
	objectTemplate := strings.HasPrefix(strings.TrimSpace(tmpl), "{")
	for i := 0; i < len(tmpl); {
		if name, n := placeholderAt(tmpl[i:]); n > 0 {
			if objectTemplate && st.atKey() {
				return template{}, fmt.Errorf("<%s> is used as an object key, which a JSON object template does not allow", name)
			}
			if lit.Len() > 0 {
				t.parts = append(t.parts, tmplPart{text: lit.String()})
				lit.Reset()
			}
			t.parts = append(t.parts, tmplPart{name: name, inString: st.inString})
			if !st.inString {
				st.last = 'v'
			}
			i += n
			continue
		}
		st.feed(tmpl[i])
		lit.WriteByte(tmpl[i])
		i++
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, tmplPart{text: lit.String()})
	}
	t.jsonMode = json.Valid(t.probe())
	return t, nil
}

// placeholderAt returns the name and length of a placeholder at the start
// of s, or n == 0.
func placeholderAt(s string) (name string, n int) {
	if len(s) < 3 || s[0] != '<' {
		return "", 0
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '>' && i > 1:
			return s[1:i], i + 1
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return "", 0
		}
	}
	return "", 0
}

// probe renders the template with stand-ins, to learn whether it is JSON.
func (t template) probe() []byte {
	var b bytes.Buffer
	for _, p := range t.parts {
		switch {
		case p.name == "":
			b.WriteString(p.text)
		case !p.inString:
			b.WriteString("null")
		}
	}
	return b.Bytes()
}

// vars lists the placeholder names, each once, in order of appearance.
func (t template) vars() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range t.parts {
		if p.name != "" && !seen[p.name] {
			seen[p.name] = true
			out = append(out, p.name)
		}
	}
	return out
}

// render fills the template from vals (absent names selected nothing).
func (t template) render(vals map[string]json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		v, ok := vals[p.name]
		switch {
		case t.jsonMode && !p.inString && !ok:
			b.WriteString(`""`)
		case t.jsonMode && !p.inString:
			if err := json.Compact(&b, v); err != nil {
				return nil, fmt.Errorf("<%s>: %w", p.name, err)
			}
		case ok && t.jsonMode:
			s := jsonString(valueText(v))
			b.Write(s[1 : len(s)-1]) // escaped, without the quotes
		case ok:
			b.WriteString(valueText(v))
		}
	}
	if !t.jsonMode {
		return b.Bytes(), nil
	}
	out, err := compactJSON(b.Bytes())
	if err != nil {
		// Cannot happen for a template the probe accepted; say so loudly
		// rather than deliver broken JSON.
		return nil, errors.Join(errors.New("rendered JSON template is not valid JSON"), err)
	}
	return out, nil
}

// valueText is a variable as text: a JSON string's characters, or any other
// value's compact JSON.
func valueText(v json.RawMessage) string {
	if kindOf(v) == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return string(v)
	}
	return b.String()
}
