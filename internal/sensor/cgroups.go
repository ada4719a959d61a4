package sensor

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
	b := make([]byte, len(v.Path)) // bpf2go types char arrays as int8
	for i, c := range v.Path {
		b[i] = byte(c)
	}
	p := cString(b)
	if p == "" || p[0] != '/' {
		return "", false
	}
	return p, true
}
