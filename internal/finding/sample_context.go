package finding

import "time"

// sampleContext fills the context members the type populates (TypeInfo.
// ContextFields) with placeholder or typical values, so that a sample
// shows the user every field a real finding of the type would carry.
func sampleContext(info TypeInfo, now time.Time) *RuntimeContext {
	if len(info.ContextFields) == 0 {
		return nil
	}
	c := &RuntimeContext{}
	for _, f := range info.ContextFields {
		setSampleField(c, info.Name, f, now)
	}
	return c
}

// setSampleField sets one context member by its JSON name.
func setSampleField(c *RuntimeContext, typ, field string, now time.Time) {
	switch field {
	case "modifyingProcess":
		c.ModifyingProcess = sampleOtherProcess("GeneratedFindingModifyingProcessName", now)
	case "modifiedAt":
		c.ModifiedAt = Epoch(now.Add(-time.Minute))
	case "targetProcess":
		c.TargetProcess = sampleOtherProcess("GeneratedFindingTargetProcessName", now)
	case "socketPath":
		c.SocketPath = "/var/run/docker.sock"
	case "runcBinaryPath":
		c.RuncBinaryPath = "/usr/bin/runc"
	case "releaseAgentPath":
		c.ReleaseAgentPath = "/sys/fs/cgroup/GeneratedFindingCgroup/release_agent"
	case "libraryPath":
		c.LibraryPath = "/tmp/GeneratedFindingLibrary.so"
	case "ldPreloadValue":
		c.LdPreloadValue = "/tmp/GeneratedFindingLibrary.so"
	case "mountSource":
		c.MountSource = "/etc"
	case "mountTarget":
		c.MountTarget = "/tmp/GeneratedFindingMountTarget"
	case "fileSystemType":
		c.FileSystemType = "none"
	case "flags":
		c.Flags = []string{"MS_BIND"}
	case "moduleName":
		c.ModuleName = "GeneratedFindingModuleName"
	case "moduleFilePath":
		c.ModuleFilePath = "/tmp/GeneratedFindingModuleName.ko"
	case "moduleSha256":
		c.ModuleSha256 = "GeneratedFindingModuleSha256"
	default:
		setSampleText(c, typ, field)
	}
}

// setSampleText sets the free-text and file members.
func setSampleText(c *RuntimeContext, typ, field string) {
	switch field {
	case "addressFamily":
		c.AddressFamily = "AF_INET"
	case "ianaProtocolNumber":
		c.IanaProtocolNumber = 6 // TCP
	case "memoryRegions":
		c.MemoryRegions = []string{"GeneratedFindingMemoryRegion"}
	case "toolName":
		c.ToolName = "GeneratedFindingToolName"
	case "toolCategory":
		c.ToolCategory = "Backdoor Tool" // offensive-only: matches the High default
	case "commandLineExample":
		c.CommandLineExample = "GeneratedFindingCommandLineExample"
	case "serviceName":
		c.ServiceName = "GeneratedFindingServiceName"
	case "shellHistoryFilePath":
		c.ShellHistoryFilePath = "/home/ec2-user/.bash_history"
	case "threatFilePath":
		c.ThreatFilePath = "GeneratedFindingExecutablePath"
	case "fileOperation":
		c.FileOperation = "Write"
	case "filePath":
		c.FilePath = sampleSensitiveFiles[typ]
	case "relatedFilePaths":
		c.RelatedFilePaths = []string{sampleSensitiveFiles[typ]}
	}
}

// sampleSensitiveFiles is a typical file for each SensitiveFileModified
// type (persistence, authentication, logs).
var sampleSensitiveFiles = map[string]string{
	"Persistence:Runtime/SensitiveFileModified":         "/home/ec2-user/.ssh/authorized_keys",
	"PrivilegeEscalation:Runtime/SensitiveFileModified": "/etc/sudoers",
	"DefenseEvasion:Runtime/SensitiveFileModified":      "/var/log/auth.log",
}

// sampleOtherProcess is a second process in a sample (the modifier or the
// target), without lineage of its own.
func sampleOtherProcess(name string, now time.Time) *ProcessDetails {
	p := sampleProcess(name, name+"Uuid", "GeneratedFindingParentProcessUuid", 4, now)
	return ProcessDetailsFor(p, nil)
}
