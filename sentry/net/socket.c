/* SPDX-License-Identifier: Apache-2.0 */
/* Sockets of every family: the family table and the socket file type. */
#include "socket.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "hostinet.h"
#include "ifioctl.h"
#include "inet.h"
#include "netlink.h"
#include "unix.h"

#define ALL_MODES ((1u << NET_NONE) | (1u << NET_HOST))

/*
 * The families, one line each; the first entry that matches the family
 * and the sandbox's mode serves socket(2).  Add new families here.
 */
static const struct sock_family *const families[] = {
	&hostinet_family,  /* host sockets (NET_HOST) */
	&hostinet6_family,
	&unix_family,
	&inet4_family, /* the loopback netstack (NET_NONE) */
	&inet6_family,
	&netlink_family,
};

static uint64_t sock_ino_next = 10000; /* st_ino: a counter */

static const struct file_ops sock_fops;

void sock_ctl_release(struct sock_ctl *c)
{
	for (int i = 0; i < c->nfiles; i++)
		file_put(c->files[i]);
	free(c->files);
	c->files = NULL;
	c->nfiles = 0;
}

static const struct sock_family *family_of(struct task *t, int family)
{
	enum net_mode mode = t && t->k ? t->k->opts.net_mode : NET_NONE;

	for (size_t i = 0; i < ARRAY_SIZE(families); i++)
		if (families[i]->family == family && (families[i]->modes & (1u << mode)))
			return families[i];
	return NULL;
}

static unsigned fflags_of(int type)
{
	return (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
}

int sock_create(struct task *t, int family, int type, int proto, struct file **ret)
{
	const struct sock_family *fam = family_of(t, family);

	if (!fam)
		return -EAFNOSUPPORT;
	return fam->create(t, type & 0xf, proto, fflags_of(type), ret);
}

int sock_socketpair(struct task *t, int family, int type, int proto, struct file **ret_a,
		    struct file **ret_b)
{
	const struct sock_family *fam = family_of(t, family);

	if (!fam)
		return -EAFNOSUPPORT;
	if (!fam->socketpair)
		return -EOPNOTSUPP;
	return fam->socketpair(t, type & 0xf, proto, fflags_of(type), ret_a, ret_b);
}

void sock_init(struct sock *s, const struct sock_ops *ops, int family, int type, int proto)
{
	s->ops = ops;
	s->family = family;
	s->type = type;
	s->protocol = proto;
	s->ino = __atomic_fetch_add(&sock_ino_next, 1, __ATOMIC_RELAXED);
}

int sock_file_new(struct sock *s, unsigned fflags, struct file **ret)
{
	struct file *f = file_new(&sock_fops, s, O_RDWR | (fflags & O_NONBLOCK));

	if (!f)
		return -ENOMEM;
	*ret = f;
	return 0;
}

struct sock *sock_of(struct file *f)
{
	return f && f->ops == &sock_fops ? f->priv : NULL;
}

int sock_opt_int(const void *val, socklen_t len, int *ret)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(ret, val, sizeof(int));
	return 0;
}

void sock_opt_put(void *val, socklen_t *len, const void *v, size_t vlen)
{
	if (*len > vlen)
		*len = (socklen_t)vlen;
	memcpy(val, v, *len);
}

int sock_timeo_in(const void *val, socklen_t len, uint64_t *ret_ns)
{
	struct timeval tv;

	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0 || (tv.tv_sec == 0 && tv.tv_usec == 0))
		*ret_ns = 0;
	else
		*ret_ns = (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000ULL;
	return 0;
}

void sock_timeo_out(uint64_t ns, void *val, socklen_t *len)
{
	struct timeval tv = { (time_t)(ns / 1000000000ULL),
			      (suseconds_t)(ns % 1000000000ULL / 1000ULL) };

	sock_opt_put(val, len, &tv, sizeof(tv));
}

/* sock_cmsg_send for families but AF_UNIX: well-formed headers, and of
 * the SOL_SOCKET messages only those Linux takes there (SCM_RIGHTS and
 * SCM_CREDENTIALS are ignored, as inet does). */
int sock_cmsg_check(const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off + sizeof(struct cmsghdr) <= len) {
		struct cmsghdr h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			return -EINVAL;
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type != SCM_RIGHTS &&
		    h.cmsg_type != SCM_CREDENTIALS)
			return -EINVAL;
		off += CMSG_ALIGN(h.cmsg_len);
	}
	return 0;
}

static int file_nonblock(struct file *f)
{
	int nb;

	pthread_mutex_lock(&f->lock);
	nb = !!(f->flags & O_NONBLOCK);
	pthread_mutex_unlock(&f->lock);
	return nb;
}

static ssize_t sock_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct sock *s = f->priv;
	struct sock_recv_info info;
	ssize_t r;

	(void)off;
	if (!s->ops->recv)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	r = s->ops->recv(t, s, buf, len, 0, file_nonblock(f), &info);
	sock_ctl_release(&info.ctl);
	return r;
}

static ssize_t sock_write(struct file *f, struct task *t, const void *buf, size_t len,
			  int64_t *off)
{
	struct sock *s = f->priv;

	(void)off;
	if (len == 0 && s->type == SOCK_STREAM)
		return 0; /* a datagram socket sends an empty message (Linux) */
	if (!s->ops->send)
		return -EINVAL;
	return s->ops->send(t, s, buf, len, 0, file_nonblock(f), NULL, NULL);
}

static unsigned sock_poll(struct file *f)
{
	struct sock *s = f->priv;

	return s->ops->poll ? s->ops->poll(s) : 0;
}

static int64_t sock_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct sock *s = f->priv;
	int64_t r = s->ops->ioctl ? s->ops->ioctl(t, s, cmd, arg) : -ENOTTY;

	/* sock_do_ioctl: what the family does not answer goes to the
	 * interface ioctls, on a socket of any family (glibc's
	 * if_nametoindex uses AF_NETLINK or AF_UNIX): dev_ioctl, and
	 * devinet_ioctl first for AF_INET (sentry/net/ifioctl.h) */
	if (r == -ENOTTY)
		r = s->family == AF_INET ? if_inet_ioctl(t, cmd, arg) : if_ioctl(t, cmd, arg);
	return r;
}

static int sock_fstat(struct file *f, struct stat *st)
{
	struct sock *s = f->priv;

	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFSOCK | 0777;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_dev = 0x8; /* sockfs */
	st->st_ino = (ino_t)s->ino;
	return 0;
}

static void sock_release(struct file *f)
{
	struct sock *s = f->priv;

	s->ops->release(s);
}

static const struct file_ops sock_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.fstat = sock_fstat,
	.release = sock_release,
};

uint64_t sock_deadline(uint64_t timeo_ns)
{
	return timeo_ns ? mono_ns() + timeo_ns : 0;
}

int sock_wait(struct task *t, pthread_cond_t *cond, pthread_mutex_t *lock, uint64_t deadline)
{
	int r = t ? task_interrupted(t, deadline ? -EINTR : -ERESTARTSYS) : 0;
	uint64_t slice = 50 * NSEC_PER_MSEC, now;
	struct timespec ts;

	if (r < 0)
		return r;
	now = mono_ns();
	if (deadline && now >= deadline)
		return -EAGAIN;
	if (deadline && deadline - now < slice)
		slice = deadline - now;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)slice;
	while (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	task_block_begin(t);
	pthread_cond_timedwait(cond, lock, &ts);
	task_block_end(t);
	return 0;
}
