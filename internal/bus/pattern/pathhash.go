package pattern

// Event fields are found by a 64-bit FNV-1a hash of their encoded path:
// a map keyed by integers is several times faster than one keyed by long
// path strings, and the flattener computes the hash incrementally, key by
// key. A hit is confirmed by comparing the path itself; events whose own
// paths collide fall back to a map keyed by path strings (see Event).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashMore continues hash h over the bytes of s.
func hashMore(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// hashPath hashes a whole encoded path; it equals the incremental hash
// the flattener computes for the same path.
func hashPath(path string) uint64 { return hashMore(fnvOffset, path) }
