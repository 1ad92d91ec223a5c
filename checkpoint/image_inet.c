/* SPDX-License-Identifier: Apache-2.0 */
/* The invariants of the loopback inet sockets of an image (img_state_check,
 * sentry/kernel/ckpt_inet.c): ids unique and resolvable, one file per
 * socket, every queued connection in exactly one accept queue, peers that
 * point at each other, 16-byte addresses, bounded ports, options and
 * queues. */
#include "checkpoint/image.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define INET_IMG_MAX 8192
#define INET_IMG_OPTS_MAX 64
#define INET_IMG_QUEUED_MAX ((uint64_t)256 << 20)

static size_t inet_index(const ImgState *s, uint32_t id)
{
	for (size_t i = 0; i < s->n_inet_sockets; i++)
		if (s->inet_sockets[i]->id == id)
			return i;
	return SIZE_MAX;
}

static int addr_ok(const ProtobufCBinaryData *a)
{
	return a->len == 0 || a->len == 16;
}

static int check_one(const ImgState *s, size_t i, uint64_t *queued, struct img_error *err)
{
	const Cvisor__Ckpt__InetSocket *u = s->inet_sockets[i];
	int stream = u->type == SOCK_STREAM;
	size_t nfiles = 0, nqueues = 0;

	if (u->id == 0 || inet_index(s, u->id) != i)
		return img_fail(err, -EBADMSG, "state: inet socket %u: bad or repeated id", u->id);
	if ((u->family != AF_INET && u->family != AF_INET6) ||
	    (u->type != SOCK_STREAM && u->type != SOCK_DGRAM) ||
	    (stream && u->protocol != IPPROTO_TCP) ||
	    (!stream && u->protocol != IPPROTO_UDP && u->protocol != IPPROTO_UDPLITE))
		return img_fail(err, -EBADMSG, "state: inet socket %u: bad family, type or protocol",
				u->id);
	if ((unsigned)u->state > CVISOR__CKPT__INET_SOCKET__STATE__SYN_SENT ||
	    (!stream && u->state != CVISOR__CKPT__INET_SOCKET__STATE__CLOSED) ||
	    (u->shut & ~3u) || u->err < 0 || u->err > 4095 || u->backlog < 0 ||
	    u->backlog > 65536 || u->sndbuf < 0 || u->sndbuf > (1 << 30) || u->rcvbuf < 0 ||
	    u->rcvbuf > (1 << 30) || u->rcvtimeo_ns > (1ULL << 62) ||
	    u->sndtimeo_ns > (1ULL << 62) || u->maxseg < 0 || u->maxseg > 65535 ||
	    u->n_opts > INET_IMG_OPTS_MAX || u->linger_secs < 0)
		return img_fail(err, -EBADMSG, "state: inet socket %u: bad state", u->id);
	if (!addr_ok(&u->laddr) || !addr_ok(&u->raddr) || u->lport > 65535 || u->rport > 65535 ||
	    (u->bound && (u->lport == 0 || u->laddr.len != 16)) ||
	    (u->rset && (u->rport == 0 || u->raddr.len != 16)))
		return img_fail(err, -EBADMSG, "state: inet socket %u: bad address", u->id);
	if (u->state == CVISOR__CKPT__INET_SOCKET__STATE__LISTEN && !u->bound)
		return img_fail(err, -EBADMSG, "state: inet socket %u: listening unbound", u->id);
	if (u->state == CVISOR__CKPT__INET_SOCKET__STATE__SYN_SENT &&
	    (!u->bound || !u->rset || u->peer_id || !u->connecting || !u->has_file))
		return img_fail(err, -EBADMSG, "state: inet socket %u: bad connect in progress",
				u->id);
	if (u->peer_id) {
		size_t p = inet_index(s, u->peer_id);

		if (p == SIZE_MAX || p == i || !stream ||
		    s->inet_sockets[p]->peer_id != u->id ||
		    u->state != CVISOR__CKPT__INET_SOCKET__STATE__ESTABLISHED)
			return img_fail(err, -EBADMSG, "state: inet socket %u: bad peer %u", u->id,
					u->peer_id);
	}
	if ((u->rdata.len && !stream) || (u->n_dgrams && stream) || u->rdata.len > (1u << 30))
		return img_fail(err, -EBADMSG, "state: inet socket %u: bad queue", u->id);
	*queued += u->rdata.len;
	for (size_t j = 0; j < u->n_dgrams; j++) {
		const Cvisor__Ckpt__InetDgram *d = u->dgrams[j];

		if (d->data.len > 65535 || d->from.len != 16 || d->to.len != 16 ||
		    d->from_port > 65535)
			return img_fail(err, -EBADMSG, "state: inet socket %u: bad datagram", u->id);
		*queued += d->data.len + 768;
	}
	if (*queued > INET_IMG_QUEUED_MAX)
		return img_fail(err, -EBADMSG, "state: inet sockets: too much queued data");
	if (u->n_accept_queue &&
	    (u->state != CVISOR__CKPT__INET_SOCKET__STATE__LISTEN || u->n_accept_queue > 65536))
		return img_fail(err, -EBADMSG, "state: inet socket %u: bad accept queue", u->id);
	for (size_t j = 0; j < u->n_accept_queue; j++) {
		size_t e = inet_index(s, u->accept_queue[j]);

		if (e == SIZE_MAX || s->inet_sockets[e]->has_file ||
		    s->inet_sockets[e]->n_accept_queue || !s->inet_sockets[e]->bound ||
		    s->inet_sockets[e]->type != SOCK_STREAM ||
		    s->inet_sockets[e]->state != CVISOR__CKPT__INET_SOCKET__STATE__ESTABLISHED)
			return img_fail(err, -EBADMSG, "state: inet socket %u: bad queued connection %u",
					u->id, u->accept_queue[j]);
	}
	for (size_t j = 0; j < s->n_files; j++)
		if (s->files[j]->kind == CVISOR__CKPT__FILE__KIND__INET_SOCKET &&
		    s->files[j]->inet_sock_id == u->id)
			nfiles++;
	for (size_t j = 0; j < s->n_inet_sockets; j++)
		for (size_t q = 0; q < s->inet_sockets[j]->n_accept_queue; q++)
			nqueues += s->inet_sockets[j]->accept_queue[q] == u->id;
	if (u->has_file ? nfiles != 1 || nqueues : nfiles || nqueues != 1)
		return img_fail(err, -EBADMSG,
				"state: inet socket %u: held by %zu files and %zu accept queues",
				u->id, nfiles, nqueues);
	return 0;
}

int img_check_inet_sockets(const ImgState *s, struct img_error *err)
{
	uint64_t queued = 0;
	int r;

	if (s->n_inet_sockets > INET_IMG_MAX)
		return img_fail(err, -EBADMSG, "state: too many inet sockets");
	for (size_t i = 0; i < s->n_inet_sockets; i++)
		if ((r = check_one(s, i, &queued, err)) < 0)
			return r;
	for (size_t j = 0; j < s->n_files; j++)
		if (s->files[j]->kind == CVISOR__CKPT__FILE__KIND__INET_SOCKET &&
		    inet_index(s, s->files[j]->inet_sock_id) == SIZE_MAX)
			return img_fail(err, -EBADMSG, "state: file %u: no inet socket %u",
					s->files[j]->id, s->files[j]->inet_sock_id);
	return 0;
}
