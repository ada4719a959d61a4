package store

// Error is a constant error type, so that sentinel errors can be constants
// rather than package variables.
type Error string

func (e Error) Error() string { return string(e) }

// ErrNotFound reports that the row an outbox operation names no longer
// exists. For Complete, Retry and DeadLetter this is expected after a lease
// expired and another worker finished the delivery; callers test for it with
// errors.Is and usually ignore it.
const ErrNotFound Error = "not found"

// ErrInvalid reports a value the store refuses to save (a finding without a
// parsable updatedAt, a payload that is not JSON, …). It is the caller's bug,
// never a transient condition, so retrying is pointless.
const ErrInvalid Error = "invalid"
