package runctest

import (
	"testing"

	"github.com/vigilsec/vigil/internal/buildtest"
)

// ProbeBinary builds cmd probe (./probe) as a static binary once per test
// process and returns its path, to be put into a container with Spec.Files.
func ProbeBinary(t testing.TB) string {
	return buildtest.Binary(t, "github.com/vigilsec/vigil/internal/runctest/probe", "CGO_ENABLED=0")
}
