// Package pattern implements the EventBridge event-pattern language: it
// validates and compiles patterns, flattens events, and matches one pattern
// (Pattern) or many named patterns at once (Matcher).
//
// Semantics follow /shared/spec/event-patterns.md. Where AWS documentation
// and the engines behind EventBridge disagree, this package follows the
// engines (event-ruler, quamina):
//   - a bare number in a pattern matches numerically (300 matches 300.0);
//   - fields used by one match that lie in elements of the same event array
//     must come from the same element ("array consistency");
//   - anything-but never excludes a value of another JSON type.
//
// A Pattern compiles into a small automaton: the conditions of every
// alternative ($or branch) become a sequence of steps (path + value test),
// ordered most selective first, and steps shared by several patterns share
// automaton states. A Matcher merges the automata of all its patterns, so
// the work per event depends on the event and on the distinct conditions
// that it can satisfy, not on the number of patterns.
//
// An event can be matched two ways. Flatten parses all of it into an
// Event that any number of patterns and matchers can share (MatchFlat).
// Matcher.Match (MatchJSON) parses the bytes itself, guided by the keys of
// the paths that its patterns test: it records only those leaves, in
// pooled memory, and merely validates every other subtree, which makes it
// several times cheaper than Flatten when an event is matched once.
package pattern
