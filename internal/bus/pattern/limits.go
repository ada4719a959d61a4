package pattern

// Limits enforced by EventBridge (spec §7). They are constants, not
// configuration, because a pattern accepted here must also be accepted by
// EventBridge and vice versa.
const (
	// MaxPatternChars is the API maximum for an event pattern (the default
	// account quota is 2048 and can be raised to this value); a self-hosted
	// bus accepts every pattern that some AWS account could use.
	MaxPatternChars = 4096
	// MaxOrCombinations bounds the product of the argument counts of all
	// $or arrays in one pattern (exactly 1000 is allowed).
	MaxOrCombinations = 1000
	// MaxEventDepth is the deepest nesting of objects and arrays in an
	// event that PutEvents processes.
	MaxEventDepth = 1000
	// maxBranches bounds the alternatives a pattern expands into once
	// value lists that mix {"exists":false} with other values are split;
	// it keeps compilation and matching bounded for hostile patterns.
	maxBranches = 4096
)
