package pattern

import "fmt"

// PatternError reports why a pattern is invalid. Path is the dotted JSON path
// of the offending member ("detail.severity", "$or[1].source"), empty for
// problems with the pattern as a whole. Callers that emulate the EventBridge
// API map it to InvalidEventPatternException.
type PatternError struct {
	Path   string
	Reason string
}

func (e *PatternError) Error() string {
	if e.Path == "" {
		return "event pattern: " + e.Reason
	}
	return e.Path + ": " + e.Reason
}

// errAt builds a PatternError for the member at path.
func errAt(path, format string, args ...any) *PatternError {
	return &PatternError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// EventError reports an event that is not a valid JSON object.
type EventError struct {
	Offset int
	Reason string
}

func (e *EventError) Error() string {
	return fmt.Sprintf("event: invalid JSON at offset %d: %s", e.Offset, e.Reason)
}
