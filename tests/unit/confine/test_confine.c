/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Sentry's seccomp allow-list (sentry/kernel/confine_filter.c), each
 * case in a forked child that installs it:
 *  - a syscall outside the list kills the whole process with SIGSYS,
 *    including from a thread that existed before the filter (TSYNC);
 *  - what the Sentry needs still works; open/openat fail with ENOENT and
 *    clone3 with ENOSYS;
 *  - docs/security.md lists exactly the filter's syscalls, in order.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "sentry/kernel/confine.h"

/* Run @fn in a child under the filter (with @flags); returns its wait
 * status. */
static int run_confined_flags(int (*fn)(long), long arg, unsigned flags)
{
	pid_t pid = fork();
	int ws;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    confine_seccomp_install(CONFINE_SECCOMP_KILL, flags) < 0)
			_exit(99);
		_exit(fn(arg));
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	return ws;
}

static int run_confined(int (*fn)(long), long arg)
{
	return run_confined_flags(fn, arg, 0);
}

/* Forbidden: each must kill the child with SIGSYS. */
static int forbidden(long which)
{
	switch (which) {
	case 0:
		syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
		break;
	case 1:
		syscall(SYS_kill, getppid(), 0);
		break;
	case 2:
		syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0); /* a process, not a thread */
		break;
	case 3:
		syscall(SYS_execve, "/bin/true", NULL, NULL);
		break;
	case 4:
		syscall(SYS_socketpair, AF_INET, SOCK_STREAM, 0, NULL);
		break;
	case 5:
		syscall(SYS_ioctl, 0, TIOCSTI, "x");
		break;
	case 6:
		syscall(SYS_fcntl, 0, F_SETOWN, 1);
		break;
	case 7:
		syscall(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0);
		break;
	case 8:
		syscall(SYS_unshare, CLONE_NEWUSER);
		break;
	case 9:
		syscall(SYS_mount, "none", "/", "tmpfs", 0, NULL);
		break;
	case 10:
		syscall(SYS_chroot, "/");
		break;
	case 11:
		syscall(SYS_setuid, 0);
		break;
	}
	return 0; /* still alive: the test fails */
}

#define N_FORBIDDEN 12

static void test_forbidden_kills(void **state)
{
	(void)state;
	for (long i = 0; i < N_FORBIDDEN; i++) {
		int ws = run_confined(forbidden, i);

		if (!WIFSIGNALED(ws) || WTERMSIG(ws) != SIGSYS)
			fail_msg("forbidden case %ld: wait status %#x, want SIGSYS", i, ws);
	}
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* What the Sentry does: must all work under the filter. */
static int allowed(long unused)
{
	int sv[2];
	char c = 'x';
	void *m;
	pthread_t th;

	(void)unused;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return 1;
	if (write(sv[1], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
		return 2;
	m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || munmap(m, 1 << 20) < 0)
		return 3;
	if (pthread_create(&th, NULL, thread_fn, NULL) != 0 || pthread_join(th, NULL) != 0)
		return 4;
	if (syscall(SYS_memfd_create, "t", 0) < 0)
		return 5;
	if (open("/etc/passwd", O_RDONLY) >= 0 || errno != ENOENT)
		return 6;
	if (syscall(SYS_clone3, NULL, 0) >= 0 || errno != ENOSYS)
		return 7;
	if (fcntl(sv[0], F_GETFL) < 0 || getpid() <= 0)
		return 8;
	if (prctl(PR_SET_NAME, "confined", 0, 0, 0) < 0)
		return 9;
	return 0;
}

static void test_allowed_work(void **state)
{
	int ws = run_confined(allowed, 0);

	(void)state;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		fail_msg("allowed syscalls: wait status %#x", ws);
}

/* A thread that exists before the filter is installed is filtered too. */
static int pipe_fds[2];

static void *late_thread(void *arg)
{
	char c;

	(void)arg;
	if (read(pipe_fds[0], &c, 1) == 1)
		syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	return NULL;
}

static void test_tsync(void **state)
{
	pid_t pid;
	int ws;

	(void)state;
	assert_int_equal(pipe(pipe_fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pthread_t th;
		char c = 1;

		if (pthread_create(&th, NULL, late_thread, NULL) != 0)
			_exit(98);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    confine_seccomp_install(CONFINE_SECCOMP_KILL, 0) < 0)
			_exit(99);
		(void)!write(pipe_fds[1], &c, 1);
		pthread_join(th, NULL);
		_exit(0);
	}
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	if (!WIFSIGNALED(ws) || WTERMSIG(ws) != SIGSYS)
		fail_msg("older thread not filtered: wait status %#x", ws);
}

/* Host network mode (CONFINE_HOST_NET): what hostinet.c does works; any
 * other socket family or type, a socket option level outside the list, or
 * the same calls without the flag, is fatal. */
static int hostnet_allowed(long unused)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int l, c, s, u, one = 1, outq = -1, ep;
	struct epoll_event ev = { .events = EPOLLIN };

	(void)unused;
	l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return 1;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 4) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0)
		return 2;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		return 3;
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0 || getpeername(s, (struct sockaddr *)&a, &alen) < 0)
		return 4;
	if (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    ioctl(c, SIOCOUTQ, &outq) < 0 || outq != 0 || shutdown(c, SHUT_WR) < 0)
		return 5;
	u = socket(AF_INET6, SOCK_DGRAM, 0);
	if (u < 0 || socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDPLITE) < 0 ||
	    socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) < 0)
		return 6;
	ep = (int)syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
	if (ep < 0 || syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, s, &ev) < 0 ||
	    syscall(SYS_epoll_wait, ep, &ev, 1, 1000) != 1)
		return 7;
	return 0;
}

