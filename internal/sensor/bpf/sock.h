/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Socket helpers shared by connect and DNS: the struct sock behind a file
 * descriptor (task->files->fdt->fd[fd], CO-RE) and user sockaddr decoding.
 */
#pragma once

#include "common.h"
#include <bpf/bpf_endian.h>

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define S_IFMT 0170000
#define S_IFSOCK 0140000

/* User-space ABI structs (x86_64, LP64). Declared here rather than taken
 * from vmlinux.h so that no CO-RE relocation applies to user memory. */
struct u_sockaddr_in6 {
	u16 family;
	u16 port;
	u32 flowinfo;
	u8 addr[16];
	u32 scope_id;
};

struct u_sockaddr_in {
	u16 family;
	u16 port;
	u8 addr[4];
};

/* Where a socket sends to: family, port (host order) and address. */
struct sock_dest {
	u16 family;
	u16 port;
	u8 addr[16];
};

/* The socket behind fd in task's table, or NULL when fd is not a socket. */
static __always_inline struct sock *fd_sock(struct task_struct *task, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(sock, sk);
}

/* sk_protocol was a bitfield before 5.6: the PROBED read handles both. */
static __always_inline u8 sock_protocol(struct sock *sk)
{
	if (!sk)
		return 0;
	return BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
}

static __always_inline u8 sock_type(struct sock *sk)
{
	if (!sk)
		return 0;
	return BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type);
}

/* Destination of a connected socket. */
static __always_inline void sock_peer(struct sock *sk, struct sock_dest *d)
{
	d->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	d->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (d->family == AF_INET) {
		u32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(d->addr, &a, 4);
	} else if (d->family == AF_INET6) {
		BPF_CORE_READ_INTO(&d->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

/* Decodes an inet sockaddr from user memory; false for other families. */
static __always_inline bool user_inet_addr(const void *uaddr, u32 alen, struct sock_dest *d)
{
	u16 family = 0;

	if (!uaddr || alen < sizeof(struct u_sockaddr_in))
		return false;
	if (bpf_probe_read_user(&family, sizeof(family), uaddr))
		return false;
	if (family == AF_INET) {
		struct u_sockaddr_in sin = {};
		if (bpf_probe_read_user(&sin, sizeof(sin), uaddr))
			return false;
		d->family = AF_INET;
		d->port = bpf_ntohs(sin.port);
		__builtin_memcpy(d->addr, sin.addr, 4);
		return true;
	}
	if (family == AF_INET6 && alen >= sizeof(struct u_sockaddr_in6)) {
		struct u_sockaddr_in6 sin6 = {};
		if (bpf_probe_read_user(&sin6, sizeof(sin6), uaddr))
			return false;
		d->family = AF_INET6;
		d->port = bpf_ntohs(sin6.port);
		__builtin_memcpy(d->addr, sin6.addr, 16);
		return true;
	}
	return false;
}
