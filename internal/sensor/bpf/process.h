/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process lifecycle: exec, fork (new thread groups only) and exit (when the
 * whole thread group is gone). tp_btf programs: need kernel BTF; no tracefs.
 */
#pragma once

#include "common.h"
#include <bpf/bpf_tracing.h>

/* struct mount from its embedded vfsmount, with a CO-RE relocated offset. */
static __always_inline struct mount *real_mount(struct vfsmount *vm)
{
	return (struct mount *)((void *)vm - bpf_core_field_offset(struct mount, mnt));
}

/* The exec record (~4 KiB) is built here, then copied to the ring buffer:
 * the bpf_loop callback below can reach a map value but not the caller's
 * ring-buffer reservation. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct exec_event);
} exec_scratch SEC(".maps");

struct cwd_walk {
	struct dentry *d;
	struct vfsmount *vm;
	struct mount *mnt;
	struct dentry *root_d;
	struct vfsmount *root_m;
	u32 off;
	u16 depth;
	u16 done;
};

/* One step of the cwd walk: a mount crossing or one name, leaf first. */
static long cwd_step(u32 index, void *ctx)
{
	struct cwd_walk *w = ctx;
	u32 zero = 0;
	struct exec_event *e = bpf_map_lookup_elem(&exec_scratch, &zero);

	if (!e)
		return 1;
	/* Plain locals: BPF_CORE_READ on w->x would emit CO-RE relocations
	 * against struct cwd_walk, which the kernel's BTF does not have. */
	struct dentry *d = w->d;
	struct vfsmount *vm = w->vm;
	struct mount *mnt = w->mnt;
	u32 off = w->off;

	if (d == w->root_d && vm == w->root_m) {
		w->done = 1;
		return 1;
	}
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	if (d == BPF_CORE_READ(vm, mnt_root) || d == parent) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
		if (up == mnt || !up) { /* root of the mount namespace */
			w->done = 1;
			return 1;
		}
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		w->vm = (struct vfsmount *)((void *)up + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	if (off >= CWD_MAX_BYTES)
		return 1;
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);
	long n = bpf_probe_read_kernel_str(&e->cwd[off & (CWD_MAX_BYTES - 1)],
					   NAME_MAX_BYTES, name);
	if (n <= 0)
		return 1;
	w->off += n;
	w->depth++;
	w->d = parent;
	return 0;
}

/*
 * Walks the cwd from its dentry up to the task's root (or the root of its
 * mount namespace), crossing mount points like d_path() does. bpf_d_path is
 * not allowed from tracepoints, hence the walk; bpf_loop (5.17+) keeps the
 * verifier from exploring every iteration's branches. Components are written
 * leaf first; the Go decoder reverses them.
 */
static __always_inline void read_cwd(struct exec_event *e, struct task_struct *task)
{
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct cwd_walk w = {
		.d = BPF_CORE_READ(fs, pwd.dentry),
		.vm = BPF_CORE_READ(fs, pwd.mnt),
		.root_d = BPF_CORE_READ(fs, root.dentry),
		.root_m = BPF_CORE_READ(fs, root.mnt),
	};

	w.mnt = real_mount(w.vm);
	bpf_loop(CWD_MAX_DEPTH, cwd_step, &w, 0);
	if (!w.done)
		e->hdr.flags |= FLAG_CWD_TRUNCATED;
	e->cwd_len = w.off > CWD_MAX_BYTES + NAME_MAX_BYTES ? 0 : w.off;
	e->cwd_depth = w.depth;
}

/* argv as the NUL-separated bytes between mm->arg_start and arg_end. */
static __always_inline void read_args(struct exec_event *e, struct task_struct *task)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	unsigned long len = end > start ? end - start : 0;

	if (len >= ARGS_MAX_BYTES) {
		len = ARGS_MAX_BYTES - 1;
		e->hdr.flags |= FLAG_ARGS_TRUNCATED;
	}
	len &= ARGS_MAX_BYTES - 1;
	/* The argv pages were just written by exec: they are present. */
	if (bpf_probe_read_user(e->args, len, (void *)start) < 0)
		len = 0;
	e->args_len = len;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (pid_excluded(BPF_CORE_READ(p, tgid)))
		return 0;
	u32 zero = 0;
	struct exec_event *e = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, KIND_EXEC, p);
	long n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
					   BPF_CORE_READ(bprm, filename));
	e->filename_len = n > 0 ? n : 0;
	read_args(e, p);
	read_cwd(e, p);
	if (bpf_ringbuf_output(&events, e, sizeof(*e), 0))
		count_lost();
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	/* Threads share the tgid of their creator: only new processes. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	if (pid_excluded(BPF_CORE_READ(parent, tgid)))
		return 0;
	struct exit_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return 0;
	}
	fill_hdr(&e->hdr, KIND_FORK, child);
	e->exit_code = 0;
	e->_pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p)
{
	/*
	 * do_exit() decrements signal->live before this tracepoint on every
	 * kernel since 2.6: zero means the last thread of the group is exiting.
	 * (6.16+ also passes group_dead; reading live keeps older kernels.)
	 */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (pid_excluded(BPF_CORE_READ(p, tgid)))
		return 0;
	struct exit_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return 0;
	}
	fill_hdr(&e->hdr, KIND_EXIT, p);
	e->exit_code = BPF_CORE_READ(p, exit_code);
	e->_pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
