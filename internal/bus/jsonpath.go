package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// JSONPath subset used by InputPath and InputTransformer.InputPathsMap.
//
// EventBridge documents its JSONPath support as "dot notation, dashes,
// underscores, alphanumeric characters, array indices, wildcards". vigil
// accepts exactly this grammar:
//
//	path    = "$" step*
//	step    = "." name          // member: $.detail.type, $.detail-type
//	        | "." "*"           // every member value (or element)
//	        | "[" digits "]"    // array element: $.resources[0]
//	        | "[" "*" "]"       // every element (or member value)
//	        | "[" quoted "]"    // member whose name needs quoting: $.tags['app.kubernetes.io/name']
//	name    = one or more characters other than . [ ] ' " * and white space
//	quoted  = "'" chars "'" | `"` chars `"` (no escapes; the quote itself cannot appear)
//
// Quoted member names are an extension: EventBridge asks for dot notation,
// but GuardDuty resource tags and Kubernetes labels have keys with dots that
// dot notation cannot reach. Filters ([?(...)]), slices ([0:2]), recursive
// descent (..) and negative indices are not supported and fail to parse, so
// a rule using them is rejected when it is saved rather than silently
// matching nothing at delivery time.
//
// Results: a path without wildcards (definite) selects at most one value,
// and a missing member or index means "no value". A path with a wildcard
// (indefinite) always yields a JSON array of every match in document order,
// [] when nothing matches, as Jayway JsonPath (the library family
// EventBridge's Java stack uses) does.
type jsonPath struct {
	src        string
	steps      []pathStep
	indefinite bool
}

type stepKind uint8

const (
	stepMember stepKind = iota
	stepIndex
	stepWildcard
)

type pathStep struct {
	kind  stepKind
	name  string // stepMember
	index int    // stepIndex
}

// parseJSONPath compiles s; errors say where the path stops making sense.
func parseJSONPath(s string) (jsonPath, error) {
	if !strings.HasPrefix(s, "$") {
		return jsonPath{}, errors.New(`must start with "$"`)
	}
	p := jsonPath{src: s}
	for i := 1; i < len(s); {
		var st pathStep
		var n int
		var err error
		switch s[i] {
		case '.':
			st, n, err = parseDotStep(s[i+1:])
			n++
		case '[':
			st, n, err = parseBracketStep(s[i+1:])
			n++
		default:
			err = fmt.Errorf("unexpected %q, want . or [", s[i])
		}
		if err != nil {
			return jsonPath{}, fmt.Errorf("at offset %d: %w", i, err)
		}
		if st.kind == stepWildcard {
			p.indefinite = true
		}
		p.steps = append(p.steps, st)
		i += n
	}
	return p, nil
}

// parseDotStep parses what follows a '.', returning the step and how many
// bytes it used.
func parseDotStep(s string) (pathStep, int, error) {
	if strings.HasPrefix(s, "*") {
		return pathStep{kind: stepWildcard}, 1, nil
	}
	n := 0
	for n < len(s) && isNameByte(s, n) {
		n++
	}
	if n == 0 {
		if strings.HasPrefix(s, ".") {
			return pathStep{}, 0, errors.New("recursive descent (..) is not supported")
		}
		return pathStep{}, 0, errors.New("empty member name after '.'")
	}
	return pathStep{kind: stepMember, name: s[:n]}, n, nil
}

// isNameByte reports whether the rune starting at s[i] may appear in a
// dot-notation member name. Multi-byte UTF-8 runes are allowed whole.
func isNameByte(s string, i int) bool {
	c := s[i]
	if c >= 0x80 {
		return true
	}
	return !strings.ContainsRune(".[]'\"*", rune(c)) && !unicode.IsSpace(rune(c)) && !unicode.IsControl(rune(c))
}

