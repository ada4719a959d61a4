package sensor

import "bytes"

// CgroupPath returns the path, relative to the cgroup2 root, of the cgroup
// v2 id the kernel made while the sensor was attached: it stays known after
// the cgroup is removed, so an event read late from a container that has
// already exited is still attributed. Cgroups made before the sensor loaded
// are not here (the container resolver walks cgroupfs for those).
func (s *Sensor) CgroupPath(id uint64) (string, bool) {
	if s.closed.Load() || s.objs.CgroupPaths == nil {
		return "", false
	}
	var v sensorCgroupPath
	if err := s.objs.CgroupPaths.Lookup(id, &v); err != nil {
		return "", false
	}
	b := make([]byte, 0, len(v.Path))
	for _, c := range v.Path {
		b = append(b, byte(c))
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 || b[0] != '/' {
		return "", false
	}
	return string(b), true
}
