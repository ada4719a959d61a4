package process

import (
	"regexp"
	"testing"
	"time"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUID(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 120_000_000, time.UTC)
	u := UUID("boot-a", 42, start)
	if !uuidRE.MatchString(u) {
		t.Fatalf("UUID %q is not an RFC 4122 version 5 UUID", u)
	}
	if again := UUID("boot-a", 42, start); again != u {
		t.Fatalf("not deterministic: %s vs %s", u, again)
	}
	// Sub-millisecond differences (clock precision) must not matter.
	if near := UUID("boot-a", 42, start.Add(300*time.Microsecond)); near != u {
		t.Fatalf("sub-millisecond difference changed the UUID")
	}
	for name, other := range map[string]string{
		"pid":   UUID("boot-a", 43, start),
		"start": UUID("boot-a", 42, start.Add(10*time.Millisecond)),
		"boot":  UUID("boot-b", 42, start),
	} {
		if other == u {
			t.Errorf("a different %s gave the same UUID", name)
		}
	}
}

// TestUUIDIsStable pins one value: a process UUID must not change between
// vigil versions, or findings and lineages would stop matching up.
func TestUUIDIsStable(t *testing.T) {
	got := UUID("4b1c5e0a-7f0e-4d3b-9a61-2f8e6c1d0a11", 4242, time.Date(2026, 6, 1, 10, 0, 0, 123456789, time.UTC))
	if want := "e9cd307e-759e-5805-8c44-dd550efb3eff"; got != want {
		t.Fatalf("UUID = %s, want %s", got, want)
	}
}
