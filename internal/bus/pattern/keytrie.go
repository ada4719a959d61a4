package pattern

import "strings"

// keyTrie holds the object keys of every path that an automaton tests, so
// that MatchJSON can parse an event while recording only the leaves some
// pattern looks at and skipping every other subtree. Node 0 is the top
// level of the event.
type keyTrie struct {
	nodes []keyNode
}

type keyNode struct {
	path  int32            // automaton path id ending here, or -1
	kids  []keyKid         // few children: a linear scan beats hashing
	index map[string]int32 // many children: replaces the scan
}

type keyKid struct {
	key  string // encoded key (see encodeKey)
	node int32
}

// kidsScanMax is the most children searched by scanning; object keys are
// short, so comparing a handful is cheaper than hashing one.
const kidsScanMax = 8

// newKeyTrie builds the trie of the encoded paths; paths[i] gets id i.
func newKeyTrie(paths []string) *keyTrie {
	t := &keyTrie{nodes: []keyNode{{path: -1}}}
	for id, p := range paths {
		n := int32(0)
		for _, seg := range strings.Split(p, pathSep) {
			n = t.addChild(n, seg)
		}
		t.nodes[n].path = int32(id)
	}
	return t
}

func (t *keyTrie) addChild(n int32, key string) int32 {
	if c := t.child(n, key); c >= 0 {
		return c
	}
	c := int32(len(t.nodes))
	t.nodes = append(t.nodes, keyNode{path: -1})
	nd := &t.nodes[n]
	nd.kids = append(nd.kids, keyKid{key, c})
	if len(nd.kids) > kidsScanMax {
		if nd.index == nil {
			nd.index = make(map[string]int32, len(nd.kids))
			for _, k := range nd.kids {
				nd.index[k.key] = k.node
			}
		}
		nd.index[key] = c
	}
	return c
}

// child returns the node under n for encoded key, or -1.
func (t *keyTrie) child(n int32, key string) int32 {
	nd := &t.nodes[n]
	if nd.index != nil {
		if c, ok := nd.index[key]; ok {
			return c
		}
		return -1
	}
	for _, k := range nd.kids {
		if k.key == key {
			return k.node
		}
	}
	return -1
}
