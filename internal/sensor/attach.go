package sensor

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// configure fills the maps the programs read their configuration from.
func (s *Sensor) configure(exclude []uint32, prefixes []sensorPrefixKey) error {
	for _, pid := range exclude {
		if err := s.objs.ExcludedPids.Put(pid, uint8(1)); err != nil {
			return fmt.Errorf("excluding pid %d: %w", pid, err)
		}
	}
	for _, k := range prefixes {
		if err := s.objs.OpenPrefixes.Update(k, uint8(1), ebpf.UpdateAny); err != nil {
			return fmt.Errorf("adding open path prefix of %d bytes: %w", k.PrefixBits/8, err)
		}
	}
	return nil
}

// prefixKey builds the LPM-trie key of a path prefix (length in bits).
func prefixKey(p string) (sensorPrefixKey, error) {
	var k sensorPrefixKey
	if p == "" || len(p) > maxPrefixLen {
		return k, fmt.Errorf("open path prefix %q: length must be 1..%d bytes", p, maxPrefixLen)
	}
	for i := 0; i < len(p); i++ {
		if p[i] == 0 {
			return k, fmt.Errorf("open path prefix %q: contains NUL", p)
		}
		k.Data[i] = int8(p[i])
	}
	k.PrefixBits = uint32(len(p) * 8)
	return k, nil
}

// attach links every program to its hook. tp_btf programs attach through
// BPF links on the BTF id of the tracepoint; raw tracepoints by name.
func (s *Sensor) attach() error {
	btfProgs := []struct {
		name string
		prog *ebpf.Program
	}{
		{"exec", s.objs.HandleExec},
		{"fork", s.objs.HandleFork},
		{"exit", s.objs.HandleExit},
		{"cgroup_mkdir", s.objs.HandleCgroupMkdir},
	}
	for _, p := range btfProgs {
		l, err := link.AttachTracing(link.TracingOptions{Program: p.prog, AttachType: ebpf.AttachTraceRawTp})
		if err != nil {
			return fmt.Errorf("attaching %s tracepoint: %w", p.name, err)
		}
		s.links = append(s.links, l)
	}
	rawProgs := []struct {
		name string
		prog *ebpf.Program
	}{
		{"sys_enter", s.objs.SysEnter},
		{"sys_exit", s.objs.SysExit},
	}
	for _, p := range rawProgs {
		l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: p.name, Program: p.prog})
		if err != nil {
			return fmt.Errorf("attaching %s raw tracepoint: %w", p.name, err)
		}
		s.links = append(s.links, l)
	}
	return nil
}
