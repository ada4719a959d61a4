/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared definitions of the vigil sensor: record layouts (mirrored by
 * internal/sensor/decode.go, checked by layout_test.go), maps and the
 * process header every record starts with.
 *
 * Kernel requirements: BTF (CO-RE), BPF ring buffer (5.8+),
 * bpf_ktime_get_boot_ns in tracing programs (5.8+), bounded loops (5.3+).
 */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Record kinds; the values equal event.Kind so Go can cast them. */
#define KIND_EXEC 1
#define KIND_FORK 2
#define KIND_EXIT 3
#define KIND_CONNECT 4
#define KIND_DNS 5
#define KIND_OPEN 6

#define TASK_COMM_LEN 16
#define FILENAME_MAX_BYTES 512 /* bprm->filename; longer is truncated */
#define ARGS_MAX_BYTES 2048    /* argv area; power of two (masking) */
#define CWD_MAX_BYTES 1024     /* power of two (masking) */
#define NAME_MAX_BYTES 256     /* one dentry name incl. NUL */
#define CWD_MAX_DEPTH 64       /* walk steps: names plus mount crossings */
#define OPEN_PATH_BYTES 512
#define PREFIX_BYTES 64        /* compared by the LPM trie */
#define UNIX_PATH_BYTES 108    /* sizeof(sun_path) */
#define DNS_CAPTURE_BYTES 512
#define DNS_MAX_MSGS 4         /* sendmmsg messages inspected per call */

/* 80 bytes. Process identity, filled for every record. */
struct event_hdr {
	u8 kind;
	u8 flags;
	u16 _pad0;
	u32 pid;  /* tgid in the initial pid namespace */
	u32 tid;
	u32 ns_pid; /* tgid in the task's own pid namespace */
	u32 ppid;   /* real_parent->tgid */
	u32 uid, gid, euid, egid;
	u32 _pad1;
	u64 ktime_ns;      /* CLOCK_BOOTTIME of the event */
	u64 start_boot_ns; /* group leader's start_boottime */
	u64 cgroup_id;     /* cgroup v2 (default hierarchy) id */
	char comm[TASK_COMM_LEN];
};

/* hdr.flags */
#define FLAG_ARGS_TRUNCATED 1
#define FLAG_CWD_TRUNCATED 2
#define FLAG_PATH_TRUNCATED 4

struct exec_event {
	struct event_hdr hdr;
	u16 filename_len; /* bytes incl. NUL as returned by probe_read_str */
	u16 args_len;
	u16 cwd_len;      /* bytes of cwd components, leaf first */
	u16 cwd_depth;
	char filename[FILENAME_MAX_BYTES];
	char args[ARGS_MAX_BYTES];
	/* Components of the cwd, leaf first, each NUL-terminated: Go reverses
	 * them. Writing forward avoids negative variable offsets that the
	 * verifier cannot bound. Slack of one name for masked offsets. */
	char cwd[CWD_MAX_BYTES + NAME_MAX_BYTES];
};

struct exit_event {
	struct event_hdr hdr;
	s32 exit_code; /* wait(2) status */
	u32 _pad;
};

struct connect_event {
	struct event_hdr hdr;
	s32 result;
	u16 family;
	u16 port; /* host byte order */
	u8 protocol; /* IPPROTO_TCP / IPPROTO_UDP / 0 */
	u8 sock_type;
	u16 addrlen;
	u8 addr[16];
	char unix_path[UNIX_PATH_BYTES];
};

struct dns_event {
	struct event_hdr hdr;
	u16 family;
	u16 port;
	u8 addr[16];
	u32 payload_len; /* bytes the process sent */
	u16 captured;    /* bytes copied below */
	u8 protocol;
	u8 _pad;
	u8 payload[DNS_CAPTURE_BYTES];
};

struct open_event {
	struct event_hdr hdr;
	s32 result;
	u32 flags;
	u32 mode;
	/* prefix_bits and path together form the LPM-trie key used for the
	 * read-only path filter, so the lookup needs no extra copy. */
	u32 prefix_bits;
	char path[OPEN_PATH_BYTES];
};

struct prefix_key {
	u32 prefix_bits;
	char data[PREFIX_BYTES];
};

/* Referenced so that clang emits their BTF and bpf2go (-type) generates
 * the Go structs layout_test.go compares the decoder's offsets with. */
const struct exec_event *unused_exec __attribute__((unused));
const struct exit_event *unused_exit __attribute__((unused));
const struct connect_event *unused_connect __attribute__((unused));
const struct dns_event *unused_dns __attribute__((unused));
const struct open_event *unused_open __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized from Go (Config.RingBufferBytes) */
} events SEC(".maps");

/* Ring buffer reservations that failed: events the kernel lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} lost SEC(".maps");

/* Thread-group ids whose activity is never reported (the agent itself). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u8);
} excluded_pids SEC(".maps");

static __always_inline void count_lost(void)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&lost, &zero);
	if (n)
		*n += 1; /* per-CPU: no atomics needed */
}

static __always_inline bool pid_excluded(u32 tgid)
{
	return bpf_map_lookup_elem(&excluded_pids, &tgid) != NULL;
}

/* tgid of the task in the pid namespace it lives in. */
static __always_inline u32 task_ns_tgid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	return BPF_CORE_READ(pid, numbers[level].nr);
}

static __always_inline u64 task_cgroup_id(struct task_struct *task)
{
	/* Same as bpf_get_current_cgroup_id(), for any task: the default
	 * (v2) hierarchy's cgroup, also on v1 hybrid hosts. */
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

static __always_inline void fill_hdr(struct event_hdr *h, u8 kind,
				     struct task_struct *task)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);

	h->kind = kind;
	h->flags = 0;
	h->_pad0 = 0;
	h->_pad1 = 0;
	h->pid = BPF_CORE_READ(task, tgid);
	h->tid = BPF_CORE_READ(task, pid);
	h->ns_pid = task_ns_tgid(task);
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = BPF_CORE_READ(cred, uid.val);
	h->gid = BPF_CORE_READ(cred, gid.val);
	h->euid = BPF_CORE_READ(cred, euid.val);
	h->egid = BPF_CORE_READ(cred, egid.val);
	h->ktime_ns = bpf_ktime_get_boot_ns();
	h->start_boot_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	h->cgroup_id = task_cgroup_id(task);
	BPF_CORE_READ_STR_INTO(&h->comm, task, comm);
}
