package finding

// wellKnownPorts names the ports GuardDuty-style findings most often show;
// anything else is "Unknown", as GuardDuty writes it.
var wellKnownPorts = map[int]string{
	20: "FTP-DATA", 21: "FTP", 22: "SSH", 23: "TELNET", 25: "SMTP", 53: "DNS",
	80: "HTTP", 110: "POP3", 123: "NTP", 143: "IMAP", 443: "HTTPS", 445: "SMB",
	465: "SMTPS", 587: "SUBMISSION", 993: "IMAPS", 995: "POP3S", 1433: "MSSQL",
	3306: "MYSQL", 3389: "RDP", 5432: "POSTGRESQL", 6379: "REDIS", 8080: "HTTP-ALT",
	9001: "TOR", 9050: "TOR-SOCKS",
}

// PortName is the well-known name of a port, or "Unknown".
func PortName(port int) string {
	if n, ok := wellKnownPorts[port]; ok {
		return n
	}
	return "Unknown"
}
