package pattern

import "strings"

// Paths are lists of object keys. Internally a path is one string: keys
// joined by pathSep. Keys are kept as segments (not joined with "."), so
// {"a.b": ...} and {"a": {"b": ...}} stay different, unlike event-ruler's
// documented quirk (spec §3.9). The rare keys containing pathSep or
// escByte are escaped so that the encoding stays injective.
const (
	pathSep = "\x00"
	escByte = '\x01'
)

// encodeKey returns the segment form of an object key.
func encodeKey(k string) string {
	// One pass over the (short) key instead of two IndexByte calls: this
	// runs for every key of every object MatchJSON walks.
	plain := true
	for i := 0; i < len(k) && plain; i++ {
		plain = k[i] > escByte
	}
	if plain {
		return k
	}
	r := strings.NewReplacer("\x01", "\x01\x01", "\x00", "\x01\x02")
	return r.Replace(k)
}

// joinPath appends key k to the encoded path parent; root says that
// parent is the top level (distinct from a path made of the key "").
func joinPath(parent string, root bool, k string) string {
	if root {
		return encodeKey(k)
	}
	return parent + pathSep + encodeKey(k)
}
