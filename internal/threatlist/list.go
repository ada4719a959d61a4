// Package threatlist reads GuardDuty-style TXT threat lists (one IP address,
// CIDR block or domain per line) and matches addresses and domain names
// against several named lists at once.
package threatlist

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// MaxEntries is GuardDuty's limit for one threat list (spec §6.5).
const MaxEntries = 250_000

// maxLine bounds one line: a domain is at most 253 characters, so anything
// much longer is not a list but some other file given by mistake.
const maxLine = 4096

// List is one parsed threat list.
type List struct {
	Name     string
	Prefixes []netip.Prefix // single addresses are /32 or /128
	Domains  []string       // lower case, no trailing dot
}

// Len is the number of entries.
func (l *List) Len() int { return len(l.Prefixes) + len(l.Domains) }

// Parse reads a TXT threat list: one IP address, CIDR block (IPv4 or IPv6)
// or domain per line; blank lines and comments (from '#' to the end of the
// line) are ignored and whitespace is trimmed. A bad line is refused with
// name:LINE: reason (got "…"), so a user can fix the file; a list of more
// than MaxEntries entries is refused whole rather than silently cut.
func Parse(name string, r io.Reader) (*List, error) {
	return parse(name, name, r)
}

// LoadFile reads the list at path. The list is named after the file
// without its extension ("/etc/vigil/lists/corp-c2.txt" → "corp-c2"), the
// name findings show as threatListName; errors name the path.
func LoadFile(path string) (*List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("threat list: %w", err)
	}
	defer f.Close()
	base := filepath.Base(path)
	return parse(strings.TrimSuffix(base, filepath.Ext(base)), path, f)
}

func parse(name, where string, r io.Reader) (*List, error) {
	l := &List{Name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), maxLine)
	line := 0
	for sc.Scan() {
		line++
		raw := sc.Text()
		if line == 1 {
			raw = strings.TrimPrefix(raw, "\ufeff") // editors on Windows start files with a BOM
		}
		text := raw
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if l.Len() == MaxEntries {
			return nil, fmt.Errorf("%s:%d: more than %d entries (GuardDuty's limit per list)", where, line, MaxEntries)
		}
		if err := l.add(text); err != nil {
			return nil, fmt.Errorf("%s:%d: %v (got %q)", where, line, err, clip(raw))
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", where, line+1, maxLine)
		}
		return nil, fmt.Errorf("%s:%d: %w", where, line, err)
	}
	return l, nil
}

// add parses one entry and appends it.
func (l *List) add(s string) error {
	if strings.ContainsRune(s, '/') {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return errors.New("not a valid CIDR block")
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			if !p.IsValid() {
				return errors.New("IPv4-mapped prefix shorter than /96")
			}
		}
		// Host bits are common in hand-written lists (10.1.2.3/8); the
		// intent is the block, so mask rather than refuse.
		l.Prefixes = append(l.Prefixes, p.Masked())
		return nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return errors.New("IPv6 zone not allowed in a threat list")
		}
		a = a.Unmap()
		l.Prefixes = append(l.Prefixes, netip.PrefixFrom(a, a.BitLen()))
		return nil
	}
	d, err := normalizeDomain(s)
	if err != nil {
		return err
	}
	l.Domains = append(l.Domains, d)
	return nil
}

// clip keeps error messages readable when a line is long garbage.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
