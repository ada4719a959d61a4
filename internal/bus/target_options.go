package bus

// validateTargetOptions checks what every target kind shares: Input,
// InputPath, InputTransformer, RetryPolicy and RateLimit.
func validateTargetOptions(t Target) error {
	return nil
}
