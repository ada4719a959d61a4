package container

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/polltest"
)

const (
	curlID  = "ee08638adaaf009d78c248913f629e38299471d45fe7dc944d1039077e3424ca"
	taskARN = "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c"
)

func TestParseECSTask(t *testing.T) {
	data, err := os.ReadFile("testdata/ecs-task-v4-ec2.json")
	if err != nil {
		t.Fatal(err)
	}
	_, byID, err := parseECSTask(data)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := byID[curlID]
	if !ok || len(byID) != 2 {
		t.Fatalf("containers %v", byID)
	}
	if c.Name != "curl" || c.Image != "111122223333.dkr.ecr.us-west-2.amazonaws.com/curltest:latest" ||
		c.ImageID != "sha256:d691691e9652791a60114e67b365688d20d19940dde7c4736ea30e660d8d3553" {
		t.Errorf("container %+v", c)
	}
	want := event.ECSTask{
		ClusterARN: "arn:aws:ecs:us-west-2:111122223333:cluster/default", TaskARN: taskARN,
		Family: "curltest", Revision: "26", LaunchType: "EC2", ServiceName: "MyService",
		CreatedAt: time.Date(2020, 10, 2, 0, 43, 5, 602352471, time.UTC),
		StartedAt: time.Date(2020, 10, 2, 0, 43, 6, 76707576, time.UTC),
	}
	if *c.Task != want {
		t.Errorf("task\n got %+v\nwant %+v", *c.Task, want)
	}
	if _, _, err := parseECSTask([]byte(`{"Cluster":"x"}`)); err == nil {
		t.Error("a response without TaskARN parsed")
	}
	if got := clusterARN("arn:aws:ecs:us-east-1:1:cluster/prod", taskARN); got != "arn:aws:ecs:us-east-1:1:cluster/prod" {
		t.Errorf("cluster ARN kept as is: %s", got)
	}
}

// TestLookupECSMetadataInBackground serves the task metadata slowly and
// checks that Lookup answers at once (without it) and that the metadata
// appears on later lookups once fetched.
func TestLookupECSMetadataInBackground(t *testing.T) {
	fixture, err := os.ReadFile("testdata/ecs-task-v4-ec2.json")
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v4/abc/task" {
			http.NotFound(w, r)
			return
		}
		<-release
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fixture)
	}))
	defer srv.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	root := t.TempDir()
	id := mkCgroup(t, root, "/ecs/158d1c8083dd49d6b527399fd6414f5c/"+curlID)
	r, err := NewResolver(Config{CgroupRoot: root, RuncRoots: []string{}, ECSMetadataURI: srv.URL + "/v4/abc",
		RescanInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	c := r.Lookup(event.Process{CgroupID: id})
	if c == nil || c.ID != curlID || c.Runtime != "docker" || c.ECS != nil {
		t.Fatalf("first lookup %+v, want docker %s without ECS metadata yet", c, curlID)
	}
	if d := time.Since(begin); d > time.Second {
		t.Fatalf("Lookup waited %v for the metadata endpoint", d)
	}
	close(release)
	polltest.Until(t, 10*time.Second, "ECS metadata on the container", func() bool {
		c = r.Lookup(event.Process{CgroupID: id})
		return c.ECS != nil
	})
	if c.Name != "curl" || c.ImageID == "" || c.ECS.TaskARN != taskARN || c.ECS.LaunchType != "EC2" {
		t.Fatalf("enriched container %+v / %+v", c, c.ECS)
	}
}

// mkCgroup makes a directory standing for a cgroup under a fake cgroup root
// and returns its inode, the cgroup id.
func mkCgroup(t *testing.T, root, rel string) uint64 {
	t.Helper()
	dir := filepath.Join(root, rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}
