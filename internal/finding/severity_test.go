package finding

import "testing"

func TestSeverityLabel(t *testing.T) {
	for s, want := range map[float64]string{10: "CRITICAL", 9: "CRITICAL", 8.9: "HIGH", 7: "HIGH", 6.9: "MEDIUM", 4: "MEDIUM", 3.9: "LOW", 2: "LOW", 0: "LOW"} {
		if got := SeverityLabel(s); got != want {
			t.Errorf("SeverityLabel(%v) = %s, want %s", s, got, want)
		}
	}
}
