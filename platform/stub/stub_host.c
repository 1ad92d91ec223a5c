/* SPDX-License-Identifier: Apache-2.0 */
#include "stub_host.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fdutil.h"
#include "lib/macro.h"
#include "lib/timeutil.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* Bounds of the stub blob, provided by the linker. */
extern const uint8_t __start_cvisor_stub[], __stop_cvisor_stub[];
extern const uint8_t stub_entry[], stub_gadget[], stub_gadget_ret[], stub_restorer[];
void stub_handler(int, siginfo_t *, void *);

void stub_code_get(struct stub_code *ret)
{
	const uint8_t *s = __start_cvisor_stub;

	*ret = (struct stub_code){
		.start = s,
		.size = (uint64_t)(__stop_cvisor_stub - s),
		.off_entry = (uint64_t)(stub_entry - s),
		.off_gadget = (uint64_t)(stub_gadget - s),
		.off_gadget_ret = (uint64_t)(stub_gadget_ret - s),
		.off_handler = (uint64_t)((const uint8_t *)(uintptr_t)stub_handler - s),
		.off_restorer = (uint64_t)(stub_restorer - s),
	};
}

/* ---- hand-off primitives (Sentry side) ---- */

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

void stub_post(uint32_t *word, uint32_t v, uint32_t *peer_sleeping)
{
	__atomic_store_n(word, v, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(peer_sleeping, __ATOMIC_SEQ_CST))
		futex(word, FUTEX_WAKE, 1, NULL);
}

int stub_pidfd_dead(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

/*
 * Adaptive spinning.  A spin pays only when the peer runs on another CPU
 * and answers within it; on an oversubscribed machine the peer often waits
 * for our very CPU, and every microsecond spun delays it (a 4 KiB dd went
 * from 1.5 s to 12 s under load with a fixed 30 us spin).  So the budget
 * shrinks to a quarter after each spin that ended in sleeping and grows to
 * twice what a successful spin needed; at the floor, one wait in 16 probes
 * with the whole maximum so that an idle machine is noticed again.  The budget is
 * shared by all waits of the process (it describes the machine) and is
 * mirrored into each stub's spin (stub_spin_iters()).
 */
static uint64_t spin_budget_ns = UINT64_MAX; /* UINT64_MAX: not yet set */
static unsigned spin_probe;

static uint64_t budget_for(uint64_t max_ns)
{
	uint64_t b = __atomic_load_n(&spin_budget_ns, __ATOMIC_RELAXED);

	if (b > max_ns)
		b = max_ns;
	/* The probe spins the full maximum: a peer that fell asleep needs a
	 * futex wake-up first, and only a long spin sees it answer and
	 * restores the fast path on both sides. */
	if (b < max_ns / 16 &&
	    (__atomic_add_fetch(&spin_probe, 1, __ATOMIC_RELAXED) & 15) == 0)
		b = max_ns;
	return b;
}

static void budget_feedback(uint64_t used, int success, uint64_t max_ns)
{
	uint64_t b = MIN(__atomic_load_n(&spin_budget_ns, __ATOMIC_RELAXED), max_ns);

	if (success)
		b = MIN(max_ns, MAX(b, 2 * used + max_ns / 64));
	else
		b /= 4;
	__atomic_store_n(&spin_budget_ns, b, __ATOMIC_RELAXED);
}

uint64_t stub_spin_iters(uint64_t full_iters, uint64_t max_ns)
{
	uint64_t b = MIN(__atomic_load_n(&spin_budget_ns, __ATOMIC_RELAXED), max_ns);

	return max_ns ? full_iters * b / max_ns : 0;
}

int stub_wait_change(uint32_t *word, uint32_t busy, uint32_t *sleeping, uint64_t spin_ns,
		     int pidfd)
{
	uint32_t v;

	if (spin_ns) {
		uint64_t budget = budget_for(spin_ns), t0 = mono_ns(), deadline = t0 + budget;

		for (unsigned i = 0; budget; i++) {
			v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
			if (v != busy) {
				budget_feedback(mono_ns() - t0, 1, spin_ns);
				return (int)v;
			}
			__asm__ volatile("pause" ::: "memory");
			if ((i & 63) == 63 && mono_ns() > deadline)
				break;
		}
		if (budget)
			budget_feedback(budget, 0, spin_ns);
	}
	__atomic_store_n(sleeping, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while ((v = __atomic_load_n(word, __ATOMIC_SEQ_CST)) == busy) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 50 * 1000 * 1000 };

		if (futex(word, FUTEX_WAIT, busy, &ts) < 0 && errno == ETIMEDOUT &&
		    stub_pidfd_dead(pidfd)) {
			__atomic_store_n(sleeping, 0, __ATOMIC_RELAXED);
			return -ESRCH;
		}
	}
	__atomic_store_n(sleeping, 0, __ATOMIC_RELAXED);
	return (int)(v & 0x7fffffff);
}

