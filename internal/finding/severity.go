package finding

// SeverityLabel names a numeric severity by GuardDuty's bands
// (guardduty-runtime.md §8.1): 9–10 CRITICAL, 7–8.9 HIGH, 4–6.9 MEDIUM,
// below 4 LOW.
func SeverityLabel(s float64) string {
	switch {
	case s >= 9:
		return "CRITICAL"
	case s >= 7:
		return "HIGH"
	case s >= 4:
		return "MEDIUM"
	default:
		return "LOW"
	}
}