// parseBracketStep parses what follows a '[' up to and including its ']'.
func parseBracketStep(s string) (pathStep, int, error) {
	if len(s) > 0 && (s[0] == '\'' || s[0] == '"') {
		q := s[0]
		n := strings.IndexByte(s[1:], q) // length of the name
		if n < 0 || n+2 >= len(s) || s[n+2] != ']' {
			return pathStep{}, 0, fmt.Errorf("unterminated quoted member name, want [%ckey%c]", q, q)
		}
		if n == 0 {
			return pathStep{}, 0, errors.New("empty quoted member name")
		}
		return pathStep{kind: stepMember, name: s[1 : n+1]}, n + 3, nil
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return pathStep{}, 0, errors.New("missing ']'")
	}
	inner := s[:end]
	if inner == "*" {
		return pathStep{kind: stepWildcard}, end + 1, nil
	}
	for _, c := range []byte(inner) {
		if c < '0' || c > '9' {
			return pathStep{}, 0, fmt.Errorf("[%s]: want a non-negative index, * or a quoted name (filters and slices are not supported)", inner)
		}
	}
	idx, err := strconv.Atoi(inner)
	if err != nil || inner == "" {
		return pathStep{}, 0, fmt.Errorf("[%s]: bad index", inner)
	}
	return pathStep{kind: stepIndex, index: idx}, end + 1, nil
}

// eval applies p to doc. ok is false when a definite path selects nothing.
// doc must be valid JSON; an error means it was not.
func (p jsonPath) eval(doc json.RawMessage) (v json.RawMessage, ok bool, err error) {
	return p.evalCached(doc, nil)
}

// evalCached is eval sharing c's decoded containers, so several paths
// evaluated against one document decode each object or array once; c may be
// nil.
func (p jsonPath) evalCached(doc json.RawMessage, c *docCache) (v json.RawMessage, ok bool, err error) {
	cur := []json.RawMessage{doc}
	for _, st := range p.steps {
		var next []json.RawMessage
		for _, v := range cur {
			found, err := applyStep(st, v, c)
			if err != nil {
				return nil, false, fmt.Errorf("path %s: %w", p.src, err)
			}
			next = append(next, found...)
		}
		cur = next
	}
	if p.indefinite {
		return joinArray(cur), true, nil
	}
	if len(cur) == 0 {
		return nil, false, nil
	}
	return cur[0], true, nil
}

// applyStep returns what st selects in v: nothing when v has no such member
// or element (or is not a container).
func applyStep(st pathStep, v json.RawMessage, c *docCache) ([]json.RawMessage, error) {
	switch kindOf(v) {
	case '{':
		ms, err := c.members(v)
		if err != nil {
			return nil, err
		}
		switch st.kind {
		case stepMember:
			// The last duplicate wins, as when Go decodes into a map.
			for i := len(ms) - 1; i >= 0; i-- {
				if ms[i].key == st.name {
					return []json.RawMessage{ms[i].value}, nil
				}
			}
		case stepWildcard:
			out := make([]json.RawMessage, len(ms))
			for i, m := range ms {
				out[i] = m.value
			}
			return out, nil
		}
	case '[':
		elems, err := c.elements(v)
		if err != nil {
			return nil, err
		}
		switch st.kind {
		case stepIndex:
			if st.index < len(elems) {
				return elems[st.index : st.index+1], nil
			}
		case stepWildcard:
			return elems, nil
		}
	}
	return nil, nil
}

// docCache remembers the decoded objects and arrays of one document while
// several paths are evaluated against it (an InputTransformer's variables
// and its predefined ones), so the event and its "detail" are split once
// per event rather than once per variable. Values are told apart by
// identity (first byte and length): every value a path reaches is either
// the document itself or a slice this cache handed out, and none is ever
// modified. Only successes are kept; a failed decode is redone, and fails
// the same way. The nil *docCache decodes every time.
type docCache struct {
	entries []cacheEntry
}