/* PIDFD_GET_INFO (Linux 6.13), not yet in every libc's headers: the first
 * 64 bytes (PIDFD_INFO_SIZE_VER0) of struct pidfd_info. */
struct stub_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define STUB_PIDFD_GET_INFO _IOWR(0xFF, 11, struct stub_pidfd_info)
#define STUB_PIDFD_INFO_PID 1ull

int stub_pidfd_tid(int pidfd, pid_t *ret)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -EBADF;
	struct stub_pidfd_info info = { .mask = STUB_PIDFD_INFO_PID };
	ssize_t n;
	char *p;

	/* The ioctl answers in the caller's pid namespace and needs no /proc
	 * (the confined Sentry has neither a /proc nor the host's pid
	 * namespace); /proc/self/fdinfo is the fallback for older kernels. */
	if (ioctl(pidfd, STUB_PIDFD_GET_INFO, &info) == 0 && (info.mask & STUB_PIDFD_INFO_PID)) {
		if (info.pid == 0)
			return -ESRCH;
		*ret = (pid_t)info.pid;
		return 0;
	}
	if (errno == ESRCH)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return neg_errno();
	buf[n] = 0;
	p = strstr(buf, "\nPid:");
	if (!p)
		return -ENOTSUP;
	long v = strtol(p + 5, NULL, 10);
	if (v <= 0)
		return -ESRCH;
	*ret = (pid_t)v;
	return 0;
}

/* ---- control operations ---- */

int stub_proc_op(struct stub_proc *sp, enum stub_op op, const uint64_t args[6],
		 int64_t *ret_result, int64_t *ret_aux)
{
	struct stub_ctl *c = sp->ctl;
	int r;

	pthread_mutex_lock(&sp->lock);
	c->op = op;
	for (int i = 0; i < 6; i++)
		c->args[i] = args ? args[i] : 0;
	stub_post(&c->state, STUB_ST_RUN, &c->stub_sleeping);
	r = stub_wait_change(&c->state, STUB_ST_RUN, &c->sentry_sleeping, sp->spin_ns, sp->pidfd);
	if (r >= 0) {
		int64_t res = __atomic_load_n(&c->result, __ATOMIC_ACQUIRE);
		int64_t aux = (int64_t)__atomic_load_n(&c->args[1], __ATOMIC_ACQUIRE);

		r = r == STUB_ST_TRAPPED ? 0 : -EPROTO;
		if (r == 0 && ret_result)
			*ret_result = res;
		if (r == 0 && ret_aux)
			*ret_aux = aux;
	}
	pthread_mutex_unlock(&sp->lock);
	return r;
}

