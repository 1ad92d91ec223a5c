/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor demo [--platform=systrap|ptrace] [--strace] [--sud] GUEST [ARGS]`
 *
 * Until the Sentry exists (issue 4) this is the main job: it loads a static
 * guest into a confined stub and serves its syscalls itself: write(1|2),
 * getpid, exit, exit_group; everything else gets ENOSYS.  Nothing the guest
 * asks for ever reaches the host kernel.
 */
#define LOG_PREFIX "cvisor demo"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "platform/platform.h"
#include "runtime/cli/commands.h"
#include "sentry/loader/loader.h"

#define MAX_IMAGE (64 << 20)

static int read_file(const char *path, uint8_t **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		return neg_errno();
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_IMAGE || st.st_size == 0)
		return -ENOEXEC;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0)
			return n < 0 ? neg_errno() : -EIO;
		got += (size_t)n;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = got;
	return 0;
}

static int64_t demo_write(struct plat_as *as, uint64_t fd, uint64_t addr, uint64_t count)
{
	char buf[4096];
	uint64_t done = 0;

	if (fd != 1 && fd != 2)
		return -EBADF;
	while (done < count) {
		ssize_t n = plat_as_read(as, addr + done, buf, MIN(sizeof(buf), count - done));

		if (n < 0)
			return done ? (int64_t)done : -EFAULT;
		if (write((int)fd, buf, (size_t)n) != n)
			return done ? (int64_t)done : -EIO;
		done += (uint64_t)n;
	}
	return (int64_t)done;
}

static int run(struct plat_as *as, struct plat_ctx *ctx, struct plat_cpu *cpu, int strace)
{
	for (;;) {
		struct plat_exit ex;
		uint64_t nr;
		int64_t ret;
		int r = plat_ctx_switch(ctx, cpu, &ex);

		if (r < 0)
			return log_error_errno(r, "switch"), 125;
		if (ex.reason == PLAT_EXIT_INTERRUPT)
			continue;
		if (ex.reason == PLAT_EXIT_FAULT) {
			log_error("guest fault: signal %d code %d addr 0x%llx rip 0x%llx", ex.signo,
				  ex.code, (unsigned long long)ex.addr,
				  (unsigned long long)cpu->regs.rip);
			return 128 + ex.signo;
		}
		nr = cpu->regs.orig_rax;
		switch (nr) {
		case SYS_write:
			ret = demo_write(as, cpu->regs.rdi, cpu->regs.rsi, cpu->regs.rdx);
			break;
		case SYS_getpid:
			ret = 1;
			break;
		case SYS_exit:
		case SYS_exit_group:
			if (strace)
				fprintf(stderr, "[strace] %s(%lld)\n",
					nr == SYS_exit ? "exit" : "exit_group",
					(long long)cpu->regs.rdi);
			return (int)(cpu->regs.rdi & 0xff);
		default:
			ret = -ENOSYS;
		}
		if (strace)
			fprintf(stderr, "[strace] syscall %llu(0x%llx, 0x%llx, 0x%llx) = %lld\n",
				(unsigned long long)nr, (unsigned long long)cpu->regs.rdi,
				(unsigned long long)cpu->regs.rsi, (unsigned long long)cpu->regs.rdx,
				(long long)ret);
		cpu->regs.rax = (uint64_t)ret;
	}
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "strace", no_argument, NULL, 's' },
		{ "sud", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum plat_kind kind = PLAT_SYSTRAP;
	struct plat_opts popts = { 0 };
	_cleanup_free_ uint8_t *img = NULL;
	_cleanup_free_ struct plat_cpu *cpu = NULL;
	struct plat *p = NULL;
	struct plat_as *as = NULL;
	struct plat_ctx *ctx = NULL;
	struct loader_image li;
	int c, r, strace = 0, status = 125;
	size_t len;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (plat_kind_from_string(optarg, &kind) < 0) {
				log_error("unknown platform '%s'", optarg);
				return 2;
			}
			break;
		case 's':
			strace = 1;
			break;
		case 'u':
			popts.use_sud = 1;
			break;
		case 'h':
			printf("usage: cvisor demo [--platform=systrap|ptrace] [--strace] [--sud] "
			       "GUEST [ARGS...]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		log_error("missing guest program");
		return 2;
	}
	r = read_file(argv[optind], &img, &len);
	if (r < 0)
		return log_error_errno(r, "%s", argv[optind]), 2;
	cpu = calloc(1, sizeof(*cpu));
	if (!cpu)
		return 125;

	r = plat_open(kind, &popts, &p);
	if (r < 0) {
		log_error_errno(r, "platform %s", kind == PLAT_PTRACE ? "ptrace" : "systrap");
		goto out;
	}
	r = plat_as_create(p, &as);
	if (r < 0) {
		log_error_errno(r, "create address space");
		goto out;
	}
	r = loader_load(as, img, len, (const char *const *)argv + optind,
			(const char *const[]){ "PATH=/bin", NULL }, &li);
	if (r < 0) {
		log_error_errno(r, "load %s", argv[optind]);
		goto out;
	}
	r = plat_ctx_create(as, &ctx);
	if (r < 0) {
		log_error_errno(r, "create context");
		goto out;
	}
	plat_cpu_init(cpu, li.entry, li.sp);
	status = run(as, ctx, cpu, strace);
out:
	plat_ctx_destroy(ctx);
	plat_as_destroy(as);
	plat_close(p);
	return status;
}