static void test_hostnet_allowed(void **state)
{
	int ws = run_confined_flags(hostnet_allowed, 0, CONFINE_HOST_NET);

	(void)state;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		fail_msg("host network calls: wait status %#x", ws);
}

static int hostnet_forbidden(long which)
{
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	switch (which) {
	case 0:
		syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 0);
		break;
	case 1:
		syscall(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP);
		break;
	case 2:
		syscall(SYS_socket, AF_PACKET, SOCK_DGRAM, 0);
		break;
	case 3:
		syscall(SYS_setsockopt, s, SOL_PACKET, 1, &one, sizeof(one));
		break;
	case 4:
		syscall(SYS_socketpair, AF_INET, SOCK_STREAM, 0, NULL);
		break;
	case 5:
		syscall(SYS_ioctl, s, SIOCGIFCONF, NULL);
		break;
	case 6:
		syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
		break;
	case 7:
		syscall(SYS_socket, AF_INET, SOCK_STREAM, 132); /* SCTP: a module */
		break;
	case 8:
		syscall(SYS_socket, AF_INET6, SOCK_DGRAM, IPPROTO_TCP);
		break;
	}
	return 0;
}

static void test_hostnet_forbidden(void **state)
{
	(void)state;
	for (long i = 0; i < 9; i++) {
		int ws = run_confined_flags(hostnet_forbidden, i, CONFINE_HOST_NET);

		if (!WIFSIGNALED(ws) || WTERMSIG(ws) != SIGSYS)
			fail_msg("host network forbidden case %ld: wait status %#x", i, ws);
	}
	/* without the flag, even the allowed part is fatal */
	{
		int ws = run_confined_flags(hostnet_allowed, 0, 0);

		if (!WIFSIGNALED(ws) || WTERMSIG(ws) != SIGSYS)
			fail_msg("host network calls without CONFINE_HOST_NET: %#x", ws);
	}
}

/* docs/security.md: the rows between @begin and @end name @names, in
 * order. */
static void check_doc_table(const char *begin, const char *end, const char *const *names,
			    size_t n)
{
	FILE *f = fopen(SECURITY_MD, "r");
	size_t i = 0;
	char line[512];
	int in = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char name[64];

		if (strstr(line, begin))
			in = 1;
		else if (strstr(line, end))
			in = 0;
		if (!in || sscanf(line, "| `%63[a-z0-9_]` |", name) != 1)
			continue;
		if (i >= n)
			fail_msg("docs/security.md lists %s, not in the filter", name);
		if (strcmp(name, names[i]) != 0)
			fail_msg("docs/security.md: %s where the filter has %s", name, names[i]);
		i++;
	}
	fclose(f);
	if (i != n)
		fail_msg("docs/security.md lists %zu syscalls, the filter %zu (next: %s)", i, n,
			 names[i]);
}

/* docs/security.md: the rows between the markers name the filter's
 * syscalls, in the filter's order; the host network table those that
 * CONFINE_HOST_NET adds. */
static void test_doc_lists_filter(void **state)
{
	const char *const *names;
	size_t n = confine_allowed_syscalls(&names);

	(void)state;
	check_doc_table("<!-- sentry-seccomp-begin -->", "<!-- sentry-seccomp-end -->", names, n);
	n = confine_hostnet_syscalls(&names);
	check_doc_table("<!-- sentry-seccomp-hostnet-begin -->",
			"<!-- sentry-seccomp-hostnet-end -->", names, n);
}

/* docs/security.md: the `ioctl` row names every request the filter allows
 * (the host terminal's termios and size, stub pids) and no other. */
static void test_doc_lists_ioctls(void **state)
{
	static const struct {
		unsigned long req;
		const char *name;
	} known[] = {
		{ TCGETS, "`TCGETS`" },		{ TCSETS, "`TCSETS`" },
		{ TCSETSW, "`TCSETSW`" },	{ TCSETSF, "`TCSETSF`" },
		{ TIOCGWINSZ, "`TIOCGWINSZ`" }, { TIOCSWINSZ, "`TIOCSWINSZ`" },
		{ FIONREAD, "`FIONREAD`" },	{ TIOCSTI, "`TIOCSTI`" },
		{ _IOC(_IOC_READ | _IOC_WRITE, 0xFF, 11, 64), "`PIDFD_GET_INFO`" },
	};
	FILE *f = fopen(SECURITY_MD, "r");
	const unsigned long *reqs;
	size_t n = confine_allowed_ioctls(&reqs);
	char line[1024], row[1024] = "";
	int in = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "<!-- sentry-seccomp-begin -->"))
			in = 1;
		else if (strstr(line, "<!-- sentry-seccomp-end -->"))
			in = 0;
		if (in && !strncmp(line, "| `ioctl` |", 11))
			snprintf(row, sizeof(row), "%s", line);
	}
	fclose(f);
	assert_true(row[0]);
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		int allowed = 0;

		for (size_t i = 0; i < n; i++)
			allowed |= reqs[i] == known[k].req;
		if (allowed != (strstr(row, known[k].name) != NULL))
			fail_msg("docs/security.md ioctl row and filter disagree on %s", known[k].name);
	}
	for (size_t i = 0; i < n; i++) {
		int named = 0;

		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			named |= known[k].req == reqs[i];
		if (!named)
			fail_msg("ioctl request %#lx allowed but not known to this test", reqs[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forbidden_kills),
		cmocka_unit_test(test_allowed_work),
		cmocka_unit_test(test_tsync),
		cmocka_unit_test(test_hostnet_allowed),
		cmocka_unit_test(test_hostnet_forbidden),
		cmocka_unit_test(test_doc_lists_filter),
		cmocka_unit_test(test_doc_lists_ioctls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
