package api

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Code is a stable API error code. Clients match on it; messages may change.
type Code string

// The catalogue of every error the API returns.
const (
	CodeBadRequest    Code = "BadRequestException"          // 400: malformed or invalid input
	CodeBadPattern    Code = "InvalidEventPatternException" // 400: an event pattern that does not compile
	CodeUnauthorized  Code = "UnauthorizedException"        // 401: missing or wrong token
	CodeNotFound      Code = "NotFoundException"            // 404: no such finding, rule or route
	CodeMethod        Code = "MethodNotAllowedException"    // 405
	CodeTooLarge      Code = "PayloadTooLargeException"     // 413: body over the limit
	CodeUnavailable   Code = "ServiceUnavailableException"  // 503: not ready
	CodeInternalError Code = "InternalServerErrorException" // 500
)

var statusOf = map[Code]int{
	CodeBadRequest: 400, CodeBadPattern: 400, CodeUnauthorized: 401, CodeNotFound: 404, CodeMethod: 405,
	CodeTooLarge: 413, CodeUnavailable: 503, CodeInternalError: 500,
}

// Error is an API error: {"error":{"code":…,"message":…,"path":…}}.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Path names the offending input (a JSON path or parameter), if any.
	Path string `json:"path,omitempty"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf-style constructors.
func badRequest(path, msg string) *Error {
	return &Error{Code: CodeBadRequest, Message: msg, Path: path}
}
func notFound(msg string) *Error { return &Error{Code: CodeNotFound, Message: msg} }

// InvalidInput marks a backend error as the caller's fault (400).
type InvalidInput struct {
	Path string
	Err  error
}

func (e *InvalidInput) Error() string { return e.Err.Error() }
func (e *InvalidInput) Unwrap() error { return e.Err }

// writeError writes err as an API error; unknown errors become 500s with a
// generic message (details go to the log, not to the client).
func writeError(w http.ResponseWriter, err error) {
	var ae *Error
	var ii *InvalidInput
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &ii):
		ae = badRequest(ii.Path, ii.Err.Error())
	default:
		ae = &Error{Code: CodeInternalError, Message: "internal error"}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(statusOf[ae.Code])
	_ = json.NewEncoder(w).Encode(map[string]*Error{"error": ae})
}
