package notify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
)

// shortIDLen is how much of a container id the subject shows, as `docker ps`.
const shortIDLen = 12

// resourceLabel names the affected resource briefly, for the subject.
func resourceLabel(r finding.Resource) string {
	switch {
	case r.ContainerDetails != nil:
		return "container " + shortID(r.ContainerDetails.ID, r.ContainerDetails.Name)
	case r.ECSClusterDetails != nil && r.ECSClusterDetails.TaskDetails != nil:
		return "ECS task " + clean(lastSegment(r.ECSClusterDetails.TaskDetails.ARN))
	case r.ECSClusterDetails != nil:
		return "ECS cluster " + clean(r.ECSClusterDetails.Name)
	case r.KubernetesDetails != nil && r.KubernetesDetails.KubernetesWorkloadDetails != nil:
		w := r.KubernetesDetails.KubernetesWorkloadDetails
		return "pod " + clean(w.Namespace+"/"+w.Name)
	case r.EKSClusterDetails != nil:
		return "EKS cluster " + clean(r.EKSClusterDetails.Name)
	case r.InstanceDetails != nil:
		return "instance " + clean(r.InstanceDetails.InstanceID)
	case r.ResourceType != "":
		return clean(r.ResourceType)
	default:
		return "unknown resource"
	}
}

// resourceRows describe the resource fully, for the body.
func resourceRows(r finding.Resource) []row {
	rows := []row{{"Resource type", r.ResourceType}}
	if i := r.InstanceDetails; i != nil {
		rows = append(rows, row{"Instance", i.InstanceID})
	}
	if e := r.ECSClusterDetails; e != nil {
		rows = append(rows, row{"ECS cluster", e.Name})
		if td := e.TaskDetails; td != nil {
			rows = append(rows, row{"ECS task", td.ARN}, row{"Task definition", td.DefinitionARN})
			for _, c := range td.Containers {
				rows = append(rows, containerRows(c)...)
			}
		}
	}
	if e := r.EKSClusterDetails; e != nil {
		rows = append(rows, row{"EKS cluster", e.Name})
	}
	if k := r.KubernetesDetails; k != nil && k.KubernetesWorkloadDetails != nil {
		w := k.KubernetesWorkloadDetails
		rows = append(rows, row{"Workload", fmt.Sprintf("%s %s/%s", w.Type, w.Namespace, w.Name)})
	}
	if c := r.ContainerDetails; c != nil {
		rows = append(rows, containerRows(*c)...)
	}
	return rows
}

func containerRows(c finding.Container) []row {
	return []row{{"Container", c.ID}, {"Container name", c.Name}, {"Image", c.Image}}
}

func shortID(id, fallback string) string {
	id = clean(id)
	if id == "" {
		return clean(fallback)
	}
	// Only runtime ids (64 hex digits) are shortened; names stay whole.
	if len(id) > shortIDLen && strings.Trim(id, "0123456789abcdef") == "" {
		return id[:shortIDLen] + "…"
	}
	return id
}

func lastSegment(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// healthDetail is the detail of a runtime coverage health event
// (guardduty-runtime.md §4.2). Only what the mail shows is decoded.
type healthDetail struct {
	ResourceAccountID string          `json:"resourceAccountId"`
	CurrentStatus     string          `json:"currentStatus"`
	PreviousStatus    string          `json:"previousStatus"`
	Issue             string          `json:"issue"`
	LastUpdatedAt     json.RawMessage `json:"lastUpdatedAt"` // string or epoch number
	ResourceDetails   struct {
		ResourceType      string `json:"resourceType"`
		EKSClusterDetails *struct {
			ClusterName string `json:"clusterName"`
		} `json:"eksClusterDetails"`
		ECSClusterDetails *struct {
			ClusterName string `json:"clusterName"`
		} `json:"ecsClusterDetails"`
		EC2InstanceDetails *struct {
			InstanceID   string `json:"instanceId"`
			InstanceType string `json:"instanceType"`
			ClusterArn   string `json:"clusterArn"`
		} `json:"ec2InstanceDetails"`
	} `json:"resourceDetails"`
}

func (h healthDetail) resource() string {
	rd := h.ResourceDetails
	switch {
	case rd.EC2InstanceDetails != nil:
		return "instance " + clean(rd.EC2InstanceDetails.InstanceID)
	case rd.ECSClusterDetails != nil:
		return "ECS cluster " + clean(rd.ECSClusterDetails.ClusterName)
	case rd.EKSClusterDetails != nil:
		return "EKS cluster " + clean(rd.EKSClusterDetails.ClusterName)
	case rd.ResourceType != "":
		return clean(rd.ResourceType)
	default:
		return "unknown resource"
	}
}

func healthView(v *emailView, env bus.Envelope, h healthDetail) {
	status := healthStatusLabel(env.DetailType)
	v.Subject = truncate(healthSummary(status, h), maxSubjectRunes)
	v.Heading = "Runtime Protection " + status
	v.Title = h.resource()
	v.Description = clean(h.Issue)
	v.Sections = []section{{Title: "Coverage", Rows: nonEmpty(
		row{"Resource", h.resource()}, row{"Account", h.ResourceAccountID},
		row{"Region", env.Region},
		row{"Status", h.transition()},
		row{"Issue", h.Issue}, row{"Last updated", h.updated()},
	)}}
}
