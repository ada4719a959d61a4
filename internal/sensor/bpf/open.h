/* SPDX-License-Identifier: GPL-2.0 */
/*
 * open/openat/openat2/creat, emitted at sys_exit with the result.
 *
 * Volume filter (in-kernel): an open is reported when it has write intent
 * (O_WRONLY, O_RDWR, O_CREAT or O_TRUNC), or when its path, as passed, starts
 * with one of the prefixes in open_prefixes (an LPM trie filled from Go:
 * defaults such as /var/run/docker.sock plus Config.OpenPathPrefixes).
 * Read-only opens are most of all opens (libraries, locale, /proc readers)
 * and no detector needs them except for those sensitive paths.
 * Limitation: relative paths are matched as passed (not resolved).
 */
#pragma once

#include "common.h"

#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000
#define WRITE_INTENT (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required for LPM tries */
	__type(key, struct prefix_key);
	__type(value, u8);
} open_prefixes SEC(".maps");

/* The open record is larger than the 512-byte stack: build it here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct open_event);
} open_scratch SEC(".maps");

/* User ABI of struct open_how (openat2). */
struct u_open_how {
	u64 flags;
	u64 mode;
	u64 resolve;
};

static __always_inline void emit_open(const char *upath, u32 flags, u32 mode, long ret)
{
	u32 zero = 0;
	struct open_event *e = bpf_map_lookup_elem(&open_scratch, &zero);
	if (!e)
		return;

	long n = bpf_probe_read_user_str(e->path, sizeof(e->path), upath);
	if (n <= 0)
		e->path[0] = 0;
	if (!(flags & WRITE_INTENT)) {
		/* The key is prefix_bits followed by the path's first bytes; a
		 * NUL inside the path ends any match longer than the path. */
		e->prefix_bits = PREFIX_BYTES * 8;
		if (n <= 0 || !bpf_map_lookup_elem(&open_prefixes, &e->prefix_bits))
			return;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	fill_hdr(&e->hdr, KIND_OPEN, task);
	if (n >= (long)sizeof(e->path))
		e->hdr.flags |= FLAG_PATH_TRUNCATED;
	e->result = ret;
	e->flags = flags;
	e->mode = mode;
	e->prefix_bits = 0;
	if (bpf_ringbuf_output(&events, e, sizeof(*e), 0))
		count_lost();
}

static __always_inline void emit_openat2(const char *upath, const void *uhow, u64 size, long ret)
{
	struct u_open_how how = {};

	if (size < sizeof(how) || bpf_probe_read_user(&how, sizeof(how), uhow))
		return;
	emit_open(upath, how.flags, how.mode, ret);
}
