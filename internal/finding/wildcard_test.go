package finding

import (
	"strings"
	"testing"
)

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abcd", false}, // anchored at both ends
		{"abc", "xabc", false},
		{"ABC", "abc", false}, // case-sensitive, like equals
		{"*", "", true},
		{"*", "anything", true},
		{"?", "", false},
		{"?", "a", true},
		{"?", "é", true}, // one character, not one byte
		{"??", "é", false},
		{"nginx:*", "nginx:1.27", true},
		{"nginx:*", "nginx", false},
		{"*/bin/*", "/usr/bin/curl", true},
		{"*/bin/*", "/usr/sbin/curl", false},
		{"*.example.com", "c2.example.com", true},
		{"*.example.com", "example.com", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"a*b", "abab", true}, // star must backtrack past the first b
		{"*a*a*a*", "aaa", true},
		{"*a*a*a*", "aa", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*?", "", false},
		{"*?", "x", true},
		{"**", "", true},
		{"gr*ß", "grüß", true},
		{"x", "\xff", false},
		{"?", "\xff", true}, // invalid UTF-8 still counts as one character
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

// A pathological pattern must stay polynomial: exponential backtracking
// would stall the pipeline on one user-written rule.
func TestWildcardMatchPathological(t *testing.T) {
	pattern := strings.Repeat("*a", 200) + "b"
	s := strings.Repeat("a", 5000)
	if wildcardMatch(pattern, s) {
		t.Fatal("matched")
	}
}
