package pattern

import (
	"slices"
	"sync"
)

// automaton is the compiled form of one or many patterns: a trie of steps.
// Following a transition means "a field satisfies this step"; reaching a
// state with accept entries means those rules matched. Branches that start
// with the same steps share states, and a state's transitions are indexed
// by path and then by value, so the work per event is bounded by the
// transitions the event can take rather than by the number of rules.
type automaton struct {
	states  []state
	paths   []string // path id → encoded path
	hashes  []uint64 // path id → hashPath(path)
	keys    *keyTrie // the paths as a trie of keys, for MatchJSON
	nrules  int
	scratch sync.Pool // *scratch sized for this automaton
}

type state struct {
	accept []int32      // rules whose branch ends here
	edges  []pathEdge   // positive steps, one entry per path
	absent []absentEdge // exists:false steps
}

// pathEdge holds its index by value: one pointer fewer to chase per
// state, and with thousands of rules each chase is a likely cache miss.
type pathEdge struct {
	path int32
	vi   valueIndex
}

type absentEdge struct {
	path int32
	to   int32
}

// builder assembles an automaton; the maps are only needed while building.
type builder struct {
	a        *automaton
	pathIDs  map[string]int32
	children []map[string]int32 // per state: step key → next state
}

func newBuilder() *builder {
	b := &builder{a: &automaton{}, pathIDs: map[string]int32{}}
	b.newState()
	return b
}

func (b *builder) newState() int32 {
	b.a.states = append(b.a.states, state{})
	b.children = append(b.children, nil)
	return int32(len(b.a.states) - 1)
}

func (b *builder) pathID(p string) int32 {
	id, ok := b.pathIDs[p]
	if !ok {
		id = int32(len(b.a.paths))
		b.a.paths = append(b.a.paths, p)
		b.a.hashes = append(b.a.hashes, hashPath(p))
		b.pathIDs[p] = id
	}
	return id
}

// addRule inserts every branch of rule into the trie.
func (b *builder) addRule(rule int32, branches []branch) *builder {
	for _, br := range branches {
		s := int32(0)
		for _, st := range br {
			s = b.follow(s, st)
		}
		if acc := &b.a.states[s].accept; !slices.Contains(*acc, rule) {
			*acc = append(*acc, rule)
		}
	}
	return b
}

// follow returns the state reached from s by step st, creating it and its
// transitions when no earlier branch had the same step here.
func (b *builder) follow(s int32, st *step) int32 {
	if next, ok := b.children[s][st.key]; ok {
		return next
	}
	next := b.newState()
	if b.children[s] == nil {
		b.children[s] = map[string]int32{}
	}
	b.children[s][st.key] = next
	pid := b.pathID(st.path)
	if st.absent {
		b.a.states[s].absent = append(b.a.states[s].absent, absentEdge{pid, next})
		return next
	}
	vi := b.indexFor(s, pid)
	for _, m := range st.ms {
		vi.add(m, next)
	}
	return next
}

// indexFor returns the index of the edges of s through path pid; the
// pointer is valid until the next edge is added to s.
func (b *builder) indexFor(s, pid int32) *valueIndex {
	edges := &b.a.states[s].edges
	for i := range *edges {
		if (*edges)[i].path == pid {
			return &(*edges)[i].vi
		}
	}
	*edges = append(*edges, pathEdge{path: pid})
	return &(*edges)[len(*edges)-1].vi
}

// freeze finishes the indexes and returns the automaton for nrules rules.
func (b *builder) freeze(nrules int) *automaton {
	a := b.a
	a.nrules = nrules
	for i := range a.states {
		for j := range a.states[i].edges {
			a.states[i].edges[j].vi.freeze()
		}
	}
	a.keys = newKeyTrie(a.paths)
	npaths := len(a.paths)
	a.scratch.New = func() any { return newScratch(npaths, nrules) }
	return a
}
