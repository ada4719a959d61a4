package ingest

import (
	"context"
	"sync"
)

// registry tracks the one live stream per agent id and, per agent, the
// highest batch seq accepted through this server. The in-memory seq covers
// handlers that lag behind (or do not persist); the handler's value covers
// server restarts; the larger of the two wins.
type registry struct {
	mu     sync.Mutex
	active map[string]*slot
	last   map[string]uint64
}

// slot is one stream's claim on an agent id. kick asks it to end; done is
// closed once it has ended and every stream it replaced has ended too, so
// that the next stream's Hello sees all their effects.
type slot struct {
	id       string
	prev     *slot
	kick     chan struct{}
	kickOnce sync.Once
	done     chan struct{}
}

func newRegistry() *registry {
	return &registry{active: map[string]*slot{}, last: map[string]uint64{}}
}

// claim makes a new stream the agent's current one, asks the previous one
// to end and waits until it has. The returned slot must be released, even
// with an error.
func (r *registry) claim(ctx context.Context, id string) (*slot, error) {
	me := &slot{id: id, kick: make(chan struct{}), done: make(chan struct{})}
	r.mu.Lock()
	me.prev = r.active[id]
	r.active[id] = me
	r.mu.Unlock()
	if me.prev == nil {
		return me, nil
	}
	me.prev.stop()
	select {
	case <-me.prev.done:
		return me, nil
	case <-me.kick:
		return me, errReplaced
	case <-ctx.Done():
		return me, ctx.Err()
	}
}

func (s *slot) stop() { s.kickOnce.Do(func() { close(s.kick) }) }

// release ends a claim. It waits for the replaced stream first, which was
// told to stop and ends as soon as its current handler call returns.
func (r *registry) release(me *slot) {
	if me.prev != nil {
		<-me.prev.done
		me.prev = nil // let the chain be collected
	}
	r.mu.Lock()
	if r.active[me.id] == me {
		delete(r.active, me.id)
	}
	r.mu.Unlock()
	close(me.done)
}

// seed merges the handler's persisted seq with the in-memory one.
func (r *registry) seed(id string, fromHandler uint64) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fromHandler > r.last[id] {
		r.last[id] = fromHandler
	}
	return r.last[id]
}

func (r *registry) accepted(id string, seq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq > r.last[id] {
		r.last[id] = seq
	}
}
