package threatlist

import (
	"errors"
	"strings"
)

// normalizeDomain validates a domain entry and returns its canonical form:
// lower case, no trailing dot, no leading "*." (an entry matches its
// subdomains anyway, so a wildcard means the same thing).
func normalizeDomain(s string) (string, error) {
	d := strings.ToLower(strings.TrimSuffix(s, "."))
	d = strings.TrimPrefix(d, "*.")
	if len(d) > 253 {
		return "", errors.New("domain longer than 253 characters")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		// A bare label ("com", "localhost") would match whole TLDs or
		// nothing useful; it is far more likely a typo than intent.
		return "", errors.New("not an IP address, CIDR block or domain (a domain needs at least two labels)")
	}
	for _, lab := range labels {
		if err := checkLabel(lab); err != nil {
			return "", err
		}
	}
	if allDigits(labels[len(labels)-1]) {
		return "", errors.New("not a valid IP address, and a numeric top-level label is not a domain")
	}
	return d, nil
}

func checkLabel(lab string) error {
	if lab == "" {
		return errors.New("empty label in domain")
	}
	if len(lab) > 63 {
		return errors.New("domain label longer than 63 characters")
	}
	if lab[0] == '-' || lab[len(lab)-1] == '-' {
		return errors.New("domain label starts or ends with '-'")
	}
	for i := 0; i < len(lab); i++ {
		c := lab[i]
		// '_' appears in real DNS names (service records, some C2 hosts).
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errors.New("not an IP address, CIDR block or domain (invalid character)")
		}
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// canonicalQuery lowers a queried name and drops its trailing dot without
// allocating in the common (already lower-case) case.
func canonicalQuery(name string) string {
	name = strings.TrimSuffix(name, ".")
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(name)
		}
	}
	return name
}
