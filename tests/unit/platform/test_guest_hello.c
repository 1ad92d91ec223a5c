/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Differential test of a real static guest (tests/guest/hello.c): run it
 * natively and on each platform, where this test serves write, getpid and
 * exit_group itself and checks every intercepted number and argument.  The
 * outputs must match once the pid is substituted.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "platform/platform.h"
#include "sentry/loader/loader.h"

#define SANDBOX_PID 4242

struct run {
	char out[4096];
	size_t outlen;
	int status;
	int nwrites, ngetpid;
};

static void run_native(struct run *r)
{
	int p[2], st;
	pid_t pid;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		execl(GUEST_HELLO, GUEST_HELLO, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], r->out + r->outlen, sizeof(r->out) - 1 - r->outlen)) > 0)
		r->outlen += (size_t)n;
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	r->status = WEXITSTATUS(st);
	/* Substitute the native pid so both runs are comparable. */
	char want[64];
	snprintf(want, sizeof(want), "pid %d\n", pid);
	char *at = strstr(r->out, want);
	assert_non_null(at);
	snprintf(at, sizeof(r->out) - (size_t)(at - r->out), "pid %d\n", SANDBOX_PID);
	r->outlen = strlen(r->out);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void run_sandbox(enum plat_kind kind, struct run *r)
{
	struct plat *p;
	struct plat_as *as;
	struct plat_ctx *ctx;
	struct plat_cpu *cpu = calloc(1, sizeof(*cpu));
	struct loader_image li;
	size_t len;
	uint8_t *img = read_all(GUEST_HELLO, &len);

	memset(r, 0, sizeof(*r));
	assert_int_equal(plat_open(kind, NULL, &p), 0);
	assert_int_equal(plat_as_create(p, &as), 0);
	assert_int_equal(loader_load(as, img, len, (const char *const[]){ "hello", NULL },
				     (const char *const[]){ NULL }, &li),
			 0);
	assert_int_equal(plat_ctx_create(as, &ctx), 0);
	plat_cpu_init(cpu, li.entry, li.sp);
	for (;;) {
		struct plat_exit ex;
		uint64_t nr;

		assert_int_equal(plat_ctx_switch(ctx, cpu, &ex), 0);
		if (ex.reason == PLAT_EXIT_INTERRUPT)
			continue;
		assert_int_equal(ex.reason, PLAT_EXIT_SYSCALL);
		nr = cpu->regs.orig_rax;
		if (nr == SYS_write) {
			size_t cnt = cpu->regs.rdx;

			assert_int_equal(cpu->regs.rdi, 1);
			assert_true(cnt > 0 && cnt < 64);
			assert_true(r->outlen + cnt < sizeof(r->out));
			assert_int_equal(plat_as_read(as, cpu->regs.rsi, r->out + r->outlen, cnt),
					 (ssize_t)cnt);
			if (r->nwrites == 0)
				assert_memory_equal(r->out, "hello from the guest\n", cnt);
			r->outlen += cnt;
			r->nwrites++;
			cpu->regs.rax = cnt;
		} else if (nr == SYS_getpid) {
			assert_int_equal(r->nwrites, 1);
			r->ngetpid++;
			cpu->regs.rax = SANDBOX_PID;
		} else if (nr == SYS_exit_group) {
			r->status = (int)cpu->regs.rdi;
			break;
		} else {
			fail_msg("unexpected syscall %llu", (unsigned long long)nr);
		}
	}
	plat_ctx_destroy(ctx);
	plat_as_destroy(as);
	plat_close(p);
	free(cpu);
	free(img);
}

static void test_hello(void **state)
{
	enum plat_kind kind = *(enum plat_kind *)*state;
	struct run native, sandbox;

	run_native(&native);
	run_sandbox(kind, &sandbox);
	assert_int_equal(sandbox.nwrites, 3);
	assert_int_equal(sandbox.ngetpid, 1);
	assert_int_equal(sandbox.status, native.status);
	assert_int_equal(sandbox.status, 7);
	assert_int_equal(sandbox.outlen, native.outlen);
	assert_memory_equal(sandbox.out, native.out, native.outlen);
}

static void test_loader_rejects(void **state)
{
	struct loader_image li;
	size_t len;
	uint8_t *img = read_all(GUEST_HELLO, &len);
	uint8_t bad[64] = { 0x7f, 'E', 'L', 'F' };

	(void)state;
	assert_int_equal(loader_parse(img, len, &li), 0);
	assert_int_equal(loader_parse(bad, sizeof(bad), &li), -ENOEXEC);
	assert_int_equal(loader_parse(img, 32, &li), -ENOEXEC);
	/* Truncations anywhere never crash and never succeed past the headers. */
	for (size_t cut = 0; cut < 256 && cut < len; cut++)
		(void)loader_parse(img, cut, &li);
	/* Corrupt e_phoff. */
	img[0x20] = 0xff, img[0x21] = 0xff, img[0x22] = 0xff;
	assert_int_equal(loader_parse(img, len, &li), -ENOEXEC);
	free(img);
}

static enum plat_kind k_systrap = PLAT_SYSTRAP, k_ptrace = PLAT_PTRACE;

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_hello, &k_systrap),
		cmocka_unit_test_prestate(test_hello, &k_ptrace),
		cmocka_unit_test(test_loader_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
