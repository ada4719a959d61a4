package finding

import (
	"strings"

	"github.com/vigilsec/vigil/internal/event"
)

// ResourceFor describes where activity happened, choosing the resource type
// GuardDuty would use: a container of an ECS task → ECSCluster (with
// taskDetails and the container); a container of a Kubernetes pod →
// EKSCluster with kubernetesDetails; any other container → Container; no
// container (the host itself) → Instance.
func ResourceFor(o Origin, c *event.Container) Resource {
	switch {
	case c == nil:
		return instanceResource(o)
	case c.ECS != nil:
		return ecsResource(o, c)
	case c.PodName != "" || c.PodUID != "":
		return eksResource(o, c)
	default:
		ctr := containerFor(c)
		return Resource{ResourceType: ResourceContainer, ContainerDetails: &ctr}
	}
}

func instanceResource(o Origin) Resource {
	id := o.InstanceID
	if id == "" {
		// A host without an EC2 id is still one resource: name it.
		id = o.Hostname
	}
	return Resource{
		ResourceType: ResourceInstance,
		InstanceDetails: &InstanceDetails{
			InstanceID:   id,
			InstanceType: o.InstanceType,
			ImageID:      o.ImageID,
			Tags:         []Tag{},
		},
	}
}

func ecsResource(o Origin, c *event.Container) Resource {
	t := c.ECS
	clusterARN := t.ClusterARN
	if clusterARN == "" {
		clusterARN = o.ECSClusterARN
	}
	group := ""
	if t.ServiceName != "" {
		group = "service:" + t.ServiceName
	}
	return Resource{
		ResourceType: ResourceECSCluster,
		ECSClusterDetails: &ECSClusterDetails{
			Name: lastSegment(clusterARN),
			ARN:  clusterARN,
			// A task is running in it, so the cluster is active; the
			// agent does not know the cluster-wide counts.
			Status: "ACTIVE",
			Tags:   []Tag{},
			TaskDetails: &ECSTaskDetails{
				ARN:           t.TaskARN,
				DefinitionARN: taskDefinitionARN(t),
				CreatedAt:     epochOrZero(t.CreatedAt),
				StartedAt:     epochOrZero(t.StartedAt),
				StartedBy:     t.StartedBy,
				Tags:          []Tag{},
				Volumes:       []Volume{},
				Containers:    []Container{containerFor(c)},
				Group:         group,
				LaunchType:    t.LaunchType,
			},
		},
	}
}

// taskDefinitionARN derives arn:…:task-definition/<family>:<revision> from
// the task ARN (same partition, region and account), since the task
// metadata endpoint gives family and revision but not the ARN.
func taskDefinitionARN(t *event.ECSTask) string {
	i := strings.Index(t.TaskARN, ":task/")
	if i < 0 || t.Family == "" {
		return ""
	}
	def := t.TaskARN[:i] + ":task-definition/" + t.Family
	if t.Revision != "" {
		def += ":" + t.Revision
	}
	return def
}

func eksResource(o Origin, c *event.Container) Resource {
	d := &EKSClusterDetails{Name: o.EKSClusterName, Tags: []Tag{}}
	if o.EKSClusterName != "" {
		d.ARN = o.eksClusterARN()
	}
	return Resource{
		ResourceType:      ResourceEKSCluster,
		EKSClusterDetails: d,
		KubernetesDetails: &KubernetesDetails{KubernetesWorkloadDetails: &KubernetesWorkloadDetails{
			Name:       c.PodName,
			Type:       "pods",
			UID:        c.PodUID,
			Namespace:  c.PodNamespace,
			Containers: []Container{containerFor(c)},
			Volumes:    []Volume{},
		}},
	}
}

func containerFor(c *event.Container) Container {
	return Container{
		ContainerRuntime: c.Runtime,
		ID:               c.ID,
		Name:             c.Name,
		Image:            c.Image,
		ImagePrefix:      ImagePrefix(c.Image),
		VolumeMounts:     []VolumeMount{},
	}
}

// ImagePrefix is the image name up to its last '/', or "" when there is
// none ("123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1" →
// "123456789012.dkr.ecr.us-east-1.amazonaws.com").
func ImagePrefix(image string) string {
	if at := strings.IndexByte(image, '@'); at >= 0 {
		image = image[:at] // a digest never holds '/', but be exact
	}
	i := strings.LastIndexByte(image, '/')
	if i < 0 {
		return ""
	}
	return image[:i]
}

// ResourceKey identifies the resource for aggregation: the ECS task ARN,
// the EKS cluster and pod, the container id or the instance id. It is
// prefixed with the resource type so that keys of different kinds never
// collide.
func ResourceKey(r Resource) string {
	switch {
	case r.ECSClusterDetails != nil:
		if t := r.ECSClusterDetails.TaskDetails; t != nil && t.ARN != "" {
			return ResourceECSCluster + ":" + t.ARN
		}
		return ResourceECSCluster + ":" + r.ECSClusterDetails.ARN
	case r.EKSClusterDetails != nil:
		key := ResourceEKSCluster + ":" + r.EKSClusterDetails.Name
		if k := r.KubernetesDetails; k != nil && k.KubernetesWorkloadDetails != nil {
			w := k.KubernetesWorkloadDetails
			key += "/" + w.Namespace + "/" + w.Name
		}
		return key
	case r.ContainerDetails != nil:
		return ResourceContainer + ":" + r.ContainerDetails.ID
	case r.InstanceDetails != nil:
		return ResourceInstance + ":" + r.InstanceDetails.InstanceID
	}
	return r.ResourceType + ":"
}

// describeResource names the resource in a title: "ECS task 043de9ab3",
// "EC2 instance i-99999999", "pod default/web of EKS cluster prod".
func describeResource(r Resource) string {
	switch {
	case r.ECSClusterDetails != nil:
		if t := r.ECSClusterDetails.TaskDetails; t != nil && t.ARN != "" {
			return "ECS task " + lastSegment(t.ARN)
		}
		return "ECS cluster " + r.ECSClusterDetails.Name
	case r.EKSClusterDetails != nil:
		return describePod(r)
	case r.ContainerDetails != nil:
		if r.ContainerDetails.Name != "" {
			return "container " + r.ContainerDetails.Name
		}
		return "container " + shortID(r.ContainerDetails.ID)
	case r.InstanceDetails != nil:
		if strings.HasPrefix(r.InstanceDetails.InstanceID, "i-") {
			return "EC2 instance " + r.InstanceDetails.InstanceID
		}
		return "host " + r.InstanceDetails.InstanceID
	}
	return "a resource"
}

func describePod(r Resource) string {
	cluster := "Kubernetes cluster"
	if r.EKSClusterDetails.Name != "" {
		cluster = "EKS cluster " + r.EKSClusterDetails.Name
	}
	k := r.KubernetesDetails
	if k == nil || k.KubernetesWorkloadDetails == nil {
		return cluster
	}
	w := k.KubernetesWorkloadDetails
	return "pod " + w.Namespace + "/" + w.Name + " of " + cluster
}

// shortID shortens a 64-hex container id the way docker ps does.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
