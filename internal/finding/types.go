package finding

import (
	"slices"
	"sort"
)

// Severity values GuardDuty uses for runtime findings (spec §1.2).
const (
	SeverityLow    = 2.0
	SeverityMedium = 5.0
	SeverityHigh   = 8.0
)

// Scope says which workloads a finding type applies to.
type Scope string

// Scopes. Container-only types need a container to make sense (a host process
// talking to docker.sock is the daemon's own business); host-only types are
// about the kernel every container shares.
const (
	ScopeAll       Scope = "all"
	ScopeContainer Scope = "container"
	ScopeHost      Scope = "host"
)

// Basis is what a finding type rests on (spec §1.3 "Basis").
type Basis string

// Bases.
const (
	BasisThreatIntel       Basis = "TI"     // a threat list (IP, domain, hash)
	BasisReputation        Basis = "REP"    // a domain reputation model
	BasisBehaviour         Basis = "BEH"    // a behavioural rule
	BasisCustomThreatIntel Basis = "CUSTOM" // a customer-supplied threat list
)

// TypeInfo describes one GuardDuty runtime finding type.
//
// Title and Description are templates: {resource} is replaced by a short
// description of the resource ("ECS task 043de9ab3"), {process} by the
// acting process at the start of a sentence ("Process /usr/bin/curl"),
// {exe} by its bare executable path and {key} by the observation's
// indicator (domain, IP, path…).
type TypeInfo struct {
	Name     string
	Severity float64 // default severity
	// Variable is true when the severity depends on context; Severity is
	// then the default a detector uses when it has no better judgement.
	Variable bool
	Scope    Scope
	Basis    Basis
	// Action is the service.action type the finding carries ("" for none).
	Action string
	// ContextFields are the JSON names of service.runtimeDetails.context
	// members the type populates (spec §1.3, last column).
	ContextFields []string
	Title         string
	Description   string
}

// Evidence reports whether findings of this type carry threat
// intelligence evidence (evidence.threatIntelligenceDetails).
func (t TypeInfo) Evidence() bool {
	return t.Basis == BasisThreatIntel || t.Basis == BasisCustomThreatIntel
}

// Shorthands keep the table below readable, one type per entry.
const (
	actNet = ActionNetworkConnection
	actDNS = ActionDNSRequest
)

var (
	ctxNone = []string(nil)
	ctxCmd  = []string{"commandLineExample"}
	ctxSFM  = []string{"fileOperation", "filePath", "relatedFilePaths"}
	ctxProc = []string{"targetProcess"}
)

