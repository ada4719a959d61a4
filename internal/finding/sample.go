package finding

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// Marks of a sample finding (spec §6.1).
const (
	sampleCount        = 4
	sampleAccount      = "123456789000" // account in GuardDuty's sample ECS ARNs
	sampleAgentID      = "GeneratedFindingAgentId"
	sampleAgentVersion = "1"
	sampleThreatList   = "GeneratedFindingThreatListName"
	sampleThreatName   = "GeneratedFindingThreatName"
)

// Sample returns a sample finding of type typ, marked as GuardDuty marks
// samples: additionalInfo holds "sample":true and placeholder agentDetails,
// values are GeneratedFinding… placeholders, the user is ec2-user (uid
// 1000) and count is 4. The resource type is the one the finding type
// applies to: ECSCluster (task arn:…:123456789000:task/mycluster/043de9ab3)
// for container and all-workload types, Instance (i-99999999) for
// host-only ones.
//
// id is the finding's id (its ARN is built from it). The caller chooses it:
// like GuardDuty, vigil mints a new id per sample request, so every request
// makes new findings (and new notifications) rather than updating the
// previous samples.
func Sample(typ string, origin Origin, id string, now time.Time) (Finding, error) {
	info, ok := Lookup(typ)
	if !ok {
		return Finding{}, fmt.Errorf("sample finding: unknown type %q: want one of the %d runtime types, "+
			"Category:Runtime/Name such as %q", typ, len(types), "Backdoor:Runtime/C&CActivity.B")
	}
	origin = sampleOrigin(origin)
	ev := sampleEvent(info, origin, now)
	obs := Observation{
		Type:     info.Name,
		Severity: info.Severity,
		Time:     now,
		Event:    ev,
		Context:  sampleContext(info, now),
		AdditionalInfo: map[string]any{
			"sample": true,
		},
	}
	obs.Action, obs.Key = sampleAction(info)
	if info.Evidence() {
		obs.Evidence = &Evidence{ThreatIntelligenceDetails: []ThreatIntelligenceDetail{{
			ThreatListName: sampleThreatList,
			ThreatNames:    []string{sampleThreatName},
		}}}
		obs.AdditionalInfo["threatListName"] = sampleThreatList
	}
	if obs.Key == "" {
		obs.Key = sampleKey(obs.Context, ev)
	}
	if obs.Evidence != nil && obs.Context != nil && obs.Context.ThreatFilePath != "" {
		// A malicious-file finding names the hash that matched (spec §1.3 #36).
		obs.Evidence.ThreatIntelligenceDetails[0].ThreatFileSha256 = ev.Process.ExecutableSHA256
	}
	f := Build(obs, origin, now)
	f.ID, f.ARN = id, origin.FindingARN(id)
	f.Service.Count = sampleCount
	return f, nil
}

// sampleOrigin keeps the deployment identity (samples live in the user's
// account and detector) and replaces the agent and host with placeholders.
func sampleOrigin(o Origin) Origin {
	o.AgentID, o.AgentVersion = sampleAgentID, sampleAgentVersion
	o.Hostname = "GeneratedFindingHostname"
	o.InstanceID, o.ImageID, o.InstanceType = "i-99999999", "ami-99999999", "m3.xlarge"
	o.ECSClusterARN, o.EKSClusterName = "", ""
	return o
}

func sampleEvent(info TypeInfo, o Origin, now time.Time) *event.Event {
	ev := &event.Event{
		Kind:    event.KindExec,
		Time:    now,
		Process: sampleProcess("GeneratedFindingProcessName", "GeneratedFindingProcessUuid", "GeneratedFindingParentProcessUuid", 1, now),
		Lineage: []event.Process{
			sampleProcess("GeneratedFindingParentProcessName", "GeneratedFindingParentProcessUuid", "GeneratedFindingGrandParentProcessUuid", 2, now),
			sampleProcess("GeneratedFindingGrandParentProcessName", "GeneratedFindingGrandParentProcessUuid", "GeneratedFindingGreatGrandParentProcessUuid", 3, now),
		},
	}
	if info.Scope == ScopeHost {
		return ev
	}
	region := o.Region
	arn := "arn:" + o.partition() + ":ecs:" + region + ":" + sampleAccount
	ev.Container = &event.Container{
		ID:      "GeneratedFindingContainerId",
		Runtime: "docker",
		Name:    "GeneratedFindingContainerName",
		Image:   "GeneratedFindingContainerImage",
		ImageID: "GeneratedFindingContainerImageId",
		ECS: &event.ECSTask{
			ClusterARN: arn + ":cluster/mycluster",
			TaskARN:    arn + ":task/mycluster/043de9ab3",
			Family:     "GeneratedFindingTaskDefinitionFamily",
			Revision:   "1",
			LaunchType: "EC2",
			CreatedAt:  now.Add(-time.Hour),
			StartedAt:  now.Add(-time.Hour),
			StartedBy:  "GeneratedFindingTaskStartedBy",
		},
	}
	return ev
}

