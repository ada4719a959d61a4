package pattern

import "testing"

func TestExists(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"exists true counts null and empty", `{"a":[{"exists":true}]}`, []string{`{"a":null}`, `{"a":""}`, `{"a":0}`, `{"a":[1]}`}, []string{`{}`, `{"a":[]}`, `{"a":{"b":1}}`, `{"a":{}}`}},
		{"exists false is leaf-only", `{"a":[{"exists":false}]}`, []string{`{}`, `{"a":[]}`, `{"a":{"b":1}}`}, []string{`{"a":null}`, `{"a":[1]}`}},
		{"exists false mixed with a value", `{"a":["x",{"exists":false}]}`, []string{`{}`, `{"a":"x"}`}, []string{`{"a":"y"}`}},
		{"exists false uses the chosen element", `{"d":{"a":[1],"b":[{"exists":false}]}}`, []string{`{"d":[{"a":1},{"b":2}]}`, `{"d":[{"a":1,"b":2},{"a":1}]}`}, []string{`{"d":[{"a":1,"b":2}]}`, `{"d":{"a":1,"b":2}}`}},
	})
}

func TestArrays(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"same element required", `{"e":{"f":["Anna"],"l":["Jones"]}}`, []string{`{"e":[{"f":"Anna","l":"Jones"}]}`}, []string{`{"e":[{"f":"Anna","l":"Smith"},{"f":"Peter","l":"Jones"}]}`}},
		{"different arrays combine", `{"a":["x"],"b":["y"]}`, []string{`{"a":["q","x"],"b":["y","z"]}`}, nil},
		{"array and scalar combine", `{"e":{"f":["Anna"]},"v":[1]}`, []string{`{"e":[{"f":"x"},{"f":"Anna"}],"v":1}`}, nil},
		{"nested arrays", `{"a":{"b":{"x":[1],"y":[2]}}}`, []string{`{"a":[{"b":[{"x":1,"y":2}]}]}`, `{"a":[{"b":{"x":1}},{"b":{"y":3}},{"b":[{"y":2,"x":1}]}]}`}, []string{`{"a":[{"b":[{"x":1},{"y":2}]}]}`, `{"a":[{"b":{"x":1}},{"b":{"y":2}}]}`}},
		{"inner arrays of one element", `{"a":{"x":[1],"b":{"y":[2]}}}`, []string{`{"a":[{"x":1,"b":[{"y":3},{"y":2}]}]}`}, []string{`{"a":[{"x":1,"b":[{"y":3}]},{"b":[{"y":2}]}]}`}},
	})
}

func TestOr(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"top level", `{"$or":[{"a":["x"]},{"b":["y"]}]}`, []string{`{"a":"x"}`, `{"b":"y"}`}, []string{`{"a":"y","b":"x"}`, `{}`}},
		{"nested with sibling", `{"s":["k"],"d":{"$or":[{"a":[1]},{"b":{"$or":[{"c":[2]},{"e":[3]}]}}]}}`, []string{`{"s":"k","d":{"a":1}}`, `{"s":"k","d":{"b":{"e":3}}}`}, []string{`{"d":{"a":1}}`, `{"s":"k","d":{"b":{"c":3}}}`}},
		{"branch overrides sibling on same path", `{"a":["x"],"$or":[{"a":["y"]},{"b":["z"]}]}`, []string{`{"a":"y"}`, `{"a":"x","b":"z"}`}, []string{`{"a":"x"}`, `{"b":"z"}`}},
	})
}

// TestDuplicateKeys: the last occurrence of a repeated key wins.
func TestDuplicateKeys(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"last wins", `{"a":["x"],"a":["y"]}`, []string{`{"a":"y"}`}, []string{`{"a":"x"}`}},
	})
}

// TestCompileDeterministic: the same text compiles to the same branches,
// whatever the order of map iteration inside the compiler.
func TestCompileDeterministic(t *testing.T) {
	src := []byte(`{"z":[{"anything-but":["b","a"]}],"$or":[{"m":[2,1]},{"n":{"$or":[{"p":[{"prefix":"q"}]},{"r":[{"exists":false},"s"]}]}}],"a":[{"numeric":[">",1,"<",2]}]}`)
	want := describe(mustCompile(t, src))
	for i := 0; i < 20; i++ {
		if got := describe(mustCompile(t, src)); got != want {
			t.Fatalf("compile %d differs:\n%s\n%s", i, got, want)
		}
	}
}

func mustCompile(t testing.TB, src []byte) *Pattern {
	t.Helper()
	p, err := Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
