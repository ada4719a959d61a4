package finding

import (
	"testing"

	"github.com/vigilsec/vigil/internal/event"
)

func TestResourceFor(t *testing.T) {
	origin := testOrigin
	origin.EKSClusterName = "shop-prod"
	plain := &event.Container{ID: "c0ffee0123456789abcdef", Runtime: "runc", Name: "", Image: "busybox"}
	pod := &event.Container{ID: "p1", PodName: "web-1", PodNamespace: "shop", PodUID: "u1", Image: "ghcr.io/acme/web:2"}
	cases := []struct {
		name     string
		c        *event.Container
		typ, key string
		title    string
	}{
		{"host", nil, ResourceInstance, "Instance:i-0abc1234def567890", "EC2 instance i-0abc1234def567890"},
		{"ecs", ecsContainer(), ResourceECSCluster,
			"ECSCluster:arn:aws:ecs:eu-west-1:111122223333:task/payments-prod/0f1e2d3c4b5a49788796a5b4c3d2e1f0",
			"ECS task 0f1e2d3c4b5a49788796a5b4c3d2e1f0"},
		{"pod", pod, ResourceEKSCluster, "EKSCluster:shop-prod/shop/web-1", "pod shop/web-1 of EKS cluster shop-prod"},
		{"container", plain, ResourceContainer, "Container:c0ffee0123456789abcdef", "container c0ffee012345"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ResourceFor(origin, c.c)
			if r.ResourceType != c.typ {
				t.Errorf("resourceType = %s, want %s", r.ResourceType, c.typ)
			}
			if k := ResourceKey(r); k != c.key {
				t.Errorf("ResourceKey = %q, want %q", k, c.key)
			}
			if d := describeResource(r); d != c.title {
				t.Errorf("describeResource = %q, want %q", d, c.title)
			}
		})
	}
}

func TestResourceForDetails(t *testing.T) {
	r := ResourceFor(testOrigin, ecsContainer())
	td := r.ECSClusterDetails.TaskDetails
	if r.ECSClusterDetails.Name != "payments-prod" {
		t.Errorf("cluster name = %q", r.ECSClusterDetails.Name)
	}
	if td.DefinitionARN != "arn:aws:ecs:eu-west-1:111122223333:task-definition/payments-api:42" {
		t.Errorf("definitionArn = %q", td.DefinitionARN)
	}
	if td.Group != "service:payments-api" || len(td.Containers) != 1 {
		t.Errorf("group %q containers %d", td.Group, len(td.Containers))
	}
	if p := td.Containers[0].ImagePrefix; p != "123456789012.dkr.ecr.eu-west-1.amazonaws.com" {
		t.Errorf("imagePrefix = %q", p)
	}
	host := testOrigin
	host.InstanceID = ""
	if id := ResourceFor(host, nil).InstanceDetails.InstanceID; id != "node-1" {
		t.Errorf("instance without EC2 id should use hostname, got %q", id)
	}
	eks := ResourceFor(Origin{AccountID: "1", Region: "r", EKSClusterName: "c"}, &event.Container{PodName: "p"})
	if eks.EKSClusterDetails.ARN != "arn:aws:eks:r:1:cluster/c" {
		t.Errorf("eks arn = %q", eks.EKSClusterDetails.ARN)
	}
}

func TestImagePrefix(t *testing.T) {
	for in, want := range map[string]string{
		"nginx:1.27":                       "",
		"ghcr.io/acme/web:2":               "ghcr.io/acme",
		"localhost:5000/web":               "localhost:5000",
		"acme/web@sha256:0123456789abcdef": "acme",
		"":                                 "",
	} {
		if got := ImagePrefix(in); got != want {
			t.Errorf("ImagePrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProcessDetailsForEmptyLineage(t *testing.T) {
	pd := ProcessDetailsFor(event.Process{Name: "x"}, nil)
	if pd.Lineage == nil {
		t.Error("lineage must be an empty array, not null")
	}
	if !pd.StartTime.IsZero() {
		t.Error("unknown start time must stay unknown")
	}
}
