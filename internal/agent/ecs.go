package agent

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ecsTask is the part of the ECS task metadata (v4, GET $URI/task) that
// identifies the task an agent sidecar covers.
type ecsTask struct {
	Cluster  string `json:"Cluster"`
	TaskARN  string `json:"TaskARN"`
	Family   string `json:"Family"`
	Revision string `json:"Revision"`
}

func fetchECSTask(uri string) (ecsTask, error) {
	var t ecsTask
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(uri + "/task")
	if err != nil {
		return t, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return t, fmt.Errorf("GET %s/task: %s", uri, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&t); err != nil {
		return t, fmt.Errorf("decoding task metadata: %w", err)
	}
	if t.TaskARN == "" || t.Cluster == "" {
		return t, fmt.Errorf("task metadata lacks TaskARN or Cluster")
	}
	return t, nil
}
