package pattern

import (
	"strconv"
	"strings"
	"testing"
)

// matchCase is one pattern checked against several events.
type matchCase struct {
	name    string
	pattern string
	yes     []string // events that must match
	no      []string // events that must not match
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile([]byte(c.pattern))
			if err != nil {
				t.Fatalf("Compile(%s): %v", c.pattern, err)
			}
			for _, ev := range c.yes {
				if ok, err := p.Match([]byte(ev)); !ok || err != nil {
					t.Errorf("%s vs %s = %v, %v; want match", c.pattern, ev, ok, err)
				}
			}
			for _, ev := range c.no {
				if ok, err := p.Match([]byte(ev)); ok || err != nil {
					t.Errorf("%s vs %s = %v, %v; want no match", c.pattern, ev, ok, err)
				}
			}
		})
	}
}

func TestExactValues(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"string", `{"a":["x"]}`, []string{`{"a":"x"}`, `{"a":["y","x"]}`}, []string{`{"a":"X"}`, `{"a":"xx"}`, `{"b":"x"}`, `{"a":{"b":"x"}}`}},
		{"number equality is numeric", `{"a":[300]}`, []string{`{"a":300}`, `{"a":300.0}`, `{"a":3e2}`, `{"a":3.00E+2}`}, []string{`{"a":"300"}`, `{"a":301}`}},
		{"negative zero", `{"a":[0]}`, []string{`{"a":-0}`, `{"a":0.0}`}, []string{`{"a":false}`}},
		{"beyond float64 precision compares text", `{"a":[9007199254740993]}`, []string{`{"a":9007199254740993}`, `{"a":9007199254740993.0}`}, []string{`{"a":9007199254740992}`}},
		{"literals", `{"a":[true],"b":[false],"c":[null]}`, []string{`{"a":true,"b":false,"c":null}`}, []string{`{"a":"true","b":false,"c":null}`, `{"a":true,"b":false}`}},
		{"empty string is not null", `{"a":[""]}`, []string{`{"a":""}`}, []string{`{"a":null}`, `{}`}},
		{"exactly", `{"a":[{"exactly":"x"}]}`, []string{`{"a":"x"}`}, []string{`{"a":"X"}`}},
		{"keys are segments, not dotted", `{"a":{"b":["x"]}}`, []string{`{"a":{"b":"x"}}`}, []string{`{"a.b":"x"}`}},
		{"escaped strings", `{"a":["é\"\n"]}`, []string{`{"a":"\u00e9\"\n"}`}, nil},
		{"empty key is a segment", `{"":{"a":[1]}}`, []string{`{"":{"a":1}}`}, []string{`{"a":1}`}},
	})
}

func TestStringOperators(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"prefix", `{"a":[{"prefix":"ab"}]}`, []string{`{"a":"ab"}`, `{"a":"abc"}`}, []string{`{"a":"Abc"}`, `{"a":"a"}`, `{"a":12}`}},
		{"empty prefix matches any string", `{"a":[{"prefix":""}]}`, []string{`{"a":""}`, `{"a":"x"}`}, []string{`{"a":1}`, `{"a":null}`}},
		{"prefix ignore case", `{"a":[{"prefix":{"equals-ignore-case":"EvEnTb"}}]}`, []string{`{"a":"EventBridge"}`}, []string{`{"a":"Event"}`}},
		{"suffix", `{"a":[{"suffix":".png"}]}`, []string{`{"a":"x.png"}`}, []string{`{"a":"x.PNG"}`, `{"a":"png"}`}},
		{"suffix multibyte", `{"a":[{"suffix":"统治者"}]}`, []string{`{"a":"事件统治者"}`}, []string{`{"a":"统治"}`}},
		{"suffix ignore case", `{"a":[{"suffix":{"equals-ignore-case":".PNG"}}]}`, []string{`{"a":"x.png"}`, `{"a":"X.Png"}`}, []string{`{"a":"x.jpg"}`}},
		{"equals-ignore-case", `{"a":[{"equals-ignore-case":"Straße ⱥ"}]}`, []string{`{"a":"STRAßE Ⱥ"}`, `{"a":"straße ⱥ"}`}, []string{`{"a":"strasse ⱥ"}`}},
		{"wildcard", `{"a":[{"wildcard":"*/bin/*.sh"}]}`, []string{`{"a":"/usr/bin/x.sh"}`, `{"a":"/bin/.sh"}`}, []string{`{"a":"/usr/sbin/x.sh"}`, `{"a":"/bin/x.shx"}`}},
		{"wildcard without star is exact", `{"a":[{"wildcard":"a\\*b"}]}`, []string{`{"a":"a*b"}`}, []string{`{"a":"axb"}`}},
		{"wildcard star matches empty", `{"a":[{"wildcard":"*"}]}`, []string{`{"a":""}`, `{"a":"x"}`}, []string{`{"a":1}`}},
		{"wildcard overlapping ends", `{"a":[{"wildcard":"ab*ba"}]}`, []string{`{"a":"abba"}`, `{"a":"abxba"}`}, []string{`{"a":"aba"}`}},
	})
}

