// Package sensor is vigil's eBPF sensor: CO-RE programs on tp_btf and raw
// tracepoints that report exec, fork, exit, connect, DNS and file-open
// activity through one ring buffer, and the Go side that loads them
// (New), reads and decodes their records (Run, Decode) and counts what was
// lost (Stats).
//
// # Hooks
//
//   - tp_btf/sched_process_exec: exe path (bprm->filename), argv (mm
//     arg_start..arg_end, 2 KiB), cwd (dentry walk across mounts with
//     bpf_loop, up to the task's root: inside a container the path is the
//     container's view), credentials, pids, cgroup id.
//   - tp_btf/sched_process_fork: new thread-group leaders only (threads are
//     skipped); the event describes the child.
//   - tp_btf/sched_process_exit: only when signal->live reaches zero, i.e.
//     the last thread of the group exits; the code is the wait(2) status.
//   - raw_tracepoint/sys_enter + sys_exit, filtered by syscall number first:
//     connect, open, openat, openat2 and creat are remembered per thread at
//     entry and emitted at exit with their result; sendto, sendmsg, sendmmsg
//     (up to 4 messages) and write are inspected at entry for DNS queries.
//
// fentry/fexit, kprobes and BPF-LSM are not used: our kernels refuse
// trampolines and lack kprobes. Tracepoints also need no tracefs.
//
// # Filtering in the kernel
//
// Thread groups listed in Config.ExcludePIDs produce nothing (the agent
// excludes itself to avoid feedback; the fork of a child of an excluded
// process is dropped too, the child's own activity is not). DNS records
// are only sent for UDP sockets whose payload header reads QR=0 and
// QDCOUNT>=1; Go then parses the question and silently drops what is not a
// well-formed query (ErrNotDNS). Opens are only sent with write intent
// (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC) or when the path, as passed, starts
// with a prefix of DefaultOpenPathPrefixes or Config.OpenPathPrefixes (an LPM
// trie lookup): read-only opens are the bulk of all opens and no detector
// needs them elsewhere. Relative paths are not resolved, so a read-only
// open of "shadow" from /etc is not matched by "/etc/shadow".
//
// # Losses
//
// Every failed ring-buffer reservation increments a per-CPU counter
// (Stats.Lost). Run never blocks on a full output channel for more than a
// short grace period; events it had to give up are Stats.Dropped.
//
// # Kernel requirements
//
// BTF at /sys/kernel/btf/vmlinux; BPF ring buffer and
// bpf_ktime_get_boot_ns (5.8); bpf_get_current_task_btf (5.11); bpf_loop
// (5.17); root or CAP_BPF+CAP_PERFMON. The objects are built for x86_64
// only: syscall numbers and pt_regs registers are x86_64's.
//
// # Times
//
// Event times and process start times are CLOCK_BOOTTIME nanoseconds in the
// kernel (bpf_ktime_get_boot_ns and task->start_boottime, the value
// /proc/<pid>/stat reports; task->start_time is CLOCK_MONOTONIC since 5.5
// and would drift after a suspend). BootClock converts them to wall clock.
package sensor
