package finding

import "strings"

// DefaultPartition is used when an Origin names none: every finding ARN
// needs one, and "aws" is what GuardDuty tools expect.
const DefaultPartition = "aws"

// Origin is who saw the activity: the deployment and the reporting agent.
type Origin struct {
	// Deployment identity (defaults chosen by config).
	AccountID, Region, DetectorID, Partition string
	AgentID, AgentVersion                    string
	// The host; InstanceID is the EC2 id when known, else a stable host id.
	Hostname, InstanceID, InstanceType, ImageID string
	// Set when the agent knows the host is an ECS/EKS node.
	ECSClusterARN  string
	EKSClusterName string
}

func (o Origin) partition() string {
	if o.Partition == "" {
		return DefaultPartition
	}
	return o.Partition
}

// FindingARN is the ARN GuardDuty gives a finding:
// arn:<partition>:guardduty:<region>:<account>:detector/<detector>/finding/<id>.
func (o Origin) FindingARN(id string) string {
	return "arn:" + o.partition() + ":guardduty:" + o.Region + ":" + o.AccountID +
		":detector/" + o.DetectorID + "/finding/" + id
}

// eksClusterARN builds the ARN of the node's EKS cluster in this deployment.
func (o Origin) eksClusterARN() string {
	return "arn:" + o.partition() + ":eks:" + o.Region + ":" + o.AccountID + ":cluster/" + o.EKSClusterName
}

// lastSegment returns what follows the last '/' of an ARN (a cluster or
// task name), or the whole string when there is none.
func lastSegment(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}
