/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DNS queries over UDP to any port, seen at sys_enter of sendto, sendmsg,
 * sendmmsg and write. Only payloads on UDP sockets whose header looks like a
 * query (QR=0, QDCOUNT>=1) are forwarded; Go parses the question. The
 * destination comes from the sockaddr, or from the socket when connected
 * (glibc's resolver connects, then uses sendmmsg for A+AAAA).
 */
#pragma once

#include "sock.h"

#define DNS_HEADER_BYTES 12
#define DNS_MIN_QUERY 17 /* header + root name (1) + qtype + qclass */

/* User ABI of struct user_msghdr / mmsghdr / iovec on x86_64. */
struct u_iovec {
	u64 base;
	u64 len;
};

struct u_msghdr {
	u64 name;
	s32 namelen;
	u32 _pad0;
	u64 iov;
	u64 iovlen;
	u64 control;
	u64 controllen;
	u32 flags;
	u32 _pad1;
};

struct u_mmsghdr {
	struct u_msghdr hdr;
	u32 len;
	u32 _pad;
};

static __always_inline bool looks_like_query(const void *buf, u64 len)
{
	u8 h[DNS_HEADER_BYTES];

	if (!buf || len < DNS_MIN_QUERY)
		return false;
	if (bpf_probe_read_user(h, sizeof(h), buf))
		return false;
	if (h[2] & 0x80) /* QR: a response */
		return false;
	return ((h[4] << 8) | h[5]) >= 1; /* QDCOUNT */
}

/* Emits one DNS record if fd is a UDP socket and buf holds a query. */
static __always_inline void dns_send(struct task_struct *task, int fd, const void *buf,
				     u64 len, const void *uaddr, u32 alen)
{
	if (!looks_like_query(buf, len))
		return;
	struct sock *sk = fd_sock(task, fd);
	if (!sk || sock_protocol(sk) != IPPROTO_UDP)
		return;

	struct sock_dest d = {};
	if (!user_inet_addr(uaddr, alen, &d))
		sock_peer(sk, &d);

	struct dns_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return;
	}
	fill_hdr(&e->hdr, KIND_DNS, task);
	e->family = d.family;
	e->port = d.port;
	__builtin_memcpy(e->addr, d.addr, sizeof(e->addr));
	e->payload_len = len > 0xffffffff ? 0xffffffff : len;
	e->protocol = IPPROTO_UDP;
	e->_pad = 0;
	u64 n = len > DNS_CAPTURE_BYTES ? DNS_CAPTURE_BYTES : len;
	barrier_var(n); /* keep the clamp on the register the helper gets */
	if (bpf_probe_read_user(e->payload, n, buf))
		n = 0;
	e->captured = n;
	bpf_ringbuf_submit(e, 0);
}

/* sendmsg and each sendmmsg message: the first iovec holds the query. */
static __always_inline void dns_msghdr(struct task_struct *task, int fd, const struct u_msghdr *m)
{
	struct u_iovec iov = {};

	if (!m->iov || m->iovlen < 1)
		return;
	if (bpf_probe_read_user(&iov, sizeof(iov), (void *)m->iov))
		return;
	dns_send(task, fd, (void *)iov.base, iov.len, (void *)m->name,
		 m->namelen < 0 ? 0 : m->namelen);
}

static __always_inline void dns_sendmsg(int fd, const void *umsg)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct u_msghdr m = {};

	if (bpf_probe_read_user(&m, sizeof(m), umsg))
		return;
	dns_msghdr(task, fd, &m);
}

static __always_inline void dns_sendmmsg(int fd, const void *uvec, u32 vlen)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();

	for (u32 i = 0; i < DNS_MAX_MSGS && i < vlen; i++) {
		struct u_mmsghdr mm = {};
		if (bpf_probe_read_user(&mm, sizeof(mm), uvec + i * sizeof(mm)))
			return;
		dns_msghdr(task, fd, &mm.hdr);
	}
}

static __always_inline void dns_sendto(int fd, const void *buf, u64 len, const void *uaddr, u32 alen)
{
	dns_send((struct task_struct *)bpf_get_current_task_btf(), fd, buf, len, uaddr, alen);
}
