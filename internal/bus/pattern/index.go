package pattern

import "unsafe"

// finish turns the arena into one string, gives every field its path and
// folded value, and chains the fields of each path for lookup.
//
// The arena becomes a string without a copy: it belongs to fl alone and is
// never written after this point, so the view is immutable, and copying
// it would double what Flatten allocates for paths.
func (fl *flattener) finish() {
	arena := unsafe.String(unsafe.SliceData(fl.arena), len(fl.arena))
	ev := &fl.ev
	for i := range ev.fields {
		f, pd := &ev.fields[i], fl.pend[i]
		f.path = arena[pd.path.off : pd.path.off+pd.path.n]
		f.fold = f.str
		if pd.foldN >= 0 {
			f.fold = arena[pd.foldOff : pd.foldOff+pd.foldN]
		}
	}
	ev.heads = newPathTable(len(ev.fields))
	for i := len(ev.fields) - 1; i >= 0; i-- {
		f := &ev.fields[i]
		slot := ev.heads.slot(fl.pend[i].path.h)
		f.next = slot.head
		if slot.head >= 0 && ev.fields[slot.head].path != f.path {
			ev.indexByPath() // two paths share a hash: use the slow index
			return
		}
		slot.head = int32(i)
	}
}

// indexByPath chains fields by path string; used only after a collision
// of path hashes, which needs crafted keys or astronomic bad luck.
func (ev *Event) indexByPath() {
	ev.heads = pathTable{}
	ev.byPath = make(map[string]int32, len(ev.fields))
	for i := len(ev.fields) - 1; i >= 0; i-- {
		f := &ev.fields[i]
		f.next = -1
		if head, ok := ev.byPath[f.path]; ok {
			f.next = head
		}
		ev.byPath[f.path] = int32(i)
	}
}

// first returns the index of the first field at path (whose hash is h),
// or -1.
func (e *Event) first(path string, h uint64) int32 {
	if e.byPath != nil {
		if i, ok := e.byPath[path]; ok {
			return i
		}
		return -1
	}
	if i := e.heads.find(h); i >= 0 && e.fields[i].path == path {
		return i
	}
	return -1
}

// pathTable is an open-addressing hash table from path hash to the first
// field of that path. The keys are already hashes, so unlike a Go map it
// need not hash them again: a lookup is usually one probe.
type pathTable struct {
	slots []pathSlot
	mask  uint64
}

type pathSlot struct {
	h    uint64
	head int32 // -1: empty
}

func newPathTable(n int) pathTable {
	size := 8
	for size < 2*n {
		size *= 2
	}
	slots := make([]pathSlot, size)
	for i := range slots {
		slots[i].head = -1
	}
	return pathTable{slots: slots, mask: uint64(size - 1)}
}

// slot returns the slot for hash h, claiming an empty one if needed.
func (t *pathTable) slot(h uint64) *pathSlot {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.head < 0 {
			s.h = h
			return s
		}
		if s.h == h {
			return s
		}
	}
}

// find returns the head for hash h, or -1.
func (t *pathTable) find(h uint64) int32 {
	if len(t.slots) == 0 {
		return -1
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.head < 0 || s.h == h {
			return s.head
		}
	}
}