func TestAnythingBut(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"string", `{"a":[{"anything-but":"x"}]}`, []string{`{"a":"y"}`, `{"a":5}`, `{"a":null}`, `{"a":["x","y"]}`}, []string{`{"a":"x"}`, `{"a":["x"]}`, `{}`, `{"a":[]}`}},
		{"numbers numerically", `{"a":[{"anything-but":[100,500]}]}`, []string{`{"a":100.5}`, `{"a":"100"}`}, []string{`{"a":100.0}`, `{"a":5e2}`}},
		{"prefix list", `{"a":[{"anything-but":{"prefix":["x","y"]}}]}`, []string{`{"a":"zx"}`}, []string{`{"a":"xa"}`, `{"a":"ya"}`}},
		{"suffix", `{"a":[{"anything-but":{"suffix":"ing"}}]}`, []string{`{"a":"ingx"}`}, []string{`{"a":"running"}`}},
		{"ignore case", `{"a":[{"anything-but":{"equals-ignore-case":["Stopped","X"]}}]}`, []string{`{"a":"running"}`}, []string{`{"a":"STOPPED"}`, `{"a":"x"}`}},
		{"wildcard", `{"a":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, []string{`{"a":"/usr/bin/ls"}`}, []string{`{"a":"/usr/lib/x"}`}},
	})
}

func TestNumericAndCIDR(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"range", `{"a":[{"numeric":[">",0,"<=",5]}]}`, []string{`{"a":5}`, `{"a":0.1}`, `{"a":[9,3]}`}, []string{`{"a":0}`, `{"a":5.0001}`, `{"a":"3"}`, `{"a":true}`}},
		{"equals", `{"a":[{"numeric":["=",3.018e2]}]}`, []string{`{"a":301.8}`}, []string{`{"a":301.81}`}},
		{"less than", `{"a":[{"numeric":["<",-1]}]}`, []string{`{"a":-1.5}`, `{"a":-1e300}`}, []string{`{"a":-1}`, `{"a":1e400}`}},
		{"cidr v4", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, []string{`{"ip":"10.255.0.1"}`}, []string{`{"ip":"11.0.0.1"}`, `{"ip":"::ffff:10.0.0.1"}`, `{"ip":167772161}`}},
		{"cidr v6", `{"ip":[{"cidr":"2001:db8::/32"}]}`, []string{`{"ip":"2001:db8:1::1"}`, `{"ip":"2001:DB8::"}`}, []string{`{"ip":"2001:db9::1"}`, `{"ip":"10.0.0.1"}`}},
		{"cidr host", `{"ip":[{"cidr":"192.0.2.7/32"}]}`, []string{`{"ip":"192.0.2.7"}`}, []string{`{"ip":"192.0.2.8"}`}},
	})
}

// TestManyRanges exercises the cell index used when a path has many ranges.
func TestManyRanges(t *testing.T) {
	m := NewMatcher()
	for i := 0; i < 20; i++ {
		src := `{"a":[{"numeric":[">=",` + strconv.Itoa(i) + `,"<",` + strconv.Itoa(i+2) + `]}]}`
		p, err := Compile([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		m.Add("r"+strconv.Itoa(100+i), p)
	}
	for _, tc := range []struct {
		ev   string
		want string
	}{
		{`{"a":5}`, "r104 r105"}, {`{"a":5.5}`, "r104 r105"}, {`{"a":0}`, "r100"},
		{`{"a":-1}`, ""}, {`{"a":20.5}`, "r119"}, {`{"a":21}`, ""},
	} {
		got, err := m.Match([]byte(tc.ev))
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("%s: got %v, %v; want %q", tc.ev, got, err, tc.want)
		}
	}
}
