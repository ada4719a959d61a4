package finding

// Service is the `service` member of a finding: how GuardDuty (here vigil)
// saw the activity.
type Service struct {
	ServiceName    string          `json:"serviceName"`
	DetectorID     string          `json:"detectorId"`
	Action         *Action         `json:"action,omitempty"`
	Evidence       *Evidence       `json:"evidence,omitempty"`
	ResourceRole   string          `json:"resourceRole"`
	AdditionalInfo AdditionalInfo  `json:"additionalInfo"`
	EventFirstSeen string          `json:"eventFirstSeen"`
	EventLastSeen  string          `json:"eventLastSeen"`
	Archived       bool            `json:"archived"`
	Count          int             `json:"count"`
	UserFeedback   string          `json:"userFeedback,omitempty"`
	FeatureName    string          `json:"featureName"`
	RuntimeDetails *RuntimeDetails `json:"runtimeDetails,omitempty"`
}

// AdditionalInfo is GuardDuty's current form: a JSON document carried as a
// string (`{"value":"{\"sample\":true}","type":"default"}`).
type AdditionalInfo struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

// Action types used by runtime findings.
const (
	ActionDNSRequest        = "DNS_REQUEST"
	ActionNetworkConnection = "NETWORK_CONNECTION"
)

// Action is the network or DNS activity behind a finding.
type Action struct {
	ActionType              string                   `json:"actionType"`
	DNSRequestAction        *DNSRequestAction        `json:"dnsRequestAction,omitempty"`
	NetworkConnectionAction *NetworkConnectionAction `json:"networkConnectionAction,omitempty"`
}

// DNSRequestAction is a DNS query.
type DNSRequestAction struct {
	Domain           string `json:"domain"`
	DomainWithSuffix string `json:"domainWithSuffix,omitempty"`
	Protocol         string `json:"protocol"`
	Blocked          bool   `json:"blocked"`
}

// NetworkConnectionAction is a network connection.
type NetworkConnectionAction struct {
	Blocked             bool               `json:"blocked"`
	ConnectionDirection string             `json:"connectionDirection"` // INBOUND, OUTBOUND, UNKNOWN
	LocalPortDetails    *PortDetails       `json:"localPortDetails,omitempty"`
	Protocol            string             `json:"protocol"`
	LocalIPDetails      *LocalIPDetails    `json:"localIpDetails,omitempty"`
	RemoteIPDetails     *RemoteIPDetails   `json:"remoteIpDetails,omitempty"`
	RemotePortDetails   *PortDetails       `json:"remotePortDetails,omitempty"`
	LocalNetworkIface   *NetworkInterfaceR `json:"localNetworkInterface,omitempty"`
}

// NetworkInterfaceR names the local interface (rarely known at runtime).
type NetworkInterfaceR struct {
	Name string `json:"name"`
}

// PortDetails is a port and its well-known name.
type PortDetails struct {
	Port     int    `json:"port"`
	PortName string `json:"portName"`
}

// LocalIPDetails is the local address of a connection.
type LocalIPDetails struct {
	IPAddressV4 string `json:"ipAddressV4,omitempty"`
	IPAddressV6 string `json:"ipAddressV6,omitempty"`
}

// RemoteIPDetails is the remote address of a connection. Geo and
// organization data are only filled where a local database provides them.
type RemoteIPDetails struct {
	IPAddressV4  string        `json:"ipAddressV4,omitempty"`
	IPAddressV6  string        `json:"ipAddressV6,omitempty"`
	Organization *Organization `json:"organization,omitempty"`
	Country      *Country      `json:"country,omitempty"`
}

// Organization is the owner of a remote address.
type Organization struct {
	ASN    string `json:"asn"`
	ASNOrg string `json:"asnOrg"`
	ISP    string `json:"isp"`
	Org    string `json:"org"`
}

// Country is where a remote address is located.
type Country struct {
	CountryCode string `json:"countryCode"`
	CountryName string `json:"countryName"`
}

