// Package coverage tracks runtime-protection health per covered resource, as
// GuardDuty's coverage does: every agent's resource is HEALTHY while the
// agent reports and its sensor is attached, UNHEALTHY when it goes silent
// longer than a threshold or reports a sensor failure. Status changes yield
// GuardDuty Runtime Protection Healthy/Unhealthy events (spec §4.2).
package coverage

import (
	"strings"
	"time"
)

// Coverage statuses (GuardDuty's CoverageStatus enum).
const (
	Healthy   = "HEALTHY"
	Unhealthy = "UNHEALTHY"
)

// Agent is what coverage knows of one reporting agent.
type Agent struct {
	ID            string
	Kind          string // "host", "ecs-task", "k8s-node"
	Version       string
	Hostname      string
	InstanceID    string
	InstanceType  string
	ECSClusterARN string
	ECSTaskARN    string
	// TaskDefinition is "family:revision" for ECS task agents.
	TaskDefinition string
}

// Resource is GuardDuty's CoverageResource.
type Resource struct {
	ResourceID      string          `json:"resourceId"`
	DetectorID      string          `json:"detectorId"`
	AccountID       string          `json:"accountId"`
	ResourceDetails ResourceDetails `json:"resourceDetails"`
	CoverageStatus  string          `json:"coverageStatus"`
	Issue           string          `json:"issue,omitempty"`
	UpdatedAt       string          `json:"updatedAt"`
	// AgentID links the resource to its agent (a vigil extension).
	AgentID string `json:"agentId"`
}

// ResourceDetails is GuardDuty's CoverageResourceDetails.
type ResourceDetails struct {
	ResourceType       string              `json:"resourceType"` // EC2, ECS or EKS
	EC2InstanceDetails *EC2InstanceDetails `json:"ec2InstanceDetails,omitempty"`
	ECSClusterDetails  *ECSClusterDetails  `json:"ecsClusterDetails,omitempty"`
}

// EC2InstanceDetails describes a host covered by a host agent.
type EC2InstanceDetails struct {
	InstanceID     string       `json:"instanceId"`
	InstanceType   string       `json:"instanceType,omitempty"`
	ClusterARN     string       `json:"clusterArn,omitempty"`
	AgentDetails   AgentDetails `json:"agentDetails"`
	ManagementType string       `json:"managementType"`
}

// AgentDetails is the agent version.
type AgentDetails struct {
	Version string `json:"version"`
}

// ECSClusterDetails describes an ECS cluster covered by task agents.
type ECSClusterDetails struct {
	ClusterName              string                   `json:"clusterName"`
	FargateDetails           FargateDetails           `json:"fargateDetails"`
	ContainerInstanceDetails ContainerInstanceDetails `json:"containerInstanceDetails"`
}

// FargateDetails lists task-level issues.
type FargateDetails struct {
	Issues         []string `json:"issues"`
	ManagementType string   `json:"managementType"`
}

// ContainerInstanceDetails counts EC2 container instances.
type ContainerInstanceDetails struct {
	CoveredContainerInstances    int `json:"coveredContainerInstances"`
	CompatibleContainerInstances int `json:"compatibleContainerInstances"`
}

// ResourceID is the coverage resource of an agent: its ECS task for a task
// sidecar, otherwise its instance (the host).
func ResourceID(a Agent) string {
	if a.Kind == "ecs-task" && a.ECSTaskARN != "" {
		return a.ECSTaskARN
	}
	if a.InstanceID != "" {
		return a.InstanceID
	}
	return a.Hostname
}

// clusterName is the last element of an ECS cluster ARN.
func clusterName(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// newResource describes agent a with the given status and issue.
func newResource(a Agent, account, detector, status, issue string, at time.Time) Resource {
	r := Resource{
		ResourceID: ResourceID(a), DetectorID: detector, AccountID: account,
		CoverageStatus: status, Issue: issue, UpdatedAt: at.UTC().Format(time.RFC3339Nano), AgentID: a.ID,
	}
	if a.Kind == "ecs-task" {
		issues := []string{}
		if issue != "" {
			issues = append(issues, issue)
		}
		r.ResourceDetails = ResourceDetails{ResourceType: "ECS", ECSClusterDetails: &ECSClusterDetails{
			ClusterName:    clusterName(a.ECSClusterARN),
			FargateDetails: FargateDetails{Issues: issues, ManagementType: "AUTO_MANAGED"},
		}}
		return r
	}
	r.ResourceDetails = ResourceDetails{ResourceType: "EC2", EC2InstanceDetails: &EC2InstanceDetails{
		InstanceID: ResourceID(a), InstanceType: a.InstanceType, ClusterARN: a.ECSClusterARN,
		AgentDetails: AgentDetails{Version: a.Version}, ManagementType: "MANUAL",
	}}
	return r
}

// issueNotReporting is GuardDuty's "Issue type:Extra information" string for
// a silent agent, per resource type (spec §4.3).
func issueNotReporting(a Agent) string {
	if a.Kind == "ecs-task" {
		td := a.TaskDefinition
		if td == "" {
			td = a.ECSTaskARN
		}
		return "Agent not reporting:Agent not reporting for tasks in TaskDefinition - '" + td + "'"
	}
	return "No Agent Reporting:Agent disconnected"
}

// issueSensor is the issue for an agent that reports but whose sensor is
// not attached.
func issueSensor(msg string) string {
	if msg == "" {
		msg = "sensor not attached"
	}
	return "Agent Not Provisioned:" + msg
}
