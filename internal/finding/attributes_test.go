package finding

import (
	"slices"
	"strings"
	"testing"
)

// wantKinds are attributes the brief and spec §6.3 name.
var wantKinds = map[string]attrKind{
	"type":                                     kindString,
	"severity":                                 kindSeverity,
	"id":                                       kindString,
	"accountId":                                kindString,
	"region":                                   kindString,
	"createdAt":                                kindISOTime,
	"updatedAt":                                kindISOTime,
	"service.eventFirstSeen":                   kindISOTime,
	"service.eventLastSeen":                    kindISOTime,
	"resource.resourceType":                    kindString,
	"resource.containerDetails.id":             kindString,
	"resource.containerDetails.image":          kindString,
	"resource.instanceDetails.instanceId":      kindString,
	"resource.ecsClusterDetails.name":          kindString,
	"resource.eksClusterDetails.name":          kindString,
	"resource.instanceDetails.tags.key":        kindString,
	"service.archived":                         kindBool,
	"service.featureName":                      kindString,
	"service.runtimeDetails.process.pid":       kindInt,
	"service.runtimeDetails.process.startTime": kindEpoch,
	"service.runtimeDetails.process.lineage.executablePath":              kindString,
	"service.runtimeDetails.context.modifyingProcess.executablePath":     kindString,
	"service.runtimeDetails.context.targetProcess.lineage.name":          kindString,
	"service.runtimeDetails.context.filePath":                            kindString,
	"service.runtimeDetails.context.socketPath":                          kindString,
	"service.runtimeDetails.context.flags":                               kindString,
	"service.runtimeDetails.context.ianaProtocolNumber":                  kindInt,
	"service.action.dnsRequestAction.domain":                             kindString,
	"service.evidence.threatIntelligenceDetails.threatListName":          kindString,
	"resource.ecsClusterDetails.taskDetails.definitionArn":               kindString,
	"resource.ecsClusterDetails.taskDetails.containers.image":            kindString,
	"resource.kubernetesDetails.kubernetesWorkloadDetails.namespace":     kindString,
	"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4": kindString,
	"service.additionalInfo.threatListName":                              kindDynamic,
	"service.additionalInfo.agentDetails.agentId":                        kindDynamic,
}

// The attributes the brief and spec §6.3 name are all derived from the
// struct's JSON tags, with the kind their comparisons need.
func TestAttributeNames(t *testing.T) {
	for path, k := range wantKinds {
		a, ok := lookupAttribute(path)
		if !ok {
			t.Errorf("%s: not an attribute", path)
			continue
		}
		if a.kind != k {
			t.Errorf("%s: kind %v, want %v", path, a.kind, k)
		}
	}
	// Objects are not attributes; only their scalar leaves are.
	for _, path := range []string{"resource", "service.runtimeDetails.process", "service.runtimeDetails.process.lineage",
		"resource.instanceDetails.tags", "service.additionalInfo", "service.additionalInfo.", "service.additionalInfo.a..b",
		"Type", "severity.x"} {
		if _, ok := lookupAttribute(path); ok {
			t.Errorf("%s: accepted", path)
		}
	}
	names := AttributeNames()
	if !slices.IsSorted(names) || len(names) < 150 {
		t.Errorf("AttributeNames: %d names, sorted %v", len(names), slices.IsSorted(names))
	}
}

func TestSuggestAttributes(t *testing.T) {
	tests := []struct{ bad, want string }{
		{"service.runtimeDetails.process.executablepath", "service.runtimeDetails.process.executablePath"},
		{"resource.containerDetails.imageName", "resource.containerDetails.image"},
		{"process.name", ".name"},
	}
	for _, tt := range tests {
		got := suggestAttributes(tt.bad, 4)
		if len(got) != 4 || !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, tt.want) }) {
			t.Errorf("suggestAttributes(%q) = %v, want one containing %q", tt.bad, got, tt.want)
		}
	}
}