// Evidence is the threat intelligence that matched.
type Evidence struct {
	ThreatIntelligenceDetails []ThreatIntelligenceDetail `json:"threatIntelligenceDetails"`
}

// ThreatIntelligenceDetail names a threat list and what it says.
type ThreatIntelligenceDetail struct {
	ThreatListName   string   `json:"threatListName"`
	ThreatNames      []string `json:"threatNames"`
	ThreatFileSha256 string   `json:"threatFileSha256,omitempty"`
}

// RuntimeDetails is the process and context of a runtime finding.
type RuntimeDetails struct {
	Process *ProcessDetails `json:"process,omitempty"`
	Context *RuntimeContext `json:"context,omitempty"`
}

// ProcessDetails is GuardDuty's ProcessDetails. StartTime is epoch seconds.
type ProcessDetails struct {
	Name             string          `json:"name"`
	ExecutablePath   string          `json:"executablePath"`
	ExecutableSha256 string          `json:"executableSha256,omitempty"`
	NamespacePid     int             `json:"namespacePid"`
	Pwd              string          `json:"pwd"`
	Pid              int             `json:"pid"`
	StartTime        EpochTime       `json:"startTime"`
	UUID             string          `json:"uuid"`
	ParentUUID       string          `json:"parentUuid"`
	User             string          `json:"user"`
	UserID           int             `json:"userId"`
	Euid             int             `json:"euid"`
	Lineage          []LineageObject `json:"lineage"`
}

// LineageObject is one ancestor of a process (no hash, pwd or user name).
type LineageObject struct {
	StartTime      EpochTime `json:"startTime"`
	NamespacePid   int       `json:"namespacePid"`
	UserID         int       `json:"userId"`
	Name           string    `json:"name"`
	Pid            int       `json:"pid"`
	UUID           string    `json:"uuid"`
	ExecutablePath string    `json:"executablePath"`
	Euid           int       `json:"euid"`
	ParentUUID     string    `json:"parentUuid"`
}

// RuntimeContext is GuardDuty's RuntimeContext; every member is optional.
type RuntimeContext struct {
	ModifyingProcess     *ProcessDetails `json:"modifyingProcess,omitempty"`
	ModifiedAt           EpochTime       `json:"modifiedAt,omitzero"`
	ScriptPath           string          `json:"scriptPath,omitempty"`
	LibraryPath          string          `json:"libraryPath,omitempty"`
	LdPreloadValue       string          `json:"ldPreloadValue,omitempty"`
	SocketPath           string          `json:"socketPath,omitempty"`
	RuncBinaryPath       string          `json:"runcBinaryPath,omitempty"`
	ReleaseAgentPath     string          `json:"releaseAgentPath,omitempty"`
	MountSource          string          `json:"mountSource,omitempty"`
	MountTarget          string          `json:"mountTarget,omitempty"`
	FileSystemType       string          `json:"fileSystemType,omitempty"`
	Flags                []string        `json:"flags,omitempty"`
	ModuleName           string          `json:"moduleName,omitempty"`
	ModuleFilePath       string          `json:"moduleFilePath,omitempty"`
	ModuleSha256         string          `json:"moduleSha256,omitempty"`
	ShellHistoryFilePath string          `json:"shellHistoryFilePath,omitempty"`
	TargetProcess        *ProcessDetails `json:"targetProcess,omitempty"`
	AddressFamily        string          `json:"addressFamily,omitempty"`
	IanaProtocolNumber   int             `json:"ianaProtocolNumber,omitempty"`
	MemoryRegions        []string        `json:"memoryRegions,omitempty"`
	ToolName             string          `json:"toolName,omitempty"`
	ToolCategory         string          `json:"toolCategory,omitempty"`
	ServiceName          string          `json:"serviceName,omitempty"`
	CommandLineExample   string          `json:"commandLineExample,omitempty"`
	ThreatFilePath       string          `json:"threatFilePath,omitempty"`
	FileOperation        string          `json:"fileOperation,omitempty"`
	FilePath             string          `json:"filePath,omitempty"`
	RelatedFilePaths     []string        `json:"relatedFilePaths,omitempty"`
}
