/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cgroup paths, remembered by id when a cgroup is made. Container
 * attribution turns an event's cgroup id into a path; a short-lived
 * container's cgroup may be gone from cgroupfs (and its processes from
 * /proc) by the time the agent reads the event, but its path stays here.
 * tp_btf on cgroup_mkdir: kernel BTF (5.5+); the tracepoint's path argument
 * is only computed while a probe is attached, which this program is.
 */
#pragma once

#include "common.h"
#include <bpf/bpf_tracing.h>

#define CGROUP_PATH_BYTES 512

struct cgroup_path {
	char path[CGROUP_PATH_BYTES];
};

/* LRU: the least recently made or read paths go first, so a host that
 * churns cgroups never fills it. User space reads it; nothing deletes. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct cgroup_path);
} cgroup_paths SEC(".maps");

/* The value is too large for the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct cgroup_path);
} cgroup_scratch SEC(".maps");

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(handle_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	u32 zero = 0;

	/* Only the default (cgroup v2) hierarchy, id 0: its ids are what
	 * bpf_get_current_cgroup_id reports. v1 hierarchies of a hybrid host
	 * make their own directories for the same container. */
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	u64 id = BPF_CORE_READ(cgrp, kn, id);
	struct cgroup_path *v = bpf_map_lookup_elem(&cgroup_scratch, &zero);
	if (!v || !path)
		return 0;
	if (bpf_probe_read_kernel_str(v->path, sizeof(v->path), path) <= 0)
		return 0;
	bpf_map_update_elem(&cgroup_paths, &id, v, BPF_ANY);
	return 0;
}

const struct cgroup_path *unused_cgroup_path __attribute__((unused));
