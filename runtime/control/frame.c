/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/control/frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/macro.h"

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int ctl_frame_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * CTL_FRAME_MAX_FDS)];
		struct cmsghdr align;
	} cm;
	uint8_t hdr[4];
	size_t sent = 0, total = len + 4;

	if (len > CTL_FRAME_MAX || nfds > CTL_FRAME_MAX_FDS)
		return -EMSGSIZE;
	put_le32(hdr, (uint32_t)len);
	while (sent < total) {
		struct iovec iov[2];
		struct msghdr mh = { 0 };
		int niov = 0;
		ssize_t n;

		if (sent < 4)
			iov[niov++] = (struct iovec){ hdr + sent, 4 - sent };
		if (len > 0 && sent < total) {
			size_t off = sent < 4 ? 0 : sent - 4;

			iov[niov++] = (struct iovec){ (char *)buf + off, len - off };
		}
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)niov;
		if (sent == 0 && nfds > 0) {
			struct cmsghdr *c;

			memset(&cm, 0, sizeof(cm));
			mh.msg_control = cm.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
		}
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return neg_errno();
		}
		sent += (size_t)n;
	}
	return 0;
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Read exactly @len bytes, collecting fds; 0 with *got < @len at EOF. */
static int recv_full(int sock, void *buf, size_t len, size_t *got, int *fds, size_t *nfds,
		     int *bad_fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * CTL_FRAME_MAX_FDS)];
		struct cmsghdr align;
	} cm;

	*got = 0;
	while (*got < len) {
		struct iovec iov = { (char *)buf + *got, len - *got };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return neg_errno();
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			size_t k;

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
			    c->cmsg_len < CMSG_LEN(0))
				continue;
			k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (*nfds < CTL_FRAME_MAX_FDS) {
					fds[(*nfds)++] = fd;
				} else {
					close(fd);
					*bad_fds = 1;
				}
			}
		}
		if (mh.msg_flags & MSG_CTRUNC)
			*bad_fds = 1;
		if (n == 0)
			return 0;
		*got += (size_t)n;
	}
	return 0;
}

int ctl_frame_recv(int sock, void **ret_buf, size_t *ret_len, int *fds, size_t *ret_nfds)
{
	int myfds[CTL_FRAME_MAX_FDS];
	size_t nfds = 0, got;
	uint8_t hdr[4];
	uint8_t *buf = NULL;
	uint32_t len;
	int bad = 0, r;

	r = recv_full(sock, hdr, 4, &got, myfds, &nfds, &bad);
	if (r < 0)
		goto fail;
	if (got == 0 && nfds == 0)
		return 0;
	if (got < 4) {
		r = -EPROTO;
		goto fail;
	}
	len = get_le32(hdr);
	if (len > CTL_FRAME_MAX) {
		r = -EMSGSIZE;
		goto fail;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		r = -ENOMEM;
		goto fail;
	}
	r = recv_full(sock, buf, len, &got, myfds, &nfds, &bad);
	if (r == 0 && got < len)
		r = -EPROTO;
	if (r == 0 && bad)
		r = -EBADMSG;
	if (r < 0)
		goto fail;
	memcpy(fds, myfds, nfds * sizeof(int));
	*ret_nfds = nfds;
	*ret_buf = buf;
	*ret_len = len;
	return 1;
fail:
	free(buf);
	close_fds(myfds, nfds);
	return r;
}

static int strings_ok(char **v, size_t n, size_t max_n, size_t *budget)
{
	if (n > max_n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t l;

		if (!v[i])
			return 0;
		l = strlen(v[i]) + 1;
		if (l > *budget)
			return 0;
		*budget -= l;
	}
	return 1;
}

static int path_ok(const char *p)
{
	return p && p[0] == '/' && strlen(p) < 4096;
}

