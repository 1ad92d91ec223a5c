/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Terminal objects, controlling terminals and job control, and the ioctls
 * all terminals share.  See tty.h for the locking rules.
 */
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/notify.h"

/* termios2 requests (asm/ioctls.h spells them with a struct that
 * collides with glibc's) */
#define TTY_TCGETS2 0x802c542au
#define TTY_TCSETS2 0x402c542bu
#define TTY_TCSETSW2 0x402c542cu
#define TTY_TCSETSF2 0x402c542du

/* Linux's tty_std_termios as a pty slave starts with it. */
static const struct tty_termios std_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.c_cc = { [VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025,
		  [VEOF] = 004, [VTIME] = 0, [VMIN] = 1, [VSTART] = 021, [VSTOP] = 023,
		  [VSUSP] = 032, [VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027,
		  [VLNEXT] = 026 },
	.c_ispeed = 38400,
	.c_ospeed = 38400,
};

struct tty *tty_new(struct kernel *k, int index)
{
	struct tty *tty = calloc(1, sizeof(*tty));

	if (!tty)
		return NULL;
	tty->refs = 1;
	tty->k = k;
	tty->index = index;
	tty->host_fd = -1;
	tty->rdev = index >= 0 ? makedev(136, (unsigned)index) : 0;
	tty->tio = std_termios;
	pthread_mutex_init(&tty->lock, NULL);
	pthread_cond_init(&tty->cond, NULL);
	return tty;
}

struct tty *tty_get(struct tty *tty)
{
	if (tty)
		__atomic_add_fetch(&tty->refs, 1, __ATOMIC_RELAXED);
	return tty;
}

void devpts_release_index(void *pts, int index); /* devpts.c */

void tty_put(struct tty *tty)
{
	if (!tty || __atomic_sub_fetch(&tty->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (tty->pts)
		devpts_release_index(tty->pts, tty->index);
	tty_host_free(tty);
	pthread_mutex_destroy(&tty->lock);
	pthread_cond_destroy(&tty->cond);
	free(tty);
}

/* ---- job control (kernel.lock) ---- */

static void signal_pgrp_locked(struct kernel *k, int32_t pgrp, int sig)
{
	siginfo_t si = { .si_signo = sig, .si_code = SI_KERNEL };

	if (pgrp <= 0)
		return;
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct thread_group *g = k->tgs[i];

		if (g && g->pgid == pgrp && !g->zombie && g->ntasks > 0)
			signal_send_tg_locked(g, &si);
	}
}

void tty_signal_fg(struct tty *tty, uint64_t sigs)
{
	struct kernel *k = tty->k;

	if (!sigs)
		return;
	pthread_mutex_lock(&k->lock);
	for (int s = 1; s <= SIG_MAX; s++)
		if (sigs & SIG_BIT(s))
			signal_pgrp_locked(k, tty->pgrp, s);
	pthread_mutex_unlock(&k->lock);
}

static int sig_ignored_or_blocked_locked(struct task *t, int sig)
{
	return (t->sig.mask & SIG_BIT(sig)) ||
	       t->tg->sig.act[sig - 1].handler == (uint64_t)(uintptr_t)SIG_IGN;
}

static int job_check_locked(struct task *t, struct tty *tty, int sig)
{
	struct thread_group *tg = t->tg;

	if (tg->ctty != tty || tty->pgrp == 0 || tg->pgid == tty->pgrp)
		return 0;
	if (sig_ignored_or_blocked_locked(t, sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (process_pgrp_orphaned_locked(t->k, tg->pgid))
		return -EIO;
	signal_pgrp_locked(t->k, tg->pgid, sig);
	return -ERESTARTSYS;
}

int tty_job_check(struct task *t, struct tty *tty, int sig)
{
	int r;

	if (!t)
		return 0;
	pthread_mutex_lock(&t->k->lock);
	r = job_check_locked(t, tty, sig);
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

static void set_ctty_locked(struct thread_group *tg, struct tty *tty)
{
	tty->sid = tg->sid;
	tty->pgrp = tg->pgid;
	tty_put(tg->ctty);
	tg->ctty = tty_get(tty);
}

void tty_open_ctty(struct task *t, struct tty *tty, int noctty)
{
	struct thread_group *tg;

	if (!t || noctty)
		return;
	tg = t->tg;
	pthread_mutex_lock(&t->k->lock);
	if (tg->sid == tg->tgid && !tg->ctty && tty->sid == 0)
		set_ctty_locked(tg, tty);
	pthread_mutex_unlock(&t->k->lock);
}

/* Every process of @tty's session forgets it; the session and foreground
 * group go.  The caller holds a reference of its own. */
static void clear_session_locked(struct kernel *k, struct tty *tty)
{
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct thread_group *g = k->tgs[i];

		if (g && g->ctty == tty) {
			g->ctty = NULL;
			tty_put(tty);
		}
	}
	tty->sid = tty->pgrp = 0;
}

void tty_hangup(struct tty *tty)
{
	struct kernel *k = tty->k;
	siginfo_t hup = { .si_signo = SIGHUP, .si_code = SI_KERNEL };
	siginfo_t cont = { .si_signo = SIGCONT, .si_code = SI_KERNEL };

	pthread_mutex_lock(&k->lock);
	if (tty->sid > 0) {
		for (int i = 1; i < KERNEL_PID_MAX; i++) {
			struct thread_group *g = k->tgs[i];

			if (g && g->ctty == tty && g->tgid == g->sid && !g->zombie &&
			    g->ntasks > 0) {
				signal_send_tg_locked(g, &hup);
				signal_send_tg_locked(g, &cont);
			}
		}
	}
	clear_session_locked(k, tty);
	pthread_mutex_unlock(&k->lock);
}

void tty_tg_exit_locked(struct thread_group *tg)
{
	struct tty *tty = tg->ctty;

	if (!tty)
		return;
	if (tg->sid == tg->tgid && tty->sid == tg->sid) {
		tty_get(tty);
		signal_pgrp_locked(tg->k, tty->pgrp, SIGHUP);
		clear_session_locked(tg->k, tty);
		tty_put(tty);
		return;
	}
	tg->ctty = NULL;
	tty_put(tty);
}

void tty_tg_setsid_locked(struct thread_group *tg)
{
	tty_put(tg->ctty);
	tg->ctty = NULL;
}

void tty_tg_fork_locked(struct thread_group *parent, struct thread_group *child)
{
	child->ctty = tty_get(parent->ctty);
}

void tty_tg_stat_locked(struct thread_group *tg, unsigned *tty_nr, int32_t *tpgid)
{
	struct tty *tty = tg->ctty;

	*tty_nr = 0;
	*tpgid = -1;
	if (!tty)
		return;
	*tty_nr = (minor(tty->rdev) & 0xff) | (major(tty->rdev) << 8) |
		  ((minor(tty->rdev) & ~0xffu) << 12);
	*tpgid = tty->pgrp > 0 ? tty->pgrp : -1;
}

struct tty *tty_current(struct task *t)
{
	struct tty *tty;

	pthread_mutex_lock(&t->k->lock);
	tty = tty_get(t->tg->ctty);
	pthread_mutex_unlock(&t->k->lock);
	return tty;
}

/* ---- ioctls ---- */

static int pgrp_in_session_locked(struct kernel *k, int32_t pgrp, int32_t sid)
{
	int found = 0;

	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct thread_group *g = k->tgs[i];

		if (g && g->pgid == pgrp && !g->zombie) {
			if (g->sid != sid)
				return -EPERM;
			found = 1;
		}
	}
	return found ? 0 : -ESRCH;
}

static int64_t ioctl_spgrp(struct tty *tty, struct task *t, uint64_t arg)
{
	struct kernel *k = t->k;
	int32_t pgrp;
	int r;

	pthread_mutex_lock(&k->lock);
	r = job_check_locked(t, tty, SIGTTOU);
	if (r == -EIO)
		r = -ENOTTY;
	if (r == 0 && (t->tg->ctty != tty || tty->sid != t->tg->sid))
		r = -ENOTTY;
	pthread_mutex_unlock(&k->lock);
	if (r < 0)
		return r;
	if (task_copy_in(t, arg, &pgrp, sizeof(pgrp)) != sizeof(pgrp))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	r = pgrp_in_session_locked(k, pgrp, t->tg->sid);
	if (r == 0 && (t->tg->ctty != tty || tty->sid != t->tg->sid))
		r = -ENOTTY;
	if (r == 0)
		tty->pgrp = pgrp;
	pthread_mutex_unlock(&k->lock);
	return r;
}

static int64_t ioctl_sctty(struct tty *tty, struct task *t, uint64_t arg, int readable)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;
	int r = 0;

	pthread_mutex_lock(&k->lock);
	if (tg->sid == tg->tgid && tty->sid == tg->sid && tg->ctty == tty)
		goto out;
	if (tg->sid != tg->tgid || tg->ctty) {
		r = -EPERM;
		goto out;
	}
	if (tty->sid) {
		if (arg != 1 || t->creds.euid != 0) {
			r = -EPERM;
			goto out;
		}
		tty_get(tty);
		clear_session_locked(k, tty);
		tty_put(tty);
	}
	if (!readable && t->creds.euid != 0) {
		r = -EPERM;
		goto out;
	}
	set_ctty_locked(tg, tty);
out:
	pthread_mutex_unlock(&k->lock);
	return r;
}

static int64_t ioctl_notty(struct tty *tty, struct task *t)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;

	pthread_mutex_lock(&k->lock);
	if (tg->ctty != tty) {
		pthread_mutex_unlock(&k->lock);
		return -ENOTTY;
	}
	if (tg->sid == tg->tgid) {
		signal_pgrp_locked(k, tty->pgrp, SIGHUP);
		signal_pgrp_locked(k, tty->pgrp, SIGCONT);
		tty_get(tty);
		clear_session_locked(k, tty);
		tty_put(tty);
	} else {
		tg->ctty = NULL;
		tty_put(tty);
	}
	pthread_mutex_unlock(&k->lock);
	return 0;
}

/* TIOCGPGRP / TIOCGSID: on a slave only for its own session's members. */
static int64_t ioctl_query(struct tty *tty, struct task *t, uint64_t arg, int master, int sid)
{
	int32_t v;
	int r = 0;

	pthread_mutex_lock(&t->k->lock);
	if (!master && t->tg->ctty != tty)
		r = -ENOTTY;
	else if (sid && !tty->sid)
		r = -ENOTTY;
	v = sid ? tty->sid : tty->pgrp;
	pthread_mutex_unlock(&t->k->lock);
	if (r < 0)
		return r;
	return task_copy_out(t, arg, &v, sizeof(v)) == sizeof(v) ? 0 : -EFAULT;
}

static int64_t set_termios(struct tty *tty, struct task *t, unsigned cmd, uint64_t arg)
{
	struct tty_termios tio;
	size_t len = (cmd == TTY_TCSETS2 || cmd == TTY_TCSETSW2 || cmd == TTY_TCSETSF2) ? 44 : 36;
	int r = tty_job_check(t, tty, SIGTTOU);

	if (r < 0)
		return r;
	pthread_mutex_lock(&tty->lock);
	tio = tty->tio;
	pthread_mutex_unlock(&tty->lock);
	if (task_copy_in(t, arg, &tio, len) != (ssize_t)len)
		return -EFAULT;
	pthread_mutex_lock(&tty->lock);
	if (cmd == TCSETSF || cmd == TTY_TCSETSF2)
		tty_ldisc_flush_locked(tty, 1, 0);
	/* a host terminal stays raw: this line discipline does the work */
	tty_ldisc_set_termios_locked(tty, &tio);
	pthread_cond_broadcast(&tty->cond);
	pthread_mutex_unlock(&tty->lock);
	vfs_notify();
	return 0;
}

int64_t tty_ioctl(struct tty *tty, struct task *t, unsigned cmd, uint64_t arg, int master,
		  int readable)
{
	int r, v;

	switch (cmd) {
	case TCGETS:
	case TTY_TCGETS2: {
		struct tty_termios tio;
		size_t len = cmd == TTY_TCGETS2 ? 44 : 36;

		pthread_mutex_lock(&tty->lock);
		tio = tty->tio;
		pthread_mutex_unlock(&tty->lock);
		return task_copy_out(t, arg, &tio, len) == (ssize_t)len ? 0 : -EFAULT;
	}
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TTY_TCSETS2:
	case TTY_TCSETSW2:
	case TTY_TCSETSF2:
		return set_termios(tty, t, cmd, arg);
	case TIOCGWINSZ: {
		struct tty_winsize ws;

		pthread_mutex_lock(&tty->lock);
		ws = tty->ws;
		pthread_mutex_unlock(&tty->lock);
		return task_copy_out(t, arg, &ws, sizeof(ws)) == sizeof(ws) ? 0 : -EFAULT;
	}
	case TIOCSWINSZ: {
		struct tty_winsize ws;
		int changed;

		if (task_copy_in(t, arg, &ws, sizeof(ws)) != sizeof(ws))
			return -EFAULT;
		pthread_mutex_lock(&tty->lock);
		changed = memcmp(&ws, &tty->ws, sizeof(ws)) != 0;
		tty->ws = ws;
		pthread_mutex_unlock(&tty->lock);
		if (changed)
			tty_signal_fg(tty, SIG_BIT(SIGWINCH));
		return 0;
	}
	case TIOCSCTTY:
		return ioctl_sctty(tty, t, arg, readable);
	case TIOCNOTTY:
		return master ? -ENOTTY : ioctl_notty(tty, t);
	case TIOCGPGRP:
		return ioctl_query(tty, t, arg, master, 0);
	case TIOCGSID:
		return ioctl_query(tty, t, arg, master, 1);
	case TIOCSPGRP:
		return ioctl_spgrp(tty, t, arg);
	case FIONREAD:
	case TIOCOUTQ:
		pthread_mutex_lock(&tty->lock);
		if (cmd == FIONREAD)
			v = (int)(master ? tty->out.len : tty_ldisc_inq_locked(tty));
		else
			v = 0; /* ptys pass output on at once */
		pthread_mutex_unlock(&tty->lock);
		return task_copy_out(t, arg, &v, sizeof(v)) == sizeof(v) ? 0 : -EFAULT;
	case TCFLSH:
		if (!master && (r = tty_job_check(t, tty, SIGTTOU)) < 0)
			return r;
		if (arg > TCIOFLUSH)
			return -EINVAL;
		pthread_mutex_lock(&tty->lock);
		/* the master's input is the slave's output */
		if (master)
			tty_ldisc_flush_locked(tty, arg != TCIFLUSH, arg != TCOFLUSH);
		else
			tty_ldisc_flush_locked(tty, arg != TCOFLUSH, arg != TCIFLUSH);
		pthread_cond_broadcast(&tty->cond);
		pthread_mutex_unlock(&tty->lock);
		vfs_notify();
		return 0;
	case TCXONC:
		if (!master && (r = tty_job_check(t, tty, SIGTTOU)) < 0)
			return r;
		pthread_mutex_lock(&tty->lock);
		switch (arg) {
		case TCOOFF:
			tty->stopped = 1;
			break;
		case TCOON:
			tty->stopped = 0;
			break;
		case TCIOFF:
		case TCION: {
			uint8_t c = tty->tio.c_cc[arg == TCIOFF ? VSTOP : VSTART];

			if (c)
				tty_ring_put(&tty->out, &c, 1);
			break;
		}
		default:
			pthread_mutex_unlock(&tty->lock);
			return -EINVAL;
		}
		pthread_cond_broadcast(&tty->cond);
		pthread_mutex_unlock(&tty->lock);
		vfs_notify();
		return 0;
	case TCSBRK:
	case TCSBRKP:
	case TIOCSBRK:
	case TIOCCBRK:
	case TIOCEXCL:
	case TIOCNXCL:
		return 0; /* output is never held back (tcdrain), no line breaks */
	case TIOCGETD:
		v = 0; /* N_TTY */
		return task_copy_out(t, arg, &v, sizeof(v)) == sizeof(v) ? 0 : -EFAULT;
	case TIOCSETD:
		if (task_copy_in(t, arg, &v, sizeof(v)) != sizeof(v))
			return -EFAULT;
		return v == 0 ? 0 : -EINVAL;
	default:
		return -TTY_ENOIOCTLCMD;
	}
}
