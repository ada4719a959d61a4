package coverage

import (
	"sort"
	"sync"
	"time"
)

// Config identifies the deployment and sets the silence threshold.
type Config struct {
	AccountID      string
	DetectorID     string
	UnhealthyAfter time.Duration
}

// Change is a resource whose status (or issue) changed. Prev is "" for a
// resource seen for the first time; only Prev != "" && Prev != Next is a
// status transition that GuardDuty announces with a health event.
type Change struct {
	Prev     string
	Resource Resource
}

// Transition reports whether the change is a HEALTHY↔UNHEALTHY transition.
func (c Change) Transition() bool {
	return c.Prev != "" && c.Prev != c.Resource.CoverageStatus
}

type entry struct {
	agent    Agent
	lastSeen time.Time
	res      Resource
}

// Tracker is the pure health state machine: it is told when agents report
// and asked to sweep; it returns changes for the caller to persist and
// announce. Safe for concurrent use.
type Tracker struct {
	cfg Config
	mu  sync.Mutex
	m   map[string]*entry // by resource id
}

// NewTracker returns an empty tracker.
func NewTracker(cfg Config) *Tracker {
	return &Tracker{cfg: cfg, m: make(map[string]*entry)}
}

// Restore loads resources persisted before a restart, recovering each
// agent from its resource. Their agents count as seen at now, so an agent
// that never comes back turns UNHEALTHY after the threshold, not at once.
func (t *Tracker) Restore(rs []Resource, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range rs {
		t.m[r.ResourceID] = &entry{agent: agentFromResource(r), lastSeen: now, res: r}
	}
}

// Seen records that agent a reported at now; sensorErr is non-empty when
// its sensor is not attached. It returns a change when the resource is new
// or its status or issue changed.
func (t *Tracker) Seen(a Agent, now time.Time, sensorOK bool, sensorErr string) (Change, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := ResourceID(a)
	e, ok := t.m[id]
	if !ok {
		e = &entry{}
		t.m[id] = e
	}
	e.agent, e.lastSeen = a, now
	status, issue := Healthy, ""
	if !sensorOK {
		status, issue = Unhealthy, issueSensor(sensorErr)
	}
	return t.set(e, status, issue, now, ok)
}

// Sweep turns resources whose agent has been silent longer than the
// threshold UNHEALTHY and returns those changes, ordered by resource id.
func (t *Tracker) Sweep(now time.Time) []Change {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Change
	for _, e := range t.m {
		if e.res.CoverageStatus == Unhealthy || now.Sub(e.lastSeen) <= t.cfg.UnhealthyAfter {
			continue
		}
		if c, ok := t.set(e, Unhealthy, issueNotReporting(e.agent), now, true); ok {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Resource.ResourceID < out[j].Resource.ResourceID })
	return out
}

func (t *Tracker) set(e *entry, status, issue string, now time.Time, existed bool) (Change, bool) {
	prev := e.res.CoverageStatus
	if existed && prev == status && e.res.Issue == issue && e.res.ResourceID != "" {
		return Change{}, false
	}
	e.res = newResource(e.agent, t.cfg.AccountID, t.cfg.DetectorID, status, issue, now)
	if !existed {
		prev = ""
	}
	return Change{Prev: prev, Resource: e.res}, true
}

// agentFromResource recovers what coverage needs of an agent from its
// persisted resource, so a restored ECS task is still reported as one.
func agentFromResource(r Resource) Agent {
	a := Agent{ID: r.AgentID, InstanceID: r.ResourceID}
	if d := r.ResourceDetails.EC2InstanceDetails; d != nil {
		a.Kind, a.Version, a.InstanceType, a.ECSClusterARN = "host", d.AgentDetails.Version, d.InstanceType, d.ClusterARN
	}
	if d := r.ResourceDetails.ECSClusterDetails; d != nil {
		a = Agent{ID: r.AgentID, Kind: "ecs-task", ECSTaskARN: r.ResourceID, ECSClusterARN: d.ClusterName}
	}
	return a
}