int stub_proc_map_fd(struct stub_proc *sp, uint64_t addr, uint64_t len, int prot, int flags,
		     int fd, uint64_t off, int64_t *ret_result)
{
	int64_t rfd = -1, res = 0;
	char b = 0;
	ssize_t n;
	int r;

	/* The fd, the RECVFD that takes it, the mmap and the close pair up,
	 * and no fork may happen while the stub holds the fd. */
	pthread_mutex_lock(&sp->fd_lock);
	n = fd_send(sp->sock, &b, 1, &fd, 1);
	r = n < 0 ? (int)n : stub_proc_op(sp, STUB_OP_RECVFD, NULL, &rfd, NULL);
	if (r == 0 && rfd < 0)
		r = (int)rfd;
	if (r == 0) {
		r = stub_proc_op(sp, STUB_OP_MMAP,
				 (uint64_t[6]){ addr, len, (uint64_t)prot, (uint64_t)flags,
						(uint64_t)rfd, off },
				 &res, NULL);
		(void)stub_proc_op(sp, STUB_OP_CLOSE, (uint64_t[6]){ (uint64_t)rfd }, NULL, NULL);
	}
	pthread_mutex_unlock(&sp->fd_lock);
	if (r == 0)
		*ret_result = res;
	return r;
}

int stub_proc_thread(struct stub_proc *sp, int *ret_slot, int *ret_pidfd)
{
	_cleanup_close_ int pidfd = -EBADF;
	int slot = -1, r;
	int64_t tid, remote = -1;
	struct stub_msg *m;

	pthread_mutex_lock(&sp->lock);
	for (int i = 1; i < STUB_MAX_SLOTS; i++)
		if (!sp->slot_used[i]) {
			sp->slot_used[i] = 1;
			slot = i;
			break;
		}
	pthread_mutex_unlock(&sp->lock);
	if (slot < 0)
		return -EAGAIN;

	m = stub_proc_msg(sp, slot);
	memset(m, 0, offsetof(struct stub_msg, regs));
	/* fd_lock: a fork of this stub must not inherit the thread's pidfd. */
	pthread_mutex_lock(&sp->fd_lock);
	r = stub_proc_op(sp, STUB_OP_THREAD, (uint64_t[6]){ (uint64_t)slot }, &tid, &remote);
	if (r == 0 && tid <= 0)
		r = tid < 0 ? (int)tid : -EPROTO;
	if (r == 0) {
		pidfd = (int)syscall(SYS_pidfd_getfd, sp->pidfd, (int)remote, 0);
		if (pidfd < 0)
			r = neg_errno();
		(void)stub_proc_op(sp, STUB_OP_CLOSE, (uint64_t[6]){ (uint64_t)remote }, NULL, NULL);
	}
	pthread_mutex_unlock(&sp->fd_lock);
	if (r < 0) {
		stub_proc_slot_free(sp, slot);
		return r;
	}
	*ret_slot = slot;
	*ret_pidfd = TAKE_FD(pidfd);
	return 0;
}

void stub_proc_slot_free(struct stub_proc *sp, int slot)
{
	pthread_mutex_lock(&sp->lock);
	sp->slot_used[slot] = 0;
	pthread_mutex_unlock(&sp->lock);
}

void stub_proc_kill(struct stub_proc *sp)
{
	if (!sp)
		return;
	if (sp->pidfd >= 0) {
		struct pollfd p = { .fd = sp->pidfd, .events = POLLIN };
		siginfo_t si;

		syscall(SYS_pidfd_send_signal, sp->pidfd, SIGKILL, NULL, 0);
		if (sp->reaper) {
			/* A child of the holder: wait for the exit, have the
			 * holder reap it. */
			while (poll(&p, 1, 5000) < 0 && errno == EINTR)
				;
			(void)stub_proc_op(sp->reaper, STUB_OP_REAP, NULL, NULL, NULL);
		} else {
			while (waitid(P_PIDFD, (id_t)sp->pidfd, &si, WEXITED) < 0 && errno == EINTR)
				;
		}
	}
	if (sp->shared)
		munmap(sp->shared, STUB_SHARED_SIZE);
	safe_close(sp->pidfd);
	safe_close(sp->sock);
	pthread_mutex_destroy(&sp->lock);
	pthread_mutex_destroy(&sp->fd_lock);
	free(sp);
}
