package agent

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/wire"
)

// taskMetadata is the v4 task metadata response (abridged from the AWS
// documentation's example) that an ECS task sidecar reads at start.
const taskMetadata = `{
  "Cluster": "arn:aws:ecs:us-west-2:111122223333:cluster/default",
  "TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c",
  "Family": "curltest",
  "Revision": "26",
  "DesiredStatus": "RUNNING",
  "KnownStatus": "RUNNING",
  "LaunchType": "FARGATE",
  "Containers": []
}`

func TestIdentityAsECSTaskSidecar(t *testing.T) {
	const taskARN = "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c"
	// On Fargate "Cluster" is an ARN; on EC2 it is often the short name.
	for name, body := range map[string]string{
		"fargate": taskMetadata,
		"ec2":     strings.Replace(taskMetadata, `"arn:aws:ecs:us-west-2:111122223333:cluster/default"`, `"default"`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			id, err := identify(ecsConfig(t, body))
			if err != nil {
				t.Fatal(err)
			}
			if id.Kind != "ecs-task" || id.ECSTaskARN != taskARN || id.ECSClusterARN != "arn:aws:ecs:us-west-2:111122223333:cluster/default" {
				t.Fatalf("identity %+v", id)
			}
			info := id.agentInfo("1.2.3")
			if err := wire.ValidateAgentInfo(info); err != nil || info.Kind != "ecs-task" || info.Version != "1.2.3" || info.ID != id.ID {
				t.Fatalf("agent info %+v: %v", info, err)
			}
		})
	}
}

// ecsConfig is an agent configuration whose task metadata endpoint answers
// GET /task with body.
func ecsConfig(t *testing.T, body string) Config {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/task" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	cfg := Config{StateDir: t.TempDir()}
	cfg.Container.ECSMetadataURI = srv.URL
	return cfg
}

func TestIdentityKeepsItsID(t *testing.T) {
	dir := t.TempDir()
	a, err := identify(Config{StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b, err := identify(Config{StateDir: dir})
	if err != nil || a.ID != b.ID || a.Kind != "host" || a.InstanceID == "" {
		t.Fatalf("ids %q %q (%v), identity %+v", a.ID, b.ID, err, a)
	}
	os.WriteFile(filepath.Join(dir, "agent.id"), []byte("bad id!\n"), 0o600)
	if _, err := identify(Config{StateDir: dir}); err == nil {
		t.Fatal("a corrupt agent.id is accepted")
	}
	if _, err := identify(Config{ID: "../x"}); err == nil {
		t.Fatal("a bad configured id is accepted")
	}
}

func TestECSMetadataErrors(t *testing.T) {
	for name, body := range map[string]string{
		"no task ARN": `{"Cluster": "default"}`,
		"no cluster":  `{"TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/default/1"}`,
		"not JSON":    `<html>`,
	} {
		if _, err := identify(ecsConfig(t, body)); err == nil {
			t.Errorf("%s: metadata accepted", name)
		}
	}
}
