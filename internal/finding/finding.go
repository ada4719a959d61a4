// Package finding holds the GuardDuty-shaped finding model: field names, JSON
// names and enums follow GuardDuty's Finding (spec guardduty-runtime.md §3), so
// tools written for GuardDuty findings read vigil's. It also owns severity,
// the aggregation id, sample findings and filters. It knows nothing of
// transports or storage.
package finding

// Finding is one GuardDuty finding. JSON member order follows the order seen
// in GuardDuty exports.
type Finding struct {
	SchemaVersion string   `json:"schemaVersion"`
	AccountID     string   `json:"accountId"`
	Region        string   `json:"region"`
	Partition     string   `json:"partition"`
	ID            string   `json:"id"`
	ARN           string   `json:"arn"`
	Type          string   `json:"type"`
	Resource      Resource `json:"resource"`
	Service       Service  `json:"service"`
	Severity      float64  `json:"severity"`
	CreatedAt     string   `json:"createdAt"` // ISO-8601 with ms, UTC
	UpdatedAt     string   `json:"updatedAt"`
	Title         string   `json:"title"`
	Description   string   `json:"description"`
}

// Resource types used by runtime findings.
const (
	ResourceInstance   = "Instance"
	ResourceECSCluster = "ECSCluster"
	ResourceEKSCluster = "EKSCluster"
	ResourceContainer  = "Container"
)

// Resource is the affected resource. Exactly the member matching
// ResourceType is set (EKS findings also carry KubernetesDetails).
type Resource struct {
	ResourceType      string             `json:"resourceType"`
	InstanceDetails   *InstanceDetails   `json:"instanceDetails,omitempty"`
	ECSClusterDetails *ECSClusterDetails `json:"ecsClusterDetails,omitempty"`
	EKSClusterDetails *EKSClusterDetails `json:"eksClusterDetails,omitempty"`
	KubernetesDetails *KubernetesDetails `json:"kubernetesDetails,omitempty"`
	ContainerDetails  *Container         `json:"containerDetails,omitempty"`
}

// InstanceDetails describes a host (EC2 instance or any Linux host).
type InstanceDetails struct {
	InstanceID   string `json:"instanceId"`
	InstanceType string `json:"instanceType,omitempty"`
	ImageID      string `json:"imageId,omitempty"`
	Platform     string `json:"platform,omitempty"`
	Tags         []Tag  `json:"tags"`
}

// Tag is a key/value tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ECSClusterDetails describes an ECS cluster and the task concerned.
type ECSClusterDetails struct {
	Name                              string          `json:"name"`
	ARN                               string          `json:"arn"`
	Status                            string          `json:"status,omitempty"`
	ActiveServicesCount               int             `json:"activeServicesCount"`
	RegisteredContainerInstancesCount int             `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int             `json:"runningTasksCount"`
	Tags                              []Tag           `json:"tags"`
	TaskDetails                       *ECSTaskDetails `json:"taskDetails,omitempty"`
}

// ECSTaskDetails describes an ECS task. Timestamps are epoch seconds with
// fractional milliseconds, as GuardDuty's rest-json protocol emits them.
type ECSTaskDetails struct {
	ARN           string      `json:"arn"`
	DefinitionARN string      `json:"definitionArn"`
	Version       string      `json:"version"`
	CreatedAt     EpochTime   `json:"createdAt,omitzero"`
	StartedAt     EpochTime   `json:"startedAt,omitzero"`
	StartedBy     string      `json:"startedBy,omitempty"`
	Tags          []Tag       `json:"tags"`
	Volumes       []Volume    `json:"volumes"`
	Containers    []Container `json:"containers"`
	Group         string      `json:"group,omitempty"`
	LaunchType    string      `json:"launchType,omitempty"`
}

// Volume is a task or pod volume.
type Volume struct {
	Name     string    `json:"name"`
	HostPath *HostPath `json:"hostPath,omitempty"`
}

// HostPath is the host path behind a volume.
type HostPath struct {
	Path string `json:"path"`
}

// Container is GuardDuty's Container object.
type Container struct {
	ContainerRuntime string           `json:"containerRuntime"`
	ID               string           `json:"id"`
	Name             string           `json:"name"`
	Image            string           `json:"image"`
	ImagePrefix      string           `json:"imagePrefix"`
	VolumeMounts     []VolumeMount    `json:"volumeMounts"`
	SecurityContext  *SecurityContext `json:"securityContext,omitempty"`
}

// VolumeMount is a container's mount of a volume.
type VolumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
}

// SecurityContext is a container's privilege settings.
type SecurityContext struct {
	Privileged               bool `json:"privileged"`
	AllowPrivilegeEscalation bool `json:"allowPrivilegeEscalation"`
}

// EKSClusterDetails describes an EKS (Kubernetes) cluster.
type EKSClusterDetails struct {
	Name      string    `json:"name"`
	ARN       string    `json:"arn"`
	VpcID     string    `json:"vpcId,omitempty"`
	Status    string    `json:"status,omitempty"`
	Tags      []Tag     `json:"tags"`
	CreatedAt EpochTime `json:"createdAt,omitzero"`
}

// KubernetesDetails holds the workload of an EKS finding.
type KubernetesDetails struct {
	KubernetesWorkloadDetails *KubernetesWorkloadDetails `json:"kubernetesWorkloadDetails,omitempty"`
}

// KubernetesWorkloadDetails describes the pod (workload) concerned.
type KubernetesWorkloadDetails struct {
	Name               string      `json:"name"`
	Type               string      `json:"type"`
	UID                string      `json:"uid"`
	Namespace          string      `json:"namespace"`
	HostNetwork        bool        `json:"hostNetwork"`
	ServiceAccountName string      `json:"serviceAccountName,omitempty"`
	Containers         []Container `json:"containers"`
	Volumes            []Volume    `json:"volumes"`
	HostIPC            bool        `json:"hostIPC"`
	HostPID            bool        `json:"hostPID"`
}
