package container

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// maxTaskBytes bounds the task metadata response (a few KiB in practice).
const maxTaskBytes = 4 << 20

// ecsContainer is one container of the task, as the metadata endpoint says.
type ecsContainer struct {
	Name, Image, ImageID string
	Task                 *event.ECSTask
}

// ecsTaskJSON is the part of the task metadata v4 response ($URI/task) used.
type ecsTaskJSON struct {
	Cluster     string
	TaskARN     string
	Family      string
	Revision    string
	ServiceName string
	LaunchType  string
	Containers  []struct {
		DockerId  string
		Name      string
		Image     string
		ImageID   string
		CreatedAt time.Time
		StartedAt time.Time
	}
}

// parseECSTask reads a v4 task response: the task, and its containers by
// (Docker) id.
func parseECSTask(data []byte) (*event.ECSTask, map[string]ecsContainer, error) {
	var raw ecsTaskJSON
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, fmt.Errorf("parsing ECS task metadata: %w", err)
	}
	if raw.TaskARN == "" {
		return nil, nil, fmt.Errorf("parsing ECS task metadata: no TaskARN")
	}
	task := &event.ECSTask{
		ClusterARN: clusterARN(raw.Cluster, raw.TaskARN), TaskARN: raw.TaskARN,
		Family: raw.Family, Revision: raw.Revision, LaunchType: raw.LaunchType,
		ServiceName: raw.ServiceName,
	}
	// The task has no creation or start time of its own in v4: the earliest
	// of its containers' is the best stand-in.
	for _, c := range raw.Containers {
		if !c.CreatedAt.IsZero() && (task.CreatedAt.IsZero() || c.CreatedAt.Before(task.CreatedAt)) {
			task.CreatedAt = c.CreatedAt.UTC()
		}
		if !c.StartedAt.IsZero() && (task.StartedAt.IsZero() || c.StartedAt.Before(task.StartedAt)) {
			task.StartedAt = c.StartedAt.UTC()
		}
	}
	out := map[string]ecsContainer{}
	for _, c := range raw.Containers {
		if c.DockerId != "" {
			out[c.DockerId] = ecsContainer{Name: c.Name, Image: c.Image, ImageID: c.ImageID, Task: task}
		}
	}
	return task, out, nil
}

// clusterARN returns the cluster's ARN: "Cluster" is an ARN on Fargate but
// often a short name on EC2, in which case it is built from the task ARN
// (arn:aws:ecs:<region>:<account>:task/<cluster>/<id>).
func clusterARN(cluster, taskARN string) string {
	if cluster == "" || strings.HasPrefix(cluster, "arn:") {
		return cluster
	}
	prefix, _, ok := strings.Cut(taskARN, ":task/")
	if !ok {
		return cluster
	}
	return prefix + ":cluster/" + cluster
}

// ecsMetadata caches the task metadata and refreshes it in the background:
// get never waits for the endpoint, a miss only schedules a fetch (at most
// one at a time, and not more often than minInterval).
type ecsMetadata struct {
	uri         string
	client      *http.Client
	minInterval time.Duration

	mu          sync.Mutex
	byID        map[string]ecsContainer
	fetching    bool
	lastFetch   time.Time
	lastErr     error
	fetchedOnce chan struct{} // closed after the first fetch, for tests
}

func newECSMetadata(uri string, minInterval time.Duration) *ecsMetadata {
	m := &ecsMetadata{
		uri: strings.TrimSuffix(uri, "/"), client: &http.Client{Timeout: 5 * time.Second},
		minInterval: minInterval, byID: map[string]ecsContainer{}, fetchedOnce: make(chan struct{}),
	}
	m.refresh()
	return m
}

// get returns the metadata of container id if known, scheduling a refresh
// when it is not (the container may be newer than the last fetch).
func (m *ecsMetadata) get(id string) (ecsContainer, bool) {
	m.mu.Lock()
	c, ok := m.byID[id]
	m.mu.Unlock()
	if !ok {
		m.refresh()
	}
	return c, ok
}

func (m *ecsMetadata) refresh() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fetching || (!m.lastFetch.IsZero() && time.Since(m.lastFetch) < m.minInterval) {
		return
	}
	m.fetching, m.lastFetch = true, time.Now()
	go m.fetch()
}

func (m *ecsMetadata) fetch() {
	byID, err := m.fetchTask()
	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil {
		m.byID = byID
	}
	m.lastErr = err
	if m.fetching && m.fetchedOnce != nil {
		select {
		case <-m.fetchedOnce:
		default:
			close(m.fetchedOnce)
		}
	}
	m.fetching = false
}

func (m *ecsMetadata) fetchTask() (map[string]ecsContainer, error) {
	data, err := getTask(m.client, m.uri)
	if err != nil {
		return nil, err
	}
	_, byID, err := parseECSTask(data)
	return byID, err
}

// FetchECSTask reads the task an ECS agent sidecar runs in from the task
// metadata endpoint v4 (uri is $ECS_CONTAINER_METADATA_URI_V4), with the
// cluster as an ARN even where ECS reports a short name.
func FetchECSTask(uri string, timeout time.Duration) (*event.ECSTask, error) {
	data, err := getTask(&http.Client{Timeout: timeout}, uri)
	if err != nil {
		return nil, err
	}
	task, _, err := parseECSTask(data)
	return task, err
}

func getTask(c *http.Client, uri string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri+"/task", nil)
	if err != nil {
		return nil, fmt.Errorf("ECS task metadata request: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching ECS task metadata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching ECS task metadata: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxTaskBytes))
	if err != nil {
		return nil, fmt.Errorf("reading ECS task metadata: %w", err)
	}
	return data, nil
}
