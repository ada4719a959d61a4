package wire

import (
	"errors"
	"fmt"
)

// FieldError says which field of a message is invalid and why. Path is
// dotted with indexes, e.g. "events[3].connect.remote", so an operator can
// find the offending value in the agent's output.
type FieldError struct {
	Path   string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return e.Path + ": " + e.Reason
}

func fieldErr(path, format string, args ...any) *FieldError {
	return &FieldError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// Under returns err with prefix prepended to its path when it is a
// *FieldError, and err unchanged otherwise.
func Under(prefix string, err error) error {
	var fe *FieldError
	if err == nil || prefix == "" || !errors.As(err, &fe) {
		return err
	}
	if fe.Path == "" {
		return &FieldError{Path: prefix, Reason: fe.Reason}
	}
	return &FieldError{Path: prefix + "." + fe.Path, Reason: fe.Reason}
}

// join builds a child path: join("process", "args[2]").
func join(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}
