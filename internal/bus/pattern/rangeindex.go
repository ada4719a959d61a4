package pattern

import (
	"slices"
	"sort"
)

// rangeEdge leads to state to when a number lies in r.
type rangeEdge struct {
	r  numRange
	to int32
}

// rangeIndex answers "which ranges contain x". Few ranges are scanned; many
// are cut at their bounds into cells (each bound is a cell, and so is each
// open interval between neighbouring bounds) and every cell lists the
// states of the ranges covering it, so a lookup is one binary search.
type rangeIndex struct {
	edges  []rangeEdge
	bounds []float64
	cells  [][]int32
}

const rangeScanMax = 8

func (ix *rangeIndex) add(r numRange, to int32) {
	ix.edges = append(ix.edges, rangeEdge{r, to})
}

// freeze builds the cell table once all ranges are known.
func (ix *rangeIndex) freeze() {
	if len(ix.edges) <= rangeScanMax {
		return
	}
	for _, e := range ix.edges {
		ix.bounds = append(ix.bounds, e.r.lo, e.r.hi)
	}
	slices.Sort(ix.bounds)
	ix.bounds = slices.Compact(ix.bounds)
	ix.cells = make([][]int32, 2*len(ix.bounds)+1)
	for _, e := range ix.edges {
		first, last := ix.cell(e.r.lo), ix.cell(e.r.hi)
		for c := first; c <= last; c++ {
			if ix.covers(e.r, c) {
				ix.cells[c] = append(ix.cells[c], e.to)
			}
		}
	}
}

// cell returns the cell holding x: 2i+1 for bounds[i], 2i for the open
// interval just below bounds[i].
func (ix *rangeIndex) cell(x float64) int {
	i := sort.SearchFloat64s(ix.bounds, x)
	if i < len(ix.bounds) && ix.bounds[i] == x {
		return 2*i + 1
	}
	return 2 * i
}

// covers reports whether r contains all of cell c. An open cell holds no
// bound, so r covers it when r reaches both neighbouring bounds; the outer
// cells are covered only by ranges unbounded on that side.
func (ix *rangeIndex) covers(r numRange, c int) bool {
	if c%2 == 1 {
		return r.contains(ix.bounds[c/2])
	}
	i := c / 2
	loOK := r.lo < ix.bounds[0] // r.lo == -Inf when it is below every bound
	if i > 0 {
		loOK = r.lo <= ix.bounds[i-1]
	}
	hiOK := r.hi > ix.bounds[len(ix.bounds)-1]
	if i < len(ix.bounds) {
		hiOK = r.hi >= ix.bounds[i]
	}
	return loOK && hiOK
}

func (ix *rangeIndex) collect(x float64, out []int32) []int32 {
	if ix.cells == nil {
		for _, e := range ix.edges {
			if e.r.contains(x) {
				out = append(out, e.to)
			}
		}
		return out
	}
	return append(out, ix.cells[ix.cell(x)]...)
}
