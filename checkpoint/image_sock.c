/* SPDX-License-Identifier: Apache-2.0 */
/* The invariants of the AF_UNIX sockets of an image (img_state_check):
 * ids unique and resolvable, one file per socket, every embryo in exactly
 * one accept queue, bounded names and queues. */
#include "checkpoint/image.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

static size_t sock_index(const ImgState *s, uint32_t id)
{
	for (size_t i = 0; i < s->n_unix_sockets; i++)
		if (s->unix_sockets[i]->id == id)
			return i;
	return SIZE_MAX;
}

static int addr_ok(const ProtobufCBinaryData *a)
{
	return a->len == 0 ||
	       (a->len >= sizeof(sa_family_t) && a->len <= sizeof(struct sockaddr_un) &&
		a->data[0] == AF_UNIX && a->data[1] == 0);
}

static int path_ok(const char *p)
{
	size_t len = strlen(p);

	return len == 0 || (p[0] == '/' && len < 4096 && !strstr(p, "/../") && !strstr(p, "/./") &&
			    strcmp(p + (len >= 3 ? len - 3 : 0), "/..") &&
			    strcmp(p + (len >= 2 ? len - 2 : 0), "/."));
}

int img_check_unix_sockets(const ImgState *s, struct img_error *err)
{
	uint64_t queued = 0;

	if (s->n_unix_sockets > 8192)
		return img_fail(err, -EBADMSG, "state: too many sockets");
	for (size_t i = 0; i < s->n_unix_sockets; i++) {
		const Cvisor__Ckpt__UnixSocket *u = s->unix_sockets[i];
		size_t nfiles = 0, nqueues = 0;

		if (u->id == 0 || sock_index(s, u->id) != i)
			return img_fail(err, -EBADMSG, "state: socket %u: bad or repeated id",
					u->id);
		if (u->type != SOCK_STREAM && u->type != SOCK_DGRAM && u->type != SOCK_SEQPACKET)
			return img_fail(err, -EBADMSG, "state: socket %u: bad type", u->id);
		if ((unsigned)u->state > CVISOR__CKPT__UNIX_SOCKET__STATE__CONNECTED ||
		    (u->type == SOCK_DGRAM &&
		     u->state == CVISOR__CKPT__UNIX_SOCKET__STATE__LISTENING) ||
		    (u->shut & ~3u) || u->err < 0 || u->err > 4095 || u->backlog < 0 ||
		    u->backlog > 4096 || u->sndbuf < 0 || u->sndbuf > (1 << 20) || u->rcvbuf < 0 ||
		    u->rcvbuf > (1 << 20) || u->rcvtimeo_ns > (1ULL << 62) ||
		    u->sndtimeo_ns > (1ULL << 62) || (u->dead && u->has_file))
			return img_fail(err, -EBADMSG, "state: socket %u: bad state", u->id);
		if (!addr_ok(&u->addr) || !path_ok(u->bound_path) ||
		    (u->bound && u->addr.len <= sizeof(sa_family_t)) ||
		    (u->bound_path[0] && (!u->bound || u->addr.len <= sizeof(sa_family_t) + 1)))
			return img_fail(err, -EBADMSG, "state: socket %u: bad name", u->id);
		if (u->peer_id && (sock_index(s, u->peer_id) == SIZE_MAX || u->peer_id == u->id))
			return img_fail(err, -EBADMSG, "state: socket %u: no peer %u", u->id,
					u->peer_id);
		if (u->dead &&
		    (u->bound || u->peer_id || u->n_queue || u->n_accept_queue || u->bound_path[0]))
			return img_fail(err, -EBADMSG,
					"state: socket %u: a closed socket with state", u->id);
		if (u->n_accept_queue && (u->state != CVISOR__CKPT__UNIX_SOCKET__STATE__LISTENING ||
					  u->n_accept_queue > 4097))
			return img_fail(err, -EBADMSG, "state: socket %u: bad accept queue", u->id);
		for (size_t j = 0; j < u->n_accept_queue; j++) {
			size_t e = sock_index(s, u->accept_queue[j]);

			if (e == SIZE_MAX || s->unix_sockets[e]->has_file ||
			    s->unix_sockets[e]->dead || s->unix_sockets[e]->n_accept_queue ||
			    s->unix_sockets[e]->type != u->type ||
			    s->unix_sockets[e]->state !=
				CVISOR__CKPT__UNIX_SOCKET__STATE__CONNECTED)
				return img_fail(err, -EBADMSG,
						"state: socket %u: bad queued connection", u->id);
		}
		if (u->n_queue > 65536)
			return img_fail(err, -EBADMSG, "state: socket %u: queue too long", u->id);
		for (size_t j = 0; j < u->n_queue; j++) {
			const Cvisor__Ckpt__UnixChunk *c = u->queue[j];

			if (sock_index(s, c->sender_id) == SIZE_MAX || !addr_ok(&c->from) ||
			    (c->has_cred && !c->cred) || c->n_file_ids > 253)
				return img_fail(err, -EBADMSG,
						"state: socket %u: bad queued message", u->id);
			for (size_t k = 0; k < c->n_file_ids; k++) {
				size_t f = 0;

				while (f < s->n_files && s->files[f]->id != c->file_ids[k])
					f++;
				if (f == s->n_files)
					return img_fail(err, -EBADMSG,
							"state: socket %u: no file %u in flight",
							u->id, c->file_ids[k]);
			}
			queued += c->data.len;
		}
		if ((u->has_peercred && !u->peercred))
			return img_fail(err, -EBADMSG, "state: socket %u: bad credentials", u->id);
		/* a socket lives in one file, or (alive) in one accept queue */
		for (size_t j = 0; j < s->n_files; j++)
			if (s->files[j]->kind == CVISOR__CKPT__FILE__KIND__UNIX_SOCKET &&
			    s->files[j]->unix_sock_id == u->id)
				nfiles++;
		for (size_t j = 0; j < s->n_unix_sockets; j++)
			for (size_t q = 0; q < s->unix_sockets[j]->n_accept_queue; q++)
				nqueues += s->unix_sockets[j]->accept_queue[q] == u->id;
		if (nfiles != (u->has_file ? 1u : 0u) ||
		    nqueues != (!u->has_file && !u->dead ? 1u : 0u))
			return img_fail(err, -EBADMSG,
					"state: socket %u: must be in one file or one accept queue",
					u->id);
	}
	if (queued > (256ULL << 20))
		return img_fail(err, -EBADMSG, "state: too much socket data");
	for (size_t j = 0; j < s->n_files; j++)
		if (s->files[j]->kind == CVISOR__CKPT__FILE__KIND__UNIX_SOCKET &&
		    sock_index(s, s->files[j]->unix_sock_id) == SIZE_MAX)
			return img_fail(err, -EBADMSG, "state: file %u: no socket %u",
					s->files[j]->id, s->files[j]->unix_sock_id);
	return 0;
}