// types is the complete list of the 46 runtime types (spec §1.3), in the
// spec's order. It is a literal table rather than registrations so that
// one place answers "which types exist and how severe are they".
var types = []TypeInfo{
	{"CryptoCurrency:Runtime/BitcoinTool.B", SeverityHigh, false, ScopeAll, BasisThreatIntel, actNet, ctxNone,
		"Bitcoin-related IP address queried from {resource}.",
		"{process} in {resource} is communicating with IP address {key} that is associated with cryptocurrency-related activity."},
	{"Backdoor:Runtime/C&CActivity.B", SeverityHigh, false, ScopeAll, BasisThreatIntel, actNet, ctxNone,
		"Command and control server IP address queried from {resource}.",
		"{process} in {resource} is communicating with IP address {key} that is associated with a known command and control server."},
	{"UnauthorizedAccess:Runtime/TorRelay", SeverityHigh, false, ScopeAll, BasisThreatIntel, actNet, ctxNone,
		"{resource} is acting as a Tor relay.",
		"{process} in {resource} is communicating with Tor network address {key} in a way that suggests it is acting as a Tor relay."},
	{"UnauthorizedAccess:Runtime/TorClient", SeverityHigh, false, ScopeAll, BasisThreatIntel, actNet, ctxNone,
		"{resource} is communicating with a Tor entry node.",
		"{process} in {resource} is communicating with IP address {key}, a Tor Guard or Authority node."},
	{"Trojan:Runtime/BlackholeTraffic", SeverityMedium, false, ScopeAll, BasisThreatIntel, actNet, ctxNone,
		"{resource} is attempting to communicate with a black hole IP address.",
		"{process} in {resource} is attempting to communicate with IP address {key}, a black hole (sinkhole) address."},
	{"Trojan:Runtime/DropPoint", SeverityMedium, false, ScopeAll, BasisThreatIntel, actNet, ctxNone,
		"{resource} is communicating with a drop point IP address.",
		"{process} in {resource} is communicating with IP address {key}, known to hold credentials and data stolen by malware."},
	{"CryptoCurrency:Runtime/BitcoinTool.B!DNS", SeverityHigh, false, ScopeAll, BasisThreatIntel, actDNS, ctxNone,
		"Bitcoin-related domain name queried from {resource}.",
		"{process} in {resource} is querying domain name {key} that is associated with cryptocurrency-related activity."},
	{"Backdoor:Runtime/C&CActivity.B!DNS", SeverityHigh, false, ScopeAll, BasisThreatIntel, actDNS, ctxNone,
		"Command and control server domain name queried from {resource}.",
		"{process} in {resource} is querying domain name {key} that is associated with a known command and control server."},
	{"Trojan:Runtime/BlackholeTraffic!DNS", SeverityMedium, false, ScopeAll, BasisThreatIntel, actDNS, ctxNone,
		"Black hole domain name queried from {resource}.",
		"{process} in {resource} is querying domain name {key} that is redirected to a black hole IP address."},
	{"Trojan:Runtime/DropPoint!DNS", SeverityMedium, false, ScopeAll, BasisThreatIntel, actDNS, ctxNone,
		"Drop point domain name queried from {resource}.",
		"{process} in {resource} is querying domain name {key}, known to hold credentials and data stolen by malware."},
	{"Trojan:Runtime/DGADomainRequest.C!DNS", SeverityHigh, false, ScopeAll, BasisThreatIntel, actDNS, ctxNone,
		"Algorithmically generated domain name queried from {resource}.",
		"{process} in {resource} is querying domain name {key}, a known algorithmically generated (DGA) domain."},
	{"Trojan:Runtime/DriveBySourceTraffic!DNS", SeverityHigh, false, ScopeAll, BasisThreatIntel, actDNS, ctxNone,
		"Drive-by download source domain name queried from {resource}.",
		"{process} in {resource} is querying domain name {key}, a known source of drive-by download attacks."},
	{"Trojan:Runtime/PhishingDomainRequest!DNS", SeverityHigh, false, ScopeAll, BasisThreatIntel, actDNS, ctxNone,
		"Phishing domain name queried from {resource}.",
		"{process} in {resource} is querying domain name {key} that is involved in phishing attacks."},
	{"Impact:Runtime/AbusedDomainRequest.Reputation", SeverityMedium, false, ScopeAll, BasisReputation, actDNS, ctxNone,
		"Low-reputation abused domain name queried from {resource}.",
		"{process} in {resource} is querying low-reputation domain name {key} that is associated with abused domains."},
	{"Impact:Runtime/BitcoinDomainRequest.Reputation", SeverityHigh, false, ScopeAll, BasisReputation, actDNS, ctxNone,
		"Low-reputation cryptocurrency domain name queried from {resource}.",
		"{process} in {resource} is querying low-reputation domain name {key} that is associated with cryptocurrency-related activity."},
	{"Impact:Runtime/MaliciousDomainRequest.Reputation", SeverityHigh, false, ScopeAll, BasisReputation, actDNS, ctxNone,
		"Low-reputation malicious domain name queried from {resource}.",
		"{process} in {resource} is querying low-reputation domain name {key} that is associated with known malicious domains."},
	{"Impact:Runtime/SuspiciousDomainRequest.Reputation", SeverityLow, false, ScopeAll, BasisReputation, actDNS, ctxNone,
		"Suspicious low-reputation domain name queried from {resource}.",
		"{process} in {resource} is querying domain name {key} that is suspicious because of its age or low popularity."},
	{"UnauthorizedAccess:Runtime/MetadataDNSRebind", SeverityHigh, false, ScopeAll, BasisBehaviour, actDNS, ctxNone,
		"Domain name resolving to the instance metadata service queried from {resource}.",
		"{process} in {resource} queried domain name {key} that resolves to the instance metadata address 169.254.169.254 (DNS rebinding)."},
	{"Execution:Runtime/NewBinaryExecuted", SeverityMedium, false, ScopeContainer, BasisBehaviour, "", []string{"modifyingProcess", "modifiedAt"},
		"A newly created or modified binary was executed in {resource}.",
		"The binary {exe}, created or modified in the container after it started, was executed in {resource}."},
	{"PrivilegeEscalation:Runtime/DockerSocketAccessed", SeverityMedium, false, ScopeContainer, BasisBehaviour, "", []string{"socketPath"},
		"Docker socket accessed from a container in {resource}.",
		"{process} in a container of {resource} communicated with the Docker daemon through its socket {key}."},
	{"PrivilegeEscalation:Runtime/RuncContainerEscape", SeverityHigh, false, ScopeContainer, BasisBehaviour, "", []string{"runcBinaryPath"},
		"Container escape via runC was detected in {resource}.",
		"{process} in a container of {resource} attempted a container escape through runC ({key})."},
	{"PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified", SeverityHigh, false, ScopeContainer, BasisBehaviour, "", []string{"releaseAgentPath"},
		"Container escape via cgroups was detected in {resource}.",
		"{process} in a container of {resource} attempted to modify the cgroup release agent file {key}."},
	{"DefenseEvasion:Runtime/ProcessInjection.Proc", SeverityHigh, false, ScopeAll, BasisBehaviour, "", ctxProc,
		"Process injection via proc filesystem was detected in {resource}.",
		"{process} in {resource} wrote to the memory of another process through the proc filesystem ({key})."},
	{"DefenseEvasion:Runtime/ProcessInjection.Ptrace", SeverityMedium, false, ScopeAll, BasisBehaviour, "", ctxProc,
		"Process injection via PTRACE was detected in {resource}.",
		"{process} in {resource} used the ptrace system call to inject code into another process ({key})."},
	{"DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite", SeverityHigh, false, ScopeAll, BasisBehaviour, "", ctxProc,
		"Process injection via virtual memory write was detected in {resource}.",
		"{process} in {resource} wrote directly into the memory of another process ({key})."},
	{"Execution:Runtime/ReverseShell", SeverityHigh, false, ScopeAll, BasisBehaviour, "", []string{"addressFamily", "ianaProtocolNumber"},
		"Reverse shell was detected in {resource}.",
		"{process} in {resource} runs a shell bound to a connection initiated to a remote host ({key})."},
	{"DefenseEvasion:Runtime/FilelessExecution", SeverityMedium, false, ScopeAll, BasisBehaviour, "", []string{"memoryRegions"},
		"Fileless execution was detected in {resource}.",
		"{process} in {resource} executed code from memory without a backing file on disk."},
	{"Impact:Runtime/CryptoMinerExecuted", SeverityHigh, false, ScopeAll, BasisThreatIntel, "", ctxNone,
		"Cryptocurrency mining process was executed in {resource}.",
		"{process} in {resource} is a binary associated with cryptocurrency mining."},
	{"Execution:Runtime/NewLibraryLoaded", SeverityMedium, false, ScopeContainer, BasisBehaviour, "", []string{"libraryPath", "modifyingProcess"},
		"A newly created or modified library was loaded in {resource}.",
		"{process} in a container of {resource} loaded library {key} that was created or modified after the container started."},
	{"PrivilegeEscalation:Runtime/ContainerMountsHostDirectory", SeverityMedium, false, ScopeContainer, BasisBehaviour, "", []string{"mountSource", "mountTarget", "fileSystemType", "flags"},
		"Container mounted a host directory in {resource}.",
		"{process} in a container of {resource} attempted to mount host path {key}."},
	{"PrivilegeEscalation:Runtime/UserfaultfdUsage", SeverityMedium, false, ScopeAll, BasisBehaviour, "", ctxNone,
		"userfaultfd system call was used in {resource}.",
		"{process} in {resource} used the userfaultfd system call, a technique to widen kernel race windows."},
	{"Execution:Runtime/SuspiciousTool", SeverityHigh, true, ScopeAll, BasisThreatIntel, "", []string{"toolName", "toolCategory"},
		"Suspicious tool was executed in {resource}.",
		"{process} in {resource} is a known offensive or dual-use tool ({key})."},
	{"Execution:Runtime/SuspiciousCommand", SeverityMedium, true, ScopeAll, BasisBehaviour, "", ctxCmd,
		"Suspicious command was executed in {resource}.",
		"{process} in {resource} ran a command matching a known malicious pattern."},
	{"DefenseEvasion:Runtime/SuspiciousCommand", SeverityMedium, true, ScopeAll, BasisBehaviour, "", []string{"commandLineExample", "serviceName", "ldPreloadValue", "shellHistoryFilePath"},
		"Command disabling or modifying system defences was executed in {resource}.",
		"{process} in {resource} ran a command that disables or modifies Linux defence mechanisms."},
	{"DefenseEvasion:Runtime/PtraceAntiDebugging", SeverityLow, false, ScopeAll, BasisBehaviour, "", ctxNone,
		"Anti-debugging via PTRACE was detected in {resource}.",
		"{process} in {resource} called ptrace(PTRACE_TRACEME) to prevent itself from being debugged."},
	{"Execution:Runtime/MaliciousFileExecuted", SeverityHigh, false, ScopeAll, BasisThreatIntel, "", []string{"threatFilePath"},
		"Known malicious file was executed in {resource}.",
		"{process} in {resource} is a known malicious executable (SHA-256 {key})."},
	{"Execution:Runtime/MaliciousFileExecuted.Custom", SeverityHigh, false, ScopeAll, BasisCustomThreatIntel, "", []string{"threatFilePath"},
		"File on a custom threat list was executed in {resource}.",
		"{process} in {resource} matches an entry of a custom threat list (SHA-256 {key})."},
	{"Execution:Runtime/SuspiciousShellCreated", SeverityLow, false, ScopeAll, BasisBehaviour, "", ctxNone,
		"Network-accessible process spawned a shell in {resource}.",
		"A network service in {resource} spawned the interactive shell {exe}."},
	{"PrivilegeEscalation:Runtime/ElevationToRoot", SeverityMedium, false, ScopeAll, BasisBehaviour, "", ctxNone,
		"Process elevated to root in {resource}.",
		"{process} in {resource} gained root privileges through an unusual setuid binary execution."},
	{"Discovery:Runtime/SuspiciousCommand", SeverityLow, false, ScopeAll, BasisBehaviour, "", ctxCmd,
		"Reconnaissance command was executed in {resource}.",
		"{process} in {resource} ran a command that discovers users, network configuration, cloud or cluster resources."},
	{"Persistence:Runtime/SuspiciousCommand", SeverityMedium, false, ScopeAll, BasisBehaviour, "", ctxCmd,
		"Persistence command was executed in {resource}.",
		"{process} in {resource} ran a command that installs persistence (service, crontab or user)."},
	{"PrivilegeEscalation:Runtime/SuspiciousCommand", SeverityMedium, false, ScopeAll, BasisBehaviour, "", ctxCmd,
		"Privilege escalation command was executed in {resource}.",
		"{process} in {resource} ran a command that attempts to escalate privileges."},
	{"DefenseEvasion:Runtime/KernelModuleLoaded", SeverityHigh, false, ScopeHost, BasisBehaviour, "", []string{"moduleName", "moduleFilePath", "moduleSha256"},
		"Kernel module was loaded in {resource}.",
		"{process} in {resource} loaded kernel module {key}."},
	{"Persistence:Runtime/SensitiveFileModified", SeverityMedium, false, ScopeAll, BasisBehaviour, "", ctxSFM,
		"Sensitive file enabling persistence was modified in {resource}.",
		"{process} in {resource} modified {key}, a file that can give an attacker persistence."},
	{"PrivilegeEscalation:Runtime/SensitiveFileModified", SeverityMedium, false, ScopeAll, BasisBehaviour, "", ctxSFM,
		"Sensitive authentication file was modified in {resource}.",
		"{process} in {resource} modified {key}, a file that controls privileges or authentication."},
	{"DefenseEvasion:Runtime/SensitiveFileModified", SeverityMedium, false, ScopeAll, BasisBehaviour, "", ctxSFM,
		"Log, audit or history file was modified in {resource}.",
		"{process} in {resource} modified {key}, a log, audit or shell history file."},
}

// byName indexes types; built once from the literal table, never mutated.
var byName = func() map[string]int {
	m := make(map[string]int, len(types))
	for i, t := range types {
		m[t.Name] = i
	}
	return m
}()

// Types returns every runtime finding type, in the spec's order. The slice
// is a copy: callers may not change the table.
func Types() []TypeInfo {
	out := slices.Clone(types)
	for i := range out {
		out[i].ContextFields = slices.Clone(out[i].ContextFields)
	}
	return out
}

// TypeNames returns the names of all runtime finding types, sorted.
func TypeNames() []string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.Name
	}
	sort.Strings(names)
	return names
}

// Lookup returns the type called name (exact, case-sensitive: GuardDuty
// type names are identifiers).
func Lookup(name string) (TypeInfo, bool) {
	i, ok := byName[name]
	if !ok {
		return TypeInfo{}, false
	}
	t := types[i]
	t.ContextFields = slices.Clone(t.ContextFields)
	return t, true
}
