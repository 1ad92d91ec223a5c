/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Sentry's seccomp allow-list of host syscalls (confine.h).
 *
 * The table is the list in docs/security.md ("The Sentry's seccomp
 * allow-list"); test_confine compares the two.  Keep it sorted by name.
 * Host network mode (CONFINE_HOST_NET) adds the second table, hostnet[]
 * (docs/security.md "Host network mode"), and nothing else.
 */
#include "sentry/kernel/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <netinet/in.h>
#include <linux/sockios.h>

#include "lib/macro.h"

/* PIDFD_GET_INFO (see platform/stub/stub_host.c): _IOWR(0xFF, 11, 64 bytes). */
#define CONFINE_PIDFD_GET_INFO _IOC(_IOC_READ | _IOC_WRITE, 0xFF, 11, 64)

enum rule {
	R_ANY,          /* no argument restriction */
	R_NOSYS,        /* refused with ENOSYS (so that glibc falls back) */
	R_NOENT,        /* refused with ENOENT, as the empty root would */
	R_CLONE_THREAD, /* clone: threads only */
	R_FCNTL,        /* the fcntl commands in fcntl_cmds[] */
	R_IOCTL,        /* the ioctl requests in ioctl_reqs[] */
	R_PRCTL,        /* the prctl options in prctl_opts[] */
	R_SOCKETPAIR,   /* AF_UNIX only */
	R_SOCKET_INET,  /* AF_INET/AF_INET6, SOCK_STREAM/SOCK_DGRAM (+ flags) */
	R_SOCKOPT,      /* levels in sockopt_levels[] (the Sentry vets the names) */
	R_IOCTL_NET,    /* the ioctl requests in ioctl_net_reqs[] */
};

struct allowed {
	const char *name;
	int nr;
	enum rule rule;
};

#define A(n, r) { #n, SCMP_SYS(n), r }

static const struct allowed allowed[] = {
	A(accept4, R_ANY),
	A(brk, R_ANY),
	A(clock_gettime, R_ANY),
	A(clock_nanosleep, R_ANY),
	A(clone, R_CLONE_THREAD),
	A(clone3, R_NOSYS),
	A(close, R_ANY),
	A(close_range, R_ANY),
	A(dup, R_ANY),
	A(exit, R_ANY),
	A(exit_group, R_ANY),
	A(fcntl, R_FCNTL),
	A(fstat, R_ANY),
	A(ftruncate, R_ANY),
	A(futex, R_ANY),
	A(getpid, R_ANY),
	A(getrandom, R_ANY),
	A(gettid, R_ANY),
	A(ioctl, R_IOCTL),
	A(lseek, R_ANY),
	A(madvise, R_ANY),
	A(memfd_create, R_ANY),
	A(mmap, R_ANY),
	A(mprotect, R_ANY),
	A(mremap, R_ANY),
	A(munmap, R_ANY),
	A(nanosleep, R_ANY),
	A(newfstatat, R_ANY),
	A(open, R_NOENT),
	A(openat, R_NOENT),
	A(pidfd_getfd, R_ANY),
	A(pidfd_send_signal, R_ANY),
	A(poll, R_ANY),
	A(ppoll, R_ANY),
	A(prctl, R_PRCTL),
	A(pread64, R_ANY),
	A(process_vm_readv, R_ANY),
	A(process_vm_writev, R_ANY),
	A(ptrace, R_ANY),
	A(pwrite64, R_ANY),
	A(read, R_ANY),
	A(readv, R_ANY),
	A(recvfrom, R_ANY),
	A(recvmsg, R_ANY),
	A(restart_syscall, R_ANY),
	A(rseq, R_ANY),
	A(rt_sigaction, R_ANY),
	A(rt_sigprocmask, R_ANY),
	A(rt_sigreturn, R_ANY),
	A(sched_getaffinity, R_ANY),
	A(sched_setaffinity, R_ANY),
	A(sched_yield, R_ANY),
	A(sendmsg, R_ANY),
	A(sendto, R_ANY),
	A(set_robust_list, R_ANY),
	A(sigaltstack, R_ANY),
	A(socketpair, R_SOCKETPAIR),
	A(sysinfo, R_ANY),
	A(tgkill, R_ANY),
	A(wait4, R_ANY),
	A(waitid, R_ANY),
	A(write, R_ANY),
	A(writev, R_ANY),
};

/* CONFINE_HOST_NET only: the calls sentry/net/hostinet.c makes on the
 * host sockets it owns (accept4, sendmsg, recvmsg, sendto, recvfrom, poll
 * and FIONREAD are in the table above already). */
static const struct allowed hostnet[] = {
	A(bind, R_ANY),
	A(connect, R_ANY),
	A(epoll_create1, R_ANY),
	A(epoll_ctl, R_ANY),
	A(epoll_wait, R_ANY),
	A(getpeername, R_ANY),
	A(getsockname, R_ANY),
	A(getsockopt, R_SOCKOPT),
	A(ioctl, R_IOCTL_NET),
	A(listen, R_ANY),
	A(setsockopt, R_SOCKOPT),
	A(shutdown, R_ANY),
	A(socket, R_SOCKET_INET),
};

static const int fcntl_cmds[] = { F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC,
				  F_ADD_SEALS };
static const unsigned long ioctl_reqs[] = { TCGETS, TCSETS, TIOCGWINSZ, FIONREAD,
					    CONFINE_PIDFD_GET_INFO };
static const int prctl_opts[] = { PR_SET_NAME, PR_GET_NAME };
static const unsigned long ioctl_net_reqs[] = { SIOCOUTQ };
static const int sockopt_levels[] = { SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP,
				      IPPROTO_UDP, IPPROTO_UDPLITE };

static int add_eq(scmp_filter_ctx ctx, int nr, unsigned arg, scmp_datum_t v)
{
	struct scmp_arg_cmp cmp = { .arg = arg, .op = SCMP_CMP_EQ, .datum_a = v };

	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
}

static int add_rule(scmp_filter_ctx ctx, const struct allowed *a)
{
	int r = 0;

	switch (a->rule) {
	case R_ANY:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, a->nr, 0);
	case R_NOSYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), a->nr, 0);
	case R_NOENT:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOENT), a->nr, 0);
	case R_CLONE_THREAD: {
		struct scmp_arg_cmp cmp = { .arg = 0,
					    .op = SCMP_CMP_MASKED_EQ,
					    .datum_a = CLONE_THREAD | CLONE_VM,
					    .datum_b = CLONE_THREAD | CLONE_VM };

		return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, a->nr, 1, &cmp);
	}
	case R_FCNTL:
		for (size_t i = 0; i < ARRAY_SIZE(fcntl_cmds) && r == 0; i++)
			r = add_eq(ctx, a->nr, 1, (scmp_datum_t)fcntl_cmds[i]);
		return r;
	case R_IOCTL:
		for (size_t i = 0; i < ARRAY_SIZE(ioctl_reqs) && r == 0; i++)
			r = add_eq(ctx, a->nr, 1, (scmp_datum_t)ioctl_reqs[i]);
		return r;
	case R_PRCTL:
		for (size_t i = 0; i < ARRAY_SIZE(prctl_opts) && r == 0; i++)
			r = add_eq(ctx, a->nr, 0, (scmp_datum_t)prctl_opts[i]);
		return r;
	case R_SOCKETPAIR:
		return add_eq(ctx, a->nr, 0, AF_UNIX);
	case R_SOCKET_INET: {
		static const int fams[] = { AF_INET, AF_INET6 };
		/* (type, protocol): no protocol module is ever loaded for us */
		static const int tp[][2] = { { SOCK_STREAM, 0 },	{ SOCK_STREAM, IPPROTO_TCP },
					     { SOCK_DGRAM, 0 },		{ SOCK_DGRAM, IPPROTO_UDP },
					     { SOCK_DGRAM, IPPROTO_UDPLITE } };
		/* the type without SOCK_NONBLOCK / SOCK_CLOEXEC */
		const scmp_datum_t tmask = ~(scmp_datum_t)(SOCK_NONBLOCK | SOCK_CLOEXEC) & 0xffffffffu;

		for (size_t f = 0; f < ARRAY_SIZE(fams) && r == 0; f++)
			for (size_t i = 0; i < ARRAY_SIZE(tp) && r == 0; i++) {
				struct scmp_arg_cmp cmp[3] = {
					{ .arg = 0, .op = SCMP_CMP_EQ,
					  .datum_a = (scmp_datum_t)fams[f] },
					{ .arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = tmask,
					  .datum_b = (scmp_datum_t)tp[i][0] },
					{ .arg = 2, .op = SCMP_CMP_EQ,
					  .datum_a = (scmp_datum_t)tp[i][1] },
				};

				r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, a->nr, 3, cmp);
			}
		return r;
	}
	case R_SOCKOPT:
		for (size_t i = 0; i < ARRAY_SIZE(sockopt_levels) && r == 0; i++)
			r = add_eq(ctx, a->nr, 1, (scmp_datum_t)sockopt_levels[i]);
		return r;
	case R_IOCTL_NET:
		for (size_t i = 0; i < ARRAY_SIZE(ioctl_net_reqs) && r == 0; i++)
			r = add_eq(ctx, a->nr, 1, (scmp_datum_t)ioctl_net_reqs[i]);
		return r;
	}
	return -EINVAL;
}

