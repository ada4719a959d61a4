package bus

import (
	"fmt"
	"math"
)

// Ranges of the per-target options. Retry ranges are EventBridge's
// (event-patterns.md §6.3); the rate-limit caps are vigil's, chosen so a
// typo cannot configure a limit no target could honour.
const (
	MaxRetryAttempts     = 185
	MinEventAgeSeconds   = 60
	MaxEventAgeSeconds   = 86400
	MaxRatePerSecond     = 10000
	MaxRateBurst         = 10000
	inputFieldInput      = "input"
	inputFieldInputPath  = "inputPath"
	retryFieldAttempts   = "retryPolicy.maximumRetryAttempts"
	retryFieldEventAge   = "retryPolicy.maximumEventAgeInSeconds"
	rateFieldPerSecond   = "rateLimit.perSecond"
	rateFieldBurst       = "rateLimit.burst"
	inputLengthErrFormat = "%s: %d characters, at most %d"
)

// validateTargetOptions checks what every target kind shares: Input,
// InputPath, InputTransformer, RetryPolicy and RateLimit. Errors start with
// the field's JSON name (inputTransformer.inputPathsMap.sev: …) so an API
// client can point at it.
func validateTargetOptions(t Target) error {
	if err := validateInputOptions(t); err != nil {
		return err
	}
	if p := t.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts < 0 || p.MaximumRetryAttempts > MaxRetryAttempts {
			return fmt.Errorf("%s: %d, want 0-%d (0: the deployment's default)", retryFieldAttempts, p.MaximumRetryAttempts, MaxRetryAttempts)
		}
		if a := p.MaximumEventAgeInSeconds; a != 0 && (a < MinEventAgeSeconds || a > MaxEventAgeSeconds) {
			return fmt.Errorf("%s: %d, want %d-%d (0: the deployment's default)", retryFieldEventAge, a, MinEventAgeSeconds, MaxEventAgeSeconds)
		}
	}
	if r := t.RateLimit; r != nil {
		// NaN fails every comparison, so test for the valid range.
		if !(r.PerSecond > 0 && r.PerSecond <= MaxRatePerSecond) || math.IsInf(r.PerSecond, 0) {
			return fmt.Errorf("%s: %v, want more than 0 and at most %d", rateFieldPerSecond, r.PerSecond, MaxRatePerSecond)
		}
		if r.Burst < 0 || r.Burst > MaxRateBurst {
			return fmt.Errorf("%s: %d, want 0-%d (0: one second's worth, at least 1)", rateFieldBurst, r.Burst, MaxRateBurst)
		}
	}
	return nil
}

// validateInputOptions checks Input, InputPath and InputTransformer the way
// PutTargets does, plus what EventBridge only finds out at delivery time
// (unparseable paths), so a rule that saves also delivers.
func validateInputOptions(t Target) error {
	if err := checkOneInputOption(t); err != nil {
		return err
	}
	if len(t.Input) > MaxInputLength {
		return fmt.Errorf(inputLengthErrFormat, inputFieldInput, len(t.Input), MaxInputLength)
	}
	if len(t.InputPath) > MaxInputPathLength {
		return fmt.Errorf(inputLengthErrFormat, inputFieldInputPath, len(t.InputPath), MaxInputPathLength)
	}
	// At most one option is set, so checking both lengths first reports the
	// same error as checking each option's length before compiling it.
	_, err := compileShaper(t)
	return err
}
