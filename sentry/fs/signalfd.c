/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signalfd: the pending signals of a mask, read as struct signalfd_siginfo
 * records (signalfd(2)).  Like Linux, what is read and polled are the
 * signals pending for the task doing the read or poll (its own and its
 * process's), not those of the task that created the file.
 */
#include "eventfd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"

#define SFD_SIGNAL_CHECK_NS (50 * NSEC_PER_MSEC)

struct sfd {
	uint64_t mask; /* atomic: signalfd4 on the fd replaces it */
	uint64_t ino;
};

static uint64_t sfd_ino_next = 1;
static const struct file_ops sfd_ops;

int signalfd_file_is(struct file *f)
{
	return f->ops == &sfd_ops;
}

void signalfd_file_set_mask(struct file *f, uint64_t mask)
{
	__atomic_store_n(&((struct sfd *)f->priv)->mask, mask, __ATOMIC_RELAXED);
}

static void to_ssi(const siginfo_t *in, struct signalfd_siginfo *out)
{
	memset(out, 0, sizeof(*out));
	out->ssi_signo = (uint32_t)in->si_signo;
	out->ssi_errno = in->si_errno;
	out->ssi_code = in->si_code;
	out->ssi_pid = (uint32_t)in->si_pid;
	out->ssi_uid = in->si_uid;
	out->ssi_status = in->si_status;
	out->ssi_int = in->si_value.sival_int;
	out->ssi_ptr = (uint64_t)(uintptr_t)in->si_value.sival_ptr;
	if (in->si_signo == SIGSEGV || in->si_signo == SIGBUS || in->si_signo == SIGILL ||
	    in->si_signo == SIGFPE)
		out->ssi_addr = (uint64_t)(uintptr_t)in->si_addr;
}

static ssize_t sfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct sfd *s = f->priv;
	size_t n = 0;
	int nb;

	(void)off;
	if (len < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	nb = !!(f->flags & O_NONBLOCK);
	pthread_mutex_unlock(&f->lock);
	for (;;) {
		uint32_t seq = vfs_notify_seq();
		uint64_t mask = __atomic_load_n(&s->mask, __ATOMIC_RELAXED);
		int r;

		pthread_mutex_lock(&t->k->lock);
		while (n + sizeof(struct signalfd_siginfo) <= len) {
			siginfo_t info;

			if (!signal_dequeue_locked(t, mask, &info))
				break;
			to_ssi(&info, (struct signalfd_siginfo *)((uint8_t *)buf + n));
			n += sizeof(struct signalfd_siginfo);
		}
		pthread_mutex_unlock(&t->k->lock);
		if (n)
			return (ssize_t)n;
		if (nb)
			return -EAGAIN;
		r = task_interrupted(t, -ERESTARTSYS);
		if (r < 0)
			return r;
		task_block_begin(t);
		vfs_notify_wait(seq, mono_ns() + SFD_SIGNAL_CHECK_NS);
		task_block_end(t);
	}
}

static unsigned sfd_poll(struct file *f)
{
	struct sfd *s = f->priv;
	struct task *t = task_current();
	uint64_t mask = __atomic_load_n(&s->mask, __ATOMIC_RELAXED), pend;

	if (!t)
		return 0;
	pthread_mutex_lock(&t->k->lock);
	pend = (t->sig.pending.set | t->tg->sig.shared.set) & mask;
	pthread_mutex_unlock(&t->k->lock);
	return pend ? POLLIN | POLLRDNORM : 0;
}

static int sfd_fstat(struct file *f, struct stat *st)
{
	return anon_fstat(st, ((struct sfd *)f->priv)->ino);
}

static void sfd_release(struct file *f)
{
	free(f->priv);
}

static const struct file_ops sfd_ops = {
	.read = sfd_read,
	.poll = sfd_poll,
	.fstat = sfd_fstat,
	.release = sfd_release,
};

int signalfd_file_new(uint64_t mask, unsigned flags, struct file **ret)
{
	struct sfd *s = calloc(1, sizeof(*s));
	struct file *f;

	if (!s)
		return -ENOMEM;
	s->mask = mask;
	s->ino = __atomic_fetch_add(&sfd_ino_next, 1, __ATOMIC_RELAXED);
	f = file_new(&sfd_ops, s, O_RDONLY | (flags & SFD_NONBLOCK ? O_NONBLOCK : 0));
	if (!f) {
		free(s);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

int signalfd_ckpt_get(struct file *f, uint64_t *ret_mask)
{
	if (!signalfd_file_is(f))
		return -EINVAL;
	*ret_mask = __atomic_load_n(&((struct sfd *)f->priv)->mask, __ATOMIC_RELAXED);
	return 0;
}
