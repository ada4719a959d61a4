package agent

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/task" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(taskMetadata))
	}))
	defer srv.Close()
	cfg := Config{StateDir: t.TempDir()}
	cfg.Container.ECSMetadataURI = srv.URL
	id, err := identify(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if id.Kind != "ecs-task" || id.ECSTaskARN != "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c" ||
		id.ECSClusterARN != "arn:aws:ecs:us-west-2:111122223333:cluster/default" {
		t.Fatalf("identity %+v", id)
	}
	info := id.agentInfo("1.2.3")
	if info.Kind != "ecs-task" || info.Version != "1.2.3" || info.ID != id.ID {
		t.Fatalf("agent info %+v", info)
	}
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"Cluster": ""}`))
	}))
	defer srv.Close()
	cfg := Config{StateDir: t.TempDir()}
	cfg.Container.ECSMetadataURI = srv.URL
	if _, err := identify(cfg); err == nil {
		t.Fatal("metadata without a task ARN is accepted")
	}
}
