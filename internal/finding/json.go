package finding

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSON encodes a finding as GuardDuty exports it. encoding/json's default
// HTML escaping would turn "C&CActivity.B" into "C\u0026CActivity.B": valid
// JSON, but not what users grep for or what GuardDuty emits.
func JSON(f Finding, indent bool) ([]byte, error) {
	b, err := marshalNoEscape(f, indent)
	if err != nil {
		return nil, fmt.Errorf("encode finding %s: %w", f.ID, err)
	}
	return b, nil
}

// marshalNoEscape is json.Marshal (json.MarshalIndent with two spaces when
// indent is set) without HTML escaping, for findings and for the JSON text
// carried inside additionalInfo.value.
func marshalNoEscape(v any, indent bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
