package agent

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigilsec/vigil/internal/container"
)

// Identity is who this agent is and what it covers.
type Identity struct {
	ID            string
	Kind          string // "host" or "ecs-task"
	Hostname      string
	InstanceID    string
	ECSClusterARN string
	ECSTaskARN    string
	KernelVersion string
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// identify settles the agent id (configured, or made once and kept in the
// state directory) and what it covers.
func identify(cfg Config) (Identity, error) {
	id := Identity{Kind: "host"}
	var err error
	if id.ID, err = agentID(cfg); err != nil {
		return id, err
	}
	id.Hostname, _ = os.Hostname()
	id.InstanceID = hostInstanceID(id.Hostname)
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		id.KernelVersion = unix.ByteSliceToString(u.Release[:])
	}
	if cfg.Container.ECSMetadataURI != "" {
		task, err := container.FetchECSTask(cfg.Container.ECSMetadataURI, 5*time.Second)
		if err == nil && task.ClusterARN == "" {
			err = errors.New("task metadata lacks Cluster")
		}
		if err != nil {
			return id, fmt.Errorf("reading ECS task metadata: %w", err)
		}
		id.Kind, id.ECSClusterARN, id.ECSTaskARN = "ecs-task", task.ClusterARN, task.TaskARN
	}
	return id, nil
}

func agentID(cfg Config) (string, error) {
	if cfg.ID != "" {
		if !idRE.MatchString(cfg.ID) {
			return "", fmt.Errorf("agent id %q: want 1-128 of [A-Za-z0-9._-]", cfg.ID)
		}
		return cfg.ID, nil
	}
	if cfg.StateDir == "" {
		return newID()
	}
	path := filepath.Join(cfg.StateDir, "agent.id")
	if b, err := os.ReadFile(path); err == nil {
		if id := strings.TrimSpace(string(b)); idRE.MatchString(id) {
			return id, nil
		}
		return "", fmt.Errorf("%s: not a valid agent id", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading agent id: %w", err)
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return "", fmt.Errorf("making agent state dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing agent id: %w", err)
	}
	return id, nil
}

func newID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making agent id: %w", err)
	}
	return fmt.Sprintf("agent-%x", b), nil
}

// hostInstanceID is the EC2 instance id when the host says so (DMI board
// asset tag, no network needed), else the hostname.
func hostInstanceID(hostname string) string {
	if b, err := os.ReadFile("/sys/devices/virtual/dmi/id/board_asset_tag"); err == nil {
		if tag := strings.TrimSpace(string(b)); strings.HasPrefix(tag, "i-") {
			return tag
		}
	}
	return hostname
}
