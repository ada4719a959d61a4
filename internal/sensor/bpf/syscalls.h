/* SPDX-License-Identifier: GPL-2.0 */
/*
 * raw_tracepoint sys_enter / sys_exit with in-kernel syscall-id filtering.
 * Raw tracepoints need no tracefs and no trampolines (fentry is refused on
 * our kernel). Arguments come from the user pt_regs; the numbers and
 * registers below are x86_64's (the only bpf2go target we build).
 *
 * connect and open need their result: sys_enter stores the arguments per
 * thread in `pending`, sys_exit takes them back and emits. DNS sends need no
 * result and are emitted at sys_enter, before the kernel consumes the data.
 */
#pragma once

#include "connect.h"
#include "dns.h"
#include "open.h"

#define NR_write 1
#define NR_open 2
#define NR_connect 42
#define NR_sendto 44
#define NR_sendmsg 46
#define NR_creat 85
#define NR_openat 257
#define NR_sendmmsg 307
#define NR_openat2 437

struct pending_call {
	u64 id;
	u64 args[4];
};

/* In-flight connect/open calls by thread. LRU: a thread that never returns
 * (killed while blocked) cannot leak an entry for ever. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, struct pending_call);
} pending SEC(".maps");

/* x86_64 syscall argument registers: di, si, dx, r10, r8, r9. */
static __always_inline void syscall_args(struct pt_regs *regs, u64 a[6])
{
	a[0] = BPF_CORE_READ(regs, di);
	a[1] = BPF_CORE_READ(regs, si);
	a[2] = BPF_CORE_READ(regs, dx);
	a[3] = BPF_CORE_READ(regs, r10);
	a[4] = BPF_CORE_READ(regs, r8);
	a[5] = BPF_CORE_READ(regs, r9);
}

static __always_inline bool current_excluded(void)
{
	return pid_excluded(bpf_get_current_pid_tgid() >> 32);
}

SEC("raw_tracepoint/sys_enter")
int sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long id = ctx->args[1];
	u64 a[6];

	switch (id) {
	case NR_write: case NR_sendto: case NR_sendmsg: case NR_sendmmsg:
	case NR_connect: case NR_open: case NR_creat: case NR_openat: case NR_openat2:
		break;
	default:
		return 0;
	}
	if (current_excluded())
		return 0;
	syscall_args(regs, a);
	switch (id) {
	case NR_write:
		dns_sendto(a[0], (void *)a[1], a[2], NULL, 0);
		return 0;
	case NR_sendto:
		dns_sendto(a[0], (void *)a[1], a[2], (void *)a[4], a[5]);
		return 0;
	case NR_sendmsg:
		dns_sendmsg(a[0], (void *)a[1]);
		return 0;
	case NR_sendmmsg:
		dns_sendmmsg(a[0], (void *)a[1], a[2]);
		return 0;
	}
	u64 key = bpf_get_current_pid_tgid();
	struct pending_call p = {.id = id, .args = {a[0], a[1], a[2], a[3]}};
	bpf_map_update_elem(&pending, &key, &p, BPF_ANY);
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long ret = ctx->args[1];
	long id = BPF_CORE_READ(regs, orig_ax);

	switch (id) {
	case NR_connect: case NR_open: case NR_creat: case NR_openat: case NR_openat2:
		break;
	default:
		return 0;
	}
	u64 key = bpf_get_current_pid_tgid();
	struct pending_call *pp = bpf_map_lookup_elem(&pending, &key);
	if (!pp)
		return 0;
	struct pending_call p = *pp;
	bpf_map_delete_elem(&pending, &key);
	if (p.id != id)
		return 0;

	switch (id) {
	case NR_connect:
		emit_connect(p.args[0], (void *)p.args[1], p.args[2], ret);
		break;
	case NR_open:
		emit_open((void *)p.args[0], p.args[1], p.args[2], ret);
		break;
	case NR_creat:
		emit_open((void *)p.args[0], O_CREAT | O_WRONLY | O_TRUNC, p.args[1], ret);
		break;
	case NR_openat:
		emit_open((void *)p.args[1], p.args[2], p.args[3], ret);
		break;
	case NR_openat2:
		emit_openat2((void *)p.args[1], (void *)p.args[2], p.args[3], ret);
		break;
	}
	return 0;
}
