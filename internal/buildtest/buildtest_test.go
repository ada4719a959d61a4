package buildtest

import (
	"os/exec"
	"strings"
	"testing"
)

func TestBinaryBuildsOnceAndRuns(t *testing.T) {
	a := Binary(t, "github.com/vigilsec/vigil/cmd/vigil")
	if b := Binary(t, "github.com/vigilsec/vigil/cmd/vigil"); a != b {
		t.Fatalf("second call built again: %s, %s", a, b)
	}
	out, err := exec.Command(a, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "vigil ") {
		t.Fatalf("vigil version: %q %v", out, err)
	}
}
