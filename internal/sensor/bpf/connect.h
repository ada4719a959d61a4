/* SPDX-License-Identifier: GPL-2.0 */
/*
 * connect(2): emitted at sys_exit, when the result is known. The sockaddr is
 * read from user memory then (the kernel has just copied it, so its page is
 * present), the protocol from the socket behind the fd.
 */
#pragma once

#include "sock.h"

static __always_inline void emit_connect(int fd, const void *uaddr, u32 alen, long ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct sock_dest d = {};
	u16 family = 0;

	if (!uaddr || alen < sizeof(family) ||
	    bpf_probe_read_user(&family, sizeof(family), uaddr))
		return;
	if (family != AF_UNIX && !user_inet_addr(uaddr, alen, &d))
		return; /* AF_UNSPEC (UDP disconnect), netlink, vsock, … */

	struct connect_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	fill_hdr(&e->hdr, KIND_CONNECT, task);
	e->result = ret;
	e->family = family;
	e->port = d.port;
	__builtin_memcpy(e->addr, d.addr, sizeof(e->addr));
	e->addrlen = alen > 0xffff ? 0xffff : alen;
	e->unix_path[0] = 0;
	if (family == AF_UNIX) {
		/* sun_path is not NUL-terminated when full, and abstract names
		 * start with NUL: copy raw bytes, Go uses addrlen. */
		u64 n = alen > 2 ? alen - 2 : 0;
		if (n > UNIX_PATH_BYTES)
			n = UNIX_PATH_BYTES;
		barrier_var(n); /* keep the clamp on the register the helper gets */
		if (bpf_probe_read_user(e->unix_path, n, uaddr + 2))
			e->addrlen = 2;
	}
	struct sock *sk = fd_sock(task, fd);
	e->protocol = family == AF_UNIX ? 0 : sock_protocol(sk);
	e->sock_type = sock_type(sk);
	bpf_ringbuf_submit(e, 0);
}