int ctl_request_check(const CtlRequest *q, size_t nfds)
{
	size_t budget = CTL_STRINGS_BYTES;

	switch (q->req_case) {
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_SPAWN: {
		const Cvisor__Control__Spawn *s = q->spawn;

		if (!s || s->n_argv < 1 || !s->argv[0] || !s->argv[0][0] ||
		    !strings_ok(s->argv, s->n_argv, CTL_ARGV_MAX, &budget) ||
		    !strings_ok(s->env, s->n_env, CTL_ARGV_MAX, &budget) || s->n_groups > 64 ||
		    (s->cwd && s->cwd[0] && !path_ok(s->cwd)) || s->n_stdio_fds != 3)
			return -EINVAL;
		if (s->n_rlimits > 16)
			return -EINVAL;
		for (size_t i = 0; i < s->n_rlimits; i++)
			if (!s->rlimits[i] || s->rlimits[i]->resource >= 16 ||
			    s->rlimits[i]->soft > s->rlimits[i]->hard)
				return -EINVAL;
		for (size_t i = 0; i < 3; i++)
			if (s->stdio_fds[i] < -1 || s->stdio_fds[i] >= (int32_t)nfds)
				return -EBADF;
		for (size_t i = 0; i < 3; i++) /* one fd, one stdio slot */
			for (size_t j = 0; j < i; j++)
				if (s->stdio_fds[i] >= 0 && s->stdio_fds[i] == s->stdio_fds[j])
					return -EBADF;
		return 0;
	}
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_CHECKPOINT:
		if (!q->checkpoint)
			return -EINVAL;
		if (q->checkpoint->with_files &&
		    (q->checkpoint->files_fd < 0 || q->checkpoint->files_fd >= (int32_t)nfds ||
		     q->checkpoint->files_fd == q->checkpoint->pages_fd))
			return -EBADF;
		return q->checkpoint->pages_fd >= 0 && q->checkpoint->pages_fd < (int32_t)nfds
			       ? 0
			       : -EBADF;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_RESTORE: {
		const Cvisor__Control__Restore *m = q->restore;

		if (!m || m->n_stdio_fds != 3 || (m->state.len && !m->state.data))
			return -EINVAL;
		if (m->pages_fd < 0 || m->pages_fd >= (int32_t)nfds)
			return -EBADF;
		if (m->with_files && (m->files_fd < 0 || m->files_fd >= (int32_t)nfds ||
				      m->files_fd == m->pages_fd))
			return -EBADF;
		for (size_t i = 0; i < 3; i++) {
			if (m->stdio_fds[i] < -1 || m->stdio_fds[i] >= (int32_t)nfds ||
			    m->stdio_fds[i] == m->pages_fd)
				return -EBADF;
			for (size_t j = 0; j < i; j++)
				if (m->stdio_fds[i] >= 0 && m->stdio_fds[i] == m->stdio_fds[j])
					return -EBADF;
		}
		return 0;
	}
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_START:
		return q->start ? 0 : -EINVAL;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_WAIT:
		return q->wait ? 0 : -EINVAL;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_KILL:
		return q->kill && q->kill->signal >= 0 && q->kill->signal <= 64 ? 0 : -EINVAL;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_FILE_WRITE:
		return q->file_write && path_ok(q->file_write->path) &&
			       (q->file_write->data.len == 0 || q->file_write->data.data)
			       ? 0
			       : -EINVAL;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_FILE_READ:
		return q->file_read && path_ok(q->file_read->path) ? 0 : -EINVAL;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_FILE_LIST:
		return q->file_list && path_ok(q->file_list->path) ? 0 : -EINVAL;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_FILE_REMOVE:
		return q->file_remove && path_ok(q->file_remove->path) ? 0 : -EINVAL;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_PS:
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_PAUSE:
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_RESUME:
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_STATS:
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_SHUTDOWN:
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_PING:
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

int ctl_request_parse(const uint8_t *data, size_t len, size_t nfds, CtlRequest **ret)
{
	CtlRequest *q;
	uint32_t n;
	int r;

	if (len < 4)
		return -EPROTO;
	n = get_le32(data);
	if (n > CTL_FRAME_MAX)
		return -EMSGSIZE;
	if ((size_t)n != len - 4)
		return -EPROTO;
	q = cvisor__control__control_request__unpack(NULL, n, data + 4);
	if (!q)
		return -EBADMSG;
	r = ctl_request_check(q, nfds);
	if (r < 0) {
		ctl_request_free(q);
		return r;
	}
	*ret = q;
	return 0;
}

void ctl_request_free(CtlRequest *q)
{
	if (q)
		cvisor__control__control_request__free_unpacked(q, NULL);
}

int ctl_send_request(int sock, const CtlRequest *q, const int *fds, size_t nfds)
{
	size_t len = cvisor__control__control_request__get_packed_size(q);
	uint8_t *buf;
	int r;

	if (len > CTL_FRAME_MAX)
		return -EMSGSIZE;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	cvisor__control__control_request__pack(q, buf);
	r = ctl_frame_send(sock, buf, len, fds, nfds);
	free(buf);
	return r;
}

int ctl_send_response(int sock, const CtlResponse *p)
{
	size_t len = cvisor__control__control_response__get_packed_size(p);
	uint8_t *buf;
	int r;

	if (len > CTL_FRAME_MAX)
		return -EMSGSIZE;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	cvisor__control__control_response__pack(p, buf);
	r = ctl_frame_send(sock, buf, len, NULL, 0);
	free(buf);
	return r;
}
