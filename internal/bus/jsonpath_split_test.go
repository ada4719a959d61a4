package bus

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzSplitObject checks that splitObject, the decoder-free fast path of
// objectMembers, gives exactly what the json.Decoder path gives.
func FuzzSplitObject(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"a":1}`, "{\n\"a\" :\t[1, {\"b\":\"}\"}] , \"c\":null,\"a\":-1.5e3}\n",
		`{"k\"ey":"v\\","\u00e9":{"x":[[]]},"t":true,"f":false}`, "{\"bad\xff\":\"\xfe\"}",
		`[1]`, `"s"`, `{"a":1} x`, `{"a":1,}`, `{"a"}`, ``, `null`, `{"a":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, obj []byte) {
		want, werr := decodeMembers(obj)
		got, ok := splitObject(obj)
		if !ok {
			if json.Valid(obj) && werr == nil && bytes.HasPrefix(bytes.TrimLeft(obj, " \t\r\n"), []byte("{")) {
				t.Fatalf("splitObject refused %q, which the decoder takes", obj)
			}
			return
		}
		if werr != nil {
			t.Fatalf("splitObject took %q, the decoder says %v", obj, werr)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, want %d", obj, len(got), len(want))
		}
		for i := range got {
			if got[i].key != want[i].key || !bytes.Equal(got[i].value, want[i].value) {
				t.Fatalf("%q: member %d = %q:%s, want %q:%s", obj, i, got[i].key, got[i].value, want[i].key, want[i].value)
			}
		}
	})
}
