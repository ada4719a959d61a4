package container

import (
	"strings"
	"testing"
)

func TestParseProcCgroup(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"hybrid", "9:name=systemd:/\n4:memory:/x/y\n0::/docker/abc\n", "/docker/abc", true},
		{"v2", "0::/system.slice/docker-abc.scope\n", "/system.slice/docker-abc.scope", true},
		{"root", "0::/\n", "/", true},
		{"v1 only", "4:memory:/docker/abc\n1:cpu:/docker/abc\n", "", false},
		{"colon in path", "0::/a:b\n", "/a:b", true},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseProcCgroup([]byte(tt.in))
			if got != tt.want || ok != tt.ok {
				t.Fatalf("got %q,%v want %q,%v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParseProcCgroup(f *testing.F) {
	f.Add([]byte("9:name=systemd:/\n0::/docker/abc\n"))
	f.Add([]byte("0::\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ok := ParseProcCgroup(data)
		if ok && !strings.HasPrefix(p, "/") {
			t.Fatalf("path %q does not start with /", p)
		}
		if ok && !strings.Contains(string(data), "0::"+p) {
			t.Fatalf("path %q not in input", p)
		}
	})
}
