package detect

import (
	"sync"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
)

// Engine runs every detector over the events of many agents. It is safe for
// concurrent use: events of different agents are evaluated in parallel,
// events of one agent one at a time (in the order callers deliver them), so
// that each agent's State sees a consistent sequence.
type Engine struct {
	detectors []Detector

	mu     sync.Mutex
	agents map[string]*agentState
}

type agentState struct {
	mu sync.Mutex
	st State
}

// NewEngine builds an engine running Registry(cfg).
func NewEngine(cfg Config) *Engine {
	return newEngine(Registry(cfg))
}

func newEngine(ds []Detector) *Engine {
	return &Engine{detectors: ds, agents: map[string]*agentState{}}
}

// Evaluate runs all detectors on ev, an event of agent agentID, and returns
// their observations in registry order.
func (e *Engine) Evaluate(agentID string, ev *event.Event) []finding.Observation {
	if ev == nil {
		return nil
	}
	a := e.agent(agentID)
	a.mu.Lock()
	defer a.mu.Unlock()
	return e.run(nil, ev, &a.st)
}

// EvaluateBatch runs all detectors on events, a batch of agent agentID in
// the order it sent them, and returns the observations Evaluate would
// return for each event in turn, concatenated. The agent is looked up once
// and its State locked once for the whole batch.
func (e *Engine) EvaluateBatch(agentID string, events []event.Event) []finding.Observation {
	if len(events) == 0 {
		return nil
	}
	a := e.agent(agentID)
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []finding.Observation
	for i := range events {
		out = e.run(out, &events[i], &a.st)
	}
	return out
}

// run appends the observations of every detector on ev, in registry order,
// to out. The caller holds the agent's lock.
func (e *Engine) run(out []finding.Observation, ev *event.Event, st *State) []finding.Observation {
	for _, d := range e.detectors {
		out = append(out, d.Evaluate(ev, st)...)
	}
	return out
}

func (e *Engine) agent(id string) *agentState {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.agents[id]
	if a == nil {
		a = &agentState{}
		e.agents[id] = a
	}
	return a
}

// Forget drops the state of an agent (it disconnected for good, or will
// send a fresh process snapshot on reconnect). An evaluation under way
// finishes on the old state.
func (e *Engine) Forget(agentID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.agents, agentID)
}

// Agents is the number of agents with state, for metrics.
func (e *Engine) Agents() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.agents)
}
