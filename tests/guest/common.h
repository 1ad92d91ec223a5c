/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the differential guest programs (tests/guest/g_*.c).
 *
 * Every guest prints a transcript that must be byte-identical natively and
 * in the sandbox, so the helpers print *facts* (errno names, yes/no, values
 * that are fixed by the test itself), never pids, addresses or times.
 *
 *   g_start()            normalise inherited state (signal mask and
 *                        dispositions, stray fds >= 3, umask 022)
 *   say(fmt, ...)        one write(2) to stdout; safe around fork()
 *   t_ok(label, rc)      "label: ok", or a failure with the errno name
 *   t_err(label, rc, E)  "label: E" when rc == -1 and errno == E
 *   t_yes(label, cond)   "label: yes" / "label: no" (no = failure)
 *   t_eq(label, got, w)  "label: got" (got != w = failure)
 *   t_oct(label, got, w) the same in octal, for modes
 *   t_streq(label, g, w) the same for strings
 *   ename(e), signame(s) "ENOENT", "USR1", "RTMIN+2"
 *   g_finish()           "failures: N"; returns the exit status (0 or 1)
 *
 * A forked child ends with _exit(g_failures ? 1 : 0) and the parent checks
 * the status.  Use the raw syscall() where glibc would touch a bad pointer
 * itself (vDSO clocks, sigaction, ...), so EFAULT comes from the kernel.
 */
#ifndef CVISOR_TESTS_GUEST_COMMON_H
#define CVISOR_TESTS_GUEST_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * An address that is never mapped: copy-in/out through it must EFAULT.
 * Laundered through a volatile so the compiler cannot see through it.
 */
static inline void *g_badptr(void)
{
	static void *volatile bad = (void *)8;
	return bad;
}
#define G_BADPTR g_badptr()

static int g_failures;

__attribute__((format(printf, 1, 2))) static inline void say(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n, saved = errno;
	size_t off = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	while (off < (size_t)n) {
		ssize_t w = write(1, buf + off, (size_t)n - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	errno = saved;
}

static inline const char *ename(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

/* "USR1", "RTMIN+3": sigabbrev_np() knows no real-time signals. */
static inline const char *signame(int sig)
{
	static char bufs[4][24]; /* a few calls may share one say() */
	static unsigned next;
	const char *s;

	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		char *buf = bufs[next++ % 4];
		snprintf(buf, sizeof(bufs[0]), "RTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	s = sigabbrev_np(sig);
	return s ? s : "SIG?";
}

static inline long t_ok(const char *label, long rc)
{
	if (rc < 0) {
		say("%s: FAIL %s\n", label, ename(errno));
		g_failures++;
	} else {
		say("%s: ok\n", label);
	}
	return rc;
}

static inline void t_err(const char *label, long rc, int want)
{
	if (rc == -1 && errno == want) {
		say("%s: %s\n", label, ename(want));
	} else if (rc == -1) {
		say("%s: FAIL %s (want %s)\n", label, ename(errno), ename(want));
		g_failures++;
	} else {
		say("%s: FAIL success (want %s)\n", label, ename(want));
		g_failures++;
	}
}

static inline void t_yes(const char *label, int cond)
{
	say("%s: %s\n", label, cond ? "yes" : "no");
	if (!cond)
		g_failures++;
}

static inline void t_eq(const char *label, long got, long want)
{
	if (got == want) {
		say("%s: %ld\n", label, got);
	} else {
		say("%s: FAIL %ld (want %ld)\n", label, got, want);
		g_failures++;
	}
}

/* Like t_eq, printed in octal: for modes. */
static inline void t_oct(const char *label, long got, long want)
{
	if (got == want) {
		say("%s: 0%lo\n", label, got);
	} else {
		say("%s: FAIL 0%lo (want 0%lo)\n", label, got, want);
		g_failures++;
	}
}

static inline void t_streq(const char *label, const char *got, const char *want)
{
	if (strcmp(got, want) == 0) {
		say("%s: \"%s\"\n", label, got);
	} else {
		say("%s: FAIL \"%s\" (want \"%s\")\n", label, got, want);
		g_failures++;
	}
}

static inline void g_start(void)
{
	struct sigaction sa;
	sigset_t none;
	int s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	syscall(SYS_close_range, 3u, ~0u, 0u);
	umask(022);
}

static inline int g_finish(void)
{
	say("failures: %d\n", g_failures);
	return g_failures ? 1 : 0;
}

/*
 * g_trap(fn, arg): run fn(arg) with SIGSEGV SIGBUS SIGFPE SIGILL SIGTRAP
 * caught; returns the signal (0 if fn returned) and leaves si_code and
 * si_addr in g_trap_code and g_trap_addr.  Handlers are restored after.
 */
static sigjmp_buf g_trap_jb;
static volatile int g_trap_sig, g_trap_code;
static void *volatile g_trap_addr;

static inline void g_trap_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	g_trap_sig = sig;
	g_trap_code = si->si_code;
	g_trap_addr = si->si_addr;
	siglongjmp(g_trap_jb, 1);
}

static inline int g_trap(void (*fn)(void *), void *arg)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
	struct sigaction sa, old[5];
	unsigned i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = g_trap_handler;
	sa.sa_flags = SA_SIGINFO;
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &sa, &old[i]);
	g_trap_sig = 0;
	g_trap_code = 0;
	g_trap_addr = NULL;
	if (sigsetjmp(g_trap_jb, 1) == 0)
		fn(arg);
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &old[i], NULL);
	return g_trap_sig;
}

/* Write a whole small file; aborts the test on error. */
static inline void g_write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(data, f) < 0 || fclose(f) != 0) {
		say("setup: cannot write %s: %s\n", path, ename(errno));
		exit(2);
	}
}

/* Read at most len-1 bytes of a file, NUL-terminated; returns bytes or -1. */
static inline long g_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t off = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) > 0)
		off += (size_t)n;
	close(fd);
	buf[off] = '\0';
	return (long)off;
}

#endif