// sampleProcess is a placeholder process run by ec2-user, as in AWS's
// runtime samples; pid distinguishes the process from its ancestors.
func sampleProcess(name, uuid, parent string, pid uint32, now time.Time) event.Process {
	return event.Process{
		UUID:             uuid,
		ParentUUID:       parent,
		PID:              pid,
		NamespacePID:     pid,
		Name:             name,
		ExecutablePath:   "GeneratedFindingExecutablePath",
		ExecutableSHA256: "GeneratedFindingExecutableSha256",
		Cwd:              "GeneratedFindingProcessPwd",
		UID:              1000,
		GID:              1000,
		EUID:             1000,
		EGID:             1000,
		User:             "ec2-user",
		StartTime:        now.Add(-time.Duration(pid) * time.Minute),
	}
}

// sampleDomains are the test domains of AWS's GuardDuty tester for each DNS
// type (spec §1.3), so samples look like what the tester triggers.
var sampleDomains = map[string]string{
	"CryptoCurrency:Runtime/BitcoinTool.B!DNS":          "crypto.guarddutyc2activityb.com",
	"Backdoor:Runtime/C&CActivity.B!DNS":                "c2.guarddutyc2activityb.com",
	"Trojan:Runtime/BlackholeTraffic!DNS":               "guarddutyblackholeactivity.com",
	"Trojan:Runtime/DropPoint!DNS":                      "guarddutydroppointactivity.com",
	"Trojan:Runtime/DGADomainRequest.C!DNS":             "guarddutydgaactivity.com",
	"Trojan:Runtime/DriveBySourceTraffic!DNS":           "guarddutydrivebyactivity.com",
	"Trojan:Runtime/PhishingDomainRequest!DNS":          "guarddutyphishingactivity.com",
	"Impact:Runtime/AbusedDomainRequest.Reputation":     "abused-rep.guarddutyc2activityb.com",
	"Impact:Runtime/BitcoinDomainRequest.Reputation":    "crypto-rep.guarddutyc2activityb.com",
	"Impact:Runtime/MaliciousDomainRequest.Reputation":  "malicious-rep.guarddutyc2activityb.com",
	"Impact:Runtime/SuspiciousDomainRequest.Reputation": "suspicious-rep.guarddutyc2activityb.com",
	"UnauthorizedAccess:Runtime/MetadataDNSRebind":      "169.254.169.254.nip.io",
}

// sampleRemote is a documentation address (RFC 5737 TEST-NET-2).
var sampleRemote = netip.MustParseAddr("198.51.100.10")

// sampleAction returns the network or DNS action of a sample and the
// indicator it carries (domain or IP).
func sampleAction(info TypeInfo) (*Action, string) {
	switch info.Action {
	case ActionDNSRequest:
		domain := sampleDomains[info.Name]
		return &Action{ActionType: ActionDNSRequest, DNSRequestAction: &DNSRequestAction{
			Domain:           domain,
			DomainWithSuffix: registrableGuess(domain),
			Protocol:         "UDP",
		}}, domain
	case ActionNetworkConnection:
		return &Action{ActionType: ActionNetworkConnection, NetworkConnectionAction: &NetworkConnectionAction{
			ConnectionDirection: "OUTBOUND",
			Protocol:            "TCP",
			RemoteIPDetails:     &RemoteIPDetails{IPAddressV4: sampleRemote.String()},
			RemotePortDetails:   &PortDetails{Port: 443, PortName: PortName(443)},
		}}, sampleRemote.String()
	}
	return nil, ""
}

// registrableGuess keeps the last two labels; good enough for the fixed
// sample domains above (real detections use the matched list entry).
func registrableGuess(domain string) string {
	dots := 0
	for i := len(domain) - 1; i >= 0; i-- {
		if domain[i] == '.' {
			if dots++; dots == 2 {
				return domain[i+1:]
			}
		}
	}
	return domain
}

// sampleKey picks the sample's indicator from its context, in the order
// detectors would use, falling back to the executable.
func sampleKey(c *RuntimeContext, ev *event.Event) string {
	if c != nil {
		for _, k := range []string{c.SocketPath, c.RuncBinaryPath, c.ReleaseAgentPath, c.LibraryPath,
			c.MountSource, c.ModuleName, c.FilePath, c.ToolName} {
			if k != "" {
				return k
			}
		}
		if c.ThreatFilePath != "" {
			return ev.Process.ExecutableSHA256 // a malicious file is known by its hash
		}
		if c.TargetProcess != nil {
			return c.TargetProcess.ExecutablePath
		}
	}
	return ev.Process.ExecutablePath
}
