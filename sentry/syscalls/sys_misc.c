/* SPDX-License-Identifier: Apache-2.0 */
/* Resource limits, system information, accounting, ioctl. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <unistd.h>

#include "lib/timeutil.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "syscall_handlers.h"

static int64_t do_prlimit(struct task *t, int32_t pid, uint64_t res, uint64_t unew, uint64_t uold)
{
	struct rlimit64_k nw, old;
	struct thread_group *tg = t->tg;

	if (res >= 16)
		return -EINVAL;
	if (pid != 0 && pid != t->tg->tgid)
		return -ESRCH; /* other processes: with permission checks, later */
	if (unew) {
		if (task_copy_in(t, unew, &nw, sizeof(nw)) != sizeof(nw))
			return -EFAULT;
		if (nw.cur > nw.max)
			return -EINVAL;
		if (res == RLIMIT_NOFILE && nw.max > 1024)
			return -EPERM; /* the fd table holds 1024 */
	}
	pthread_mutex_lock(&t->k->lock);
	old = tg->rlim[res];
	if (unew) {
		if (nw.max > old.max && t->creds.euid != 0) {
			pthread_mutex_unlock(&t->k->lock);
			return -EPERM;
		}
		tg->rlim[res] = nw;
	}
	pthread_mutex_unlock(&t->k->lock);
	if (uold && task_copy_out(t, uold, &old, sizeof(old)) != sizeof(old))
		return -EFAULT;
	return 0;
}

int64_t sys_prlimit64(struct task *t, const uint64_t a[6])
{
	return do_prlimit(t, (int32_t)a[0], a[1], a[2], a[3]);
}

int64_t sys_getrlimit(struct task *t, const uint64_t a[6])
{
	return do_prlimit(t, 0, a[0], 0, a[1]);
}

int64_t sys_setrlimit(struct task *t, const uint64_t a[6])
{
	return do_prlimit(t, 0, a[0], a[1], 0);
}

int64_t sys_sysinfo(struct task *t, const uint64_t a[6])
{
	struct sysinfo host, si;
	int procs = 0;

	if (sysinfo(&host) < 0)
		return -EIO;
	memset(&si, 0, sizeof(si));
	/* seconds since the sandbox booted, rounded up as a fresh system's */
	si.uptime = (long)((mono_ns() - t->k->boot_ns) / NSEC_PER_SEC) + 1;
	si.totalram = host.totalram;
	si.freeram = host.freeram;
	si.sharedram = host.sharedram;
	si.bufferram = host.bufferram;
	si.totalswap = host.totalswap;
	si.freeswap = host.freeswap;
	si.mem_unit = host.mem_unit;
	pthread_mutex_lock(&t->k->lock);
	for (int i = 1; i < KERNEL_PID_MAX; i++)
		procs += t->k->tids[i] != NULL;
	pthread_mutex_unlock(&t->k->lock);
	si.procs = (unsigned short)procs;
	return task_copy_out(t, a[0], &si, sizeof(si)) == sizeof(si) ? 0 : -EFAULT;
}

#define NSEC_PER_TICK (NSEC_PER_SEC / 100) /* USER_HZ */

int64_t sys_times(struct task *t, const uint64_t a[6])
{
	struct tms tms;
	int64_t ticks = (int64_t)((mono_ns() - t->k->boot_ns) / NSEC_PER_TICK);
	uint64_t u, s;

	memset(&tms, 0, sizeof(tms));
	pthread_mutex_lock(&t->k->lock);
	task_cputime_tg_locked(t->tg, &u, &s);
	tms.tms_cutime = (clock_t)(t->tg->cutime_ns / NSEC_PER_TICK);
	tms.tms_cstime = (clock_t)(t->tg->cstime_ns / NSEC_PER_TICK);
	pthread_mutex_unlock(&t->k->lock);
	tms.tms_utime = (clock_t)(u / NSEC_PER_TICK);
	tms.tms_stime = (clock_t)(s / NSEC_PER_TICK);
	if (a[0] && task_copy_out(t, a[0], &tms, sizeof(tms)) != sizeof(tms))
		return -EFAULT;
	return ticks + 1;
}

static void ns_timeval(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	tv->tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
}

int64_t sys_getrusage(struct task *t, const uint64_t a[6])
{
	struct rusage ru;
	int who = (int)a[0];
	uint64_t u = 0, s = 0, rss = 0;

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&ru, 0, sizeof(ru));
	if (who != RUSAGE_CHILDREN)
		rss = itimer_maxrss_kb(t->tg);
	if (who == RUSAGE_THREAD) {
		task_cputime(t, &u, &s);
	} else {
		pthread_mutex_lock(&t->k->lock);
		if (who == RUSAGE_SELF) {
			task_cputime_tg_locked(t->tg, &u, &s);
		} else {
			u = t->tg->cutime_ns;
			s = t->tg->cstime_ns;
			rss = t->tg->cmaxrss_kb;
		}
		pthread_mutex_unlock(&t->k->lock);
	}
	ns_timeval(u, &ru.ru_utime);
	ns_timeval(s, &ru.ru_stime);
	ru.ru_maxrss = (long)rss;
	return task_copy_out(t, a[1], &ru, sizeof(ru)) == sizeof(ru) ? 0 : -EFAULT;
}

int64_t sys_getcpu(struct task *t, const uint64_t a[6])
{
	unsigned zero = 0;

	if (a[0] && task_copy_out(t, a[0], &zero, 4) != 4)
		return -EFAULT;
	if (a[1] && task_copy_out(t, a[1], &zero, 4) != 4)
		return -EFAULT;
	return 0;
}

int64_t sys_ioctl(struct task *t, const uint64_t a[6])
{
	struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	unsigned cmd = (unsigned)a[1];
	int64_t r;
	int on;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		file_put(f);
		return -EBADF;
	}
	switch (cmd) {
	case FIONREAD:
		if (!f->path.v || !S_ISREG(f->path.v->mode)) {
			r = f->ops->ioctl ? f->ops->ioctl(f, t, cmd, a[2]) : -ENOTTY;
			break;
		}
		/* regular files: the bytes from the offset to the end */
		pthread_mutex_lock(&f->path.v->lock);
		on = (int)((int64_t)f->path.v->size - f->pos);
		pthread_mutex_unlock(&f->path.v->lock);
		r = task_copy_out(t, a[2], &on, sizeof(on)) == sizeof(on) ? 0 : -EFAULT;
		break;
	case FIOCLEX:
	case FIONCLEX:
		r = fdt_set_cloexec(t->fdt, (int)a[0], cmd == FIOCLEX);
		break;
	case FIONBIO:
		if (task_copy_in(t, a[2], &on, sizeof(on)) != sizeof(on)) {
			r = -EFAULT;
			break;
		}
		pthread_mutex_lock(&f->lock);
		f->flags = on ? (f->flags | O_NONBLOCK) : (f->flags & ~(unsigned)O_NONBLOCK);
		pthread_mutex_unlock(&f->lock);
		r = 0;
		break;
	default:
		r = f->ops->ioctl ? f->ops->ioctl(f, t, cmd, a[2]) : -ENOTTY;
	}
	file_put(f);
	return r;
}