int confine_seccomp_install(enum confine_seccomp_mode mode, unsigned flags)
{
	uint32_t def = mode == CONFINE_SECCOMP_LOG     ? SCMP_ACT_LOG
		       : mode == CONFINE_SECCOMP_ERRNO ? SCMP_ACT_ERRNO(ENOSYS)
						       : SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx = seccomp_init(def);
	int r = 0;

	if (!ctx)
		return -ENOMEM;
	/* every Sentry thread, or none */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	/* a binary tree of syscall numbers instead of a linear list: each
	 * Sentry host syscall runs the filter (see bench_filter) */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; i < ARRAY_SIZE(allowed) && r == 0; i++)
		r = add_rule(ctx, &allowed[i]);
	for (size_t i = 0; i < ARRAY_SIZE(hostnet) && r == 0 && (flags & CONFINE_HOST_NET); i++)
		r = add_rule(ctx, &hostnet[i]);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

size_t confine_allowed_syscalls(const char *const **ret)
{
	static const char *names[ARRAY_SIZE(allowed)];

	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		names[i] = allowed[i].name;
	*ret = names;
	return ARRAY_SIZE(allowed);
}

size_t confine_hostnet_syscalls(const char *const **ret)
{
	static const char *names[ARRAY_SIZE(hostnet)];

	for (size_t i = 0; i < ARRAY_SIZE(hostnet); i++)
		names[i] = hostnet[i].name;
	*ret = names;
	return ARRAY_SIZE(hostnet);
}

size_t confine_allowed_ioctls(const unsigned long **ret)
{
	*ret = ioctl_reqs;
	return ARRAY_SIZE(ioctl_reqs);
}