type cacheEntry struct {
	first   *byte
	n       int
	members []member          // an object's, when isObj
	elems   []json.RawMessage // an array's, otherwise
	isObj   bool
}

func (c *docCache) lookup(v json.RawMessage, isObj bool) *cacheEntry {
	if c == nil || len(v) == 0 {
		return nil
	}
	for i := range c.entries {
		e := &c.entries[i]
		if e.first == &v[0] && e.n == len(v) && e.isObj == isObj {
			return e
		}
	}
	return nil
}

func (c *docCache) store(e cacheEntry) {
	if c != nil {
		c.entries = append(c.entries, e)
	}
}

// members is objectMembers(obj), decoded once per c.
func (c *docCache) members(obj json.RawMessage) ([]member, error) {
	if e := c.lookup(obj, true); e != nil {
		return e.members, nil
	}
	ms, err := objectMembers(obj)
	if err == nil && len(obj) > 0 {
		c.store(cacheEntry{first: &obj[0], n: len(obj), members: ms, isObj: true})
	}
	return ms, err
}

// elements splits a JSON array into its elements, decoded once per c.
func (c *docCache) elements(arr json.RawMessage) ([]json.RawMessage, error) {
	if e := c.lookup(arr, false); e != nil {
		return e.elems, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(arr, &elems); err != nil {
		return nil, err
	}
	if len(arr) > 0 {
		c.store(cacheEntry{first: &arr[0], n: len(arr), elems: elems})
	}
	return elems, nil
}

// member is one name/value pair of a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage
}

// objectMembers lists the members of a JSON object in document order, which
// a map would lose; payloads keep the order the producer chose.
func objectMembers(obj json.RawMessage) ([]member, error) {
	if ms, ok := splitObject(obj); ok {
		return ms, nil
	}
	return decodeMembers(obj)
}

// splitObject is objectMembers for a valid JSON object, without the
// allocations of a json.Decoder: keys are decoded as the decoder does and
// values are the same bytes (their text, without surrounding white space),
// sliced from obj with their capacity capped rather than copied. ok is
// false for anything else (invalid JSON, not an object), which
// decodeMembers handles, so errors are those of the decoder.
func splitObject(obj []byte) (ms []member, ok bool) {
	if !json.Valid(obj) {
		return nil, false
	}
	i := skipSpace(obj, 0)
	if obj[i] != '{' {
		return nil, false
	}
	// obj is valid JSON, so its structure needs no further checking.
	if i = skipSpace(obj, i+1); obj[i] == '}' {
		return nil, true
	}
	for {
		end := stringEnd(obj, i)
		key := obj[i+1 : end-1]
		var name string
		if bytes.IndexByte(key, '\\') < 0 && utf8.Valid(key) {
			name = string(key)
		} else if json.Unmarshal(obj[i:end], &name) != nil { // escapes, or U+FFFD for bad UTF-8
			return nil, false
		}
		i = skipSpace(obj, skipSpace(obj, end)+1) // past ':'
		vend := valueEnd(obj, i)
		ms = append(ms, member{key: name, value: obj[i:vend:vend]})
		if i = skipSpace(obj, vend); obj[i] == '}' {
			return ms, true
		}
		i = skipSpace(obj, i+1) // past ','
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] ('"').
func stringEnd(b []byte, i int) int {
	for i++; ; i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
}

// valueEnd returns the index just past the valid JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	for ; i < len(b); i++ { // a number or a literal
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}

// decodeMembers is objectMembers with a json.Decoder, for what splitObject
// does not take.
func decodeMembers(obj json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key: key, value: v})
	}
	return out, nil
}

// kindOf is the first significant byte of a JSON value: { [ " or the first
// letter/digit of a scalar.
func kindOf(v []byte) byte {
	t := bytes.TrimLeft(v, " \t\r\n")
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

func joinArray(vs []json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(v)
	}
	b.WriteByte(']')
	return b.Bytes()
}
