/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Platform tests, each run on systrap and on ptrace: syscalls are
 * intercepted with the right numbers and arguments, faults carry address
 * and access type, FPU and fs_base state round-trips, threads trap
 * independently, interrupts stop a spinning thread, and the stub is
 * confined (seccomp mode 2, namespaces, no caps, empty root).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "lib/macro.h"
#include "platform/stub/stub.h"

#define VARIANT(state) ((const struct h_variant *)*(state))
#define KIND(state) (VARIANT(state)->kind)

/* inc %rdi; syscall; jmp back to inc */
static const uint8_t code_loop[] = { 0x48, 0xff, 0xc7, 0x0f, 0x05, 0xeb, 0xf9 };
/* jmp . */
static const uint8_t code_spin[] = { 0xeb, 0xfe };
/* 0x00: mov (%rdi),%rax   0x10: mov %rax,(%rdi) */
static const uint8_t code_mem[] = { 0x48, 0x8b, 0x07, 0x0f, 0x05, 0x90, 0x90, 0x90,
				    0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
				    0x48, 0x89, 0x07, 0x0f, 0x05 };
/* 0x00: movq %rdi,%xmm0; syscall   0x08: movq %xmm1,%rdi; syscall
 * 0x10: mov %fs:0,%rdi; syscall */
static const uint8_t code_state[] = {
	0x66, 0x48, 0x0f, 0x6e, 0xc7, 0x0f, 0x05, 0x90, 0x66, 0x48, 0x0f, 0x7e, 0xcf, 0x0f,
	0x05, 0x90, 0x64, 0x48, 0x8b, 0x3c, 0x25, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x05,
};

static void test_syscall_args(void **state)
{
	struct harness h;

	h_setup(&h, VARIANT(state), code_loop, sizeof(code_loop));
	h.cpu->regs.rax = 1234;
	h.cpu->regs.rdi = 41;
	h.cpu->regs.rsi = 0xaaaa;
	h.cpu->regs.rdx = 0xbbbb;
	h.cpu->regs.r10 = 0xcccc;
	h.cpu->regs.r8 = 0xdddd;
	h.cpu->regs.r9 = 0xeeee;
	for (int i = 0; i < 50; i++) {
		struct plat_exit ex = h_switch(&h, PLAT_EXIT_SYSCALL);

		/* systrap: SIGSYS from seccomp (1) or syscall user dispatch (2) */
		if (KIND(state) == PLAT_SYSTRAP)
			assert_int_equal(ex.code, VARIANT(state)->sud ? 2 : 1);
		assert_int_equal(h.cpu->regs.orig_rax, 1234 + i);
		assert_int_equal(h.cpu->regs.rdi, 42 + i);
		assert_int_equal(h.cpu->regs.rsi, 0xaaaa);
		assert_int_equal(h.cpu->regs.rdx, 0xbbbb);
		assert_int_equal(h.cpu->regs.r10, 0xcccc);
		assert_int_equal(h.cpu->regs.r8, 0xdddd);
		assert_int_equal(h.cpu->regs.r9, 0xeeee);
		assert_int_equal(h.cpu->regs.rip, H_CODE + 5);
		h.cpu->regs.rax = 1235 + i; /* the "return value" is the next nr */
	}
	h_teardown(&h);
}

static void test_fault_read(void **state)
{
	struct harness h;
	struct plat_exit ex;

	h_setup(&h, VARIANT(state), code_mem, sizeof(code_mem));
	h.cpu->regs.rdi = H_HOLE + 0x123;
	ex = h_switch(&h, PLAT_EXIT_FAULT);
	assert_int_equal(ex.signo, SIGSEGV);
	assert_int_equal(ex.addr, H_HOLE + 0x123);
	assert_int_equal(ex.access, PLAT_ACCESS_READ);
	assert_int_equal(h.cpu->regs.rip, H_CODE);
	/* A readable page: the load works and we reach the syscall. */
	h.cpu->regs.rdi = H_DATA;
	h.cpu->regs.rax = 0;
	h_switch(&h, PLAT_EXIT_SYSCALL);
	assert_int_equal(h.cpu->regs.orig_rax, H_DATA_MAGIC);
	h_teardown(&h);
}

static void test_fault_write(void **state)
{
	struct harness h;
	struct plat_exit ex;

	h_setup(&h, VARIANT(state), code_mem, sizeof(code_mem));
	h.cpu->regs.rip = H_CODE + 0x10;
	h.cpu->regs.rdi = H_DATA + 8;
	ex = h_switch(&h, PLAT_EXIT_FAULT);
	assert_int_equal(ex.signo, SIGSEGV);
	assert_int_equal(ex.addr, H_DATA + 8);
	assert_int_equal(ex.access, PLAT_ACCESS_WRITE);
	assert_int_equal(h.cpu->regs.rip, H_CODE + 0x10);
	h_teardown(&h);
}

static void test_fault_exec(void **state)
{
	struct harness h;
	struct plat_exit ex;

	h_setup(&h, VARIANT(state), code_mem, sizeof(code_mem));
	h.cpu->regs.rip = H_DATA + 0x40;
	ex = h_switch(&h, PLAT_EXIT_FAULT);
	assert_int_equal(ex.signo, SIGSEGV);
	assert_int_equal(ex.addr, H_DATA + 0x40);
	assert_int_equal(ex.access, PLAT_ACCESS_EXEC);
	h_teardown(&h);
}

static void test_fp_and_fs(void **state)
{
	struct harness h;
	uint64_t v;

	h_setup(&h, VARIANT(state), code_state, sizeof(code_state));
	/* App -> Sentry: xmm0 lands in the FXSAVE area (xmm0 at 160). */
	h.cpu->regs.rdi = 0x0123456789abcdefULL;
	h_switch(&h, PLAT_EXIT_SYSCALL);
	assert_true(h.cpu->fp.size >= 512);
	memcpy(&v, h.cpu->fp.data + 160, 8);
	assert_int_equal(v, 0x0123456789abcdefULL);
	/* Sentry -> app: xmm1 (at 176) is what the app reads. */
	v = 0xfeedfacecafebeefULL;
	memcpy(h.cpu->fp.data + 176, &v, 8);
	h.cpu->regs.rip = H_CODE + 8;
	h_switch(&h, PLAT_EXIT_SYSCALL);
	assert_int_equal(h.cpu->regs.rdi, 0xfeedfacecafebeefULL);
	memcpy(&v, h.cpu->fp.data + 160, 8);
	assert_int_equal(v, 0x0123456789abcdefULL); /* xmm0 survived */
	/* fs_base set by the Sentry is the one the app's %fs loads use. */
	h.cpu->regs.fs_base = H_DATA;
	h.cpu->regs.rip = H_CODE + 0x10;
	h_switch(&h, PLAT_EXIT_SYSCALL);
	assert_int_equal(h.cpu->regs.rdi, H_DATA_MAGIC);
	assert_int_equal(h.cpu->regs.fs_base, H_DATA);
	h_teardown(&h);
}

/* exit_code (last field of /proc/<pid>/stat) of a zombie, or -1. */
static int proc_exit_code(int pid)
{
	char path[64], buf[1024];
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	p = strrchr(buf, ' ');
	if (!strrchr(buf, ')') || !p || strrchr(buf, ')')[2] != 'Z')
		return -1;
	return atoi(p + 1);
}

/* A jump to the stub's gadget with a syscall outside the allow-list: the
 * host must never run it.  systrap: seccomp kills the stub.  ptrace: the
 * SYSEMU stop reports it as an ordinary syscall (never executed). */
static void test_gadget_forbidden(void **state)
{
	static const struct {
		uint64_t nr, a0, a1, a3;
	} cases[] = {
		{ SYS_kill, 1, SIGKILL, 0 },
		{ SYS_openat, (uint64_t)-100, H_DATA, 0 },
		{ SYS_mmap, STUB_BASE, 4096, 0x32 /* FIXED|PRIVATE|ANON */ },
		{ SYS_clone, 0x11 /* SIGCHLD */, 0, 0 },
	};
	struct stub_code code;

	stub_code_get(&code);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct harness h;
		struct plat_exit ex;
		int pid, r;

		h_setup(&h, VARIANT(state), code_spin, sizeof(code_spin));
		pid = plat_as_pid(h.as);
		h.cpu->regs.rip = STUB_BASE + code.off_gadget;
		h.cpu->regs.rax = cases[i].nr;
		h.cpu->regs.rdi = cases[i].a0;
		h.cpu->regs.rsi = cases[i].a1;
		h.cpu->regs.rdx = 3;
		h.cpu->regs.r10 = cases[i].a3;
		r = plat_ctx_switch(h.ctx, h.cpu, &ex);
		if (KIND(state) == PLAT_SYSTRAP) {
			assert_int_equal(r, -ESRCH);
			/* Killed by SIGSYS (seccomp KILL_PROCESS), still a
			 * zombie until the holder reaps it. */
			assert_int_equal(proc_exit_code(pid) & 0x7f, SIGSYS);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(ex.reason, PLAT_EXIT_SYSCALL);
			assert_int_equal(h.cpu->regs.orig_rax, cases[i].nr);
			assert_int_equal(kill(pid, 0), 0); /* alive, nothing ran */
		}
		h_teardown(&h);
	}
}

static void test_confinement(void **state)
{
	static const char *const ns[] = { "user", "mnt", "pid", "ipc", "uts", "net" };
	struct harness h;
	char buf[128], path[64];
	int pid, n = 0;
	DIR *d;

	h_setup(&h, VARIANT(state), code_spin, sizeof(code_spin));
	pid = plat_as_pid(h.as);
	assert_int_equal(h_proc_status(pid, "Seccomp", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2");
	assert_int_equal(h_proc_status(pid, "NoNewPrivs", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(h_proc_status(pid, "CapEff", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0000000000000000");
	assert_int_equal(h_proc_status(pid, "CapBnd", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0000000000000000");
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		struct stat a, b;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns[i]);
		assert_int_equal(stat(path, &a), 0);
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
		assert_int_equal(stat(path, &b), 0);
		if (a.st_ino == b.st_ino)
			fail_msg("stub shares the %s namespace", ns[i]);
	}
	/* The root directory is empty. */
	snprintf(path, sizeof(path), "/proc/%d/root/", pid);
	d = opendir(path);
	assert_non_null(d);
	for (struct dirent *de; (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	assert_int_equal(n, 0);
	/* Only the control socket is open. */
	snprintf(path, sizeof(path), "/proc/%d/fd/", pid);
	d = opendir(path);
	assert_non_null(d);
	n = 0;
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	assert_int_equal(n, 1);
	h_teardown(&h);
}

struct thr {
	struct harness *h;
	struct plat_ctx *ctx;
	struct plat_cpu cpu;
	uint64_t marker;
	int errors;
	pthread_barrier_t *done;
};

static void *thr_main(void *arg)
{
	struct thr *t = arg;

	for (int i = 0; i < 500; i++) {
		struct plat_exit ex;

		t->cpu.regs.rax = t->marker;
		if (plat_ctx_switch(t->ctx, &t->cpu, &ex) < 0 || ex.reason != PLAT_EXIT_SYSCALL ||
		    t->cpu.regs.orig_rax != t->marker || t->cpu.regs.rdi != (uint64_t)i + 1)
			t->errors++;
	}
	/* ptrace: a context belongs to its tracer thread, which must outlive
	 * it (the stub dies with its tracer: PTRACE_O_EXITKILL). */
	pthread_barrier_wait(t->done);
	plat_ctx_destroy(t->ctx);
	return NULL;
}

static void test_threads(void **state)
{
	struct harness h;
	struct thr t[3];
	pthread_t tid[3];
	pthread_barrier_t done;

	h_setup(&h, VARIANT(state), code_loop, sizeof(code_loop));
	pthread_barrier_init(&done, NULL, 3);
	for (int i = 0; i < 3; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].h = &h;
		t[i].done = &done;
		t[i].marker = 1000 * (uint64_t)(i + 1);
		assert_int_equal(plat_ctx_create(h.as, &t[i].ctx), 0);
		plat_cpu_init(&t[i].cpu, H_CODE, H_RW + 1024 * (uint64_t)(i + 1));
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, thr_main, &t[i]), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&done);
	for (int i = 0; i < 3; i++)
		assert_int_equal(t[i].errors, 0);
	/* The AS is still alive and its first context still works. */
	h.cpu->regs.rax = 7;
	h_switch(&h, PLAT_EXIT_SYSCALL);
	h_teardown(&h);
}

struct intr {
	struct harness *h;
	int rc;
	int rounds_ok;
	int destroy;
	volatile int done;
	pthread_barrier_t *quiet; /* main stopped interrupting */
	struct plat_exit ex;
};

static void *intr_main(void *arg)
{
	struct intr *it = arg;

	for (int round = 0; round < 3; round++) {
		it->rc = plat_ctx_switch(it->h->ctx, it->h->cpu, &it->ex);
		if (it->rc < 0)
			break;
		if (it->ex.reason == PLAT_EXIT_INTERRUPT && it->h->cpu->regs.rip == H_CODE)
			it->rounds_ok++;
	}
	it->done = 1;
	if (it->destroy) {
		pthread_barrier_wait(it->quiet);
		plat_ctx_destroy(it->h->ctx);
		it->h->ctx = NULL;
	}
	it->done = 1;
	return NULL;
}

static void test_interrupt(void **state)
{
	struct harness h;
	struct intr it;
	pthread_t t;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	pthread_barrier_t quiet;

	h_setup(&h, VARIANT(state), code_spin, sizeof(code_spin));
	pthread_barrier_init(&quiet, NULL, 2);
	it = (struct intr){ .h = &h, .destroy = 1, .quiet = &quiet };
	assert_int_equal(pthread_create(&t, NULL, intr_main, &it), 0);
	for (int i = 0; i < 500 && !it.done; i++) {
		nanosleep(&ts, NULL);
		assert_int_equal(plat_ctx_interrupt(h.ctx), 0);
	}
	pthread_barrier_wait(&quiet);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&quiet);
	assert_int_equal(it.rc, 0);
	assert_int_equal(it.rounds_ok, 3);
	h_teardown(&h);
}

static uint64_t proc_cpu_ticks(int pid)
{
	char path[64], buf[1024];
	unsigned long ut = 0, st = 0;
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	p = strrchr(buf, ')');
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
	return ut + st;
}

/* A thread stopped in the Sentry for a long time must not burn CPU: the
 * stub's spin is bounded, then it sleeps. */
static void test_idle_no_cpu(void **state)
{
	struct harness h;
	struct timespec ts = { 0, 500 * 1000 * 1000 };
	uint64_t before, after;

	h_setup(&h, VARIANT(state), code_loop, sizeof(code_loop));
	h_switch(&h, PLAT_EXIT_SYSCALL);
	before = proc_cpu_ticks(plat_as_pid(h.as));
	nanosleep(&ts, NULL);
	after = proc_cpu_ticks(plat_as_pid(h.as));
	/* 500 ms of spinning would be ~50 ticks; allow scheduler noise. */
	assert_true(after - before <= 5);
	h_teardown(&h);
}

static void test_memory(void **state)
{
	struct harness h;
	char buf[64];
	int fd;

	h_setup(&h, VARIANT(state), code_loop, sizeof(code_loop));
	assert_int_equal(plat_as_read(h.as, H_HOLE, buf, 8), -EFAULT);
	assert_int_equal(plat_as_read(h.as, STUB_BASE, buf, 8), -EFAULT);
	assert_int_equal(plat_as_read(h.as, STUB_SHARED, buf, 8), -EFAULT);
	/* Partial copy stops at the hole. */
	assert_int_equal(plat_as_read(h.as, H_RW + 4096 - 16, buf, 64), 16);
	assert_int_equal(plat_as_map(h.as, STUB_BASE, 4096, PROT_READ, PLAT_MAP_PRIVATE, -1, 0),
			 -ENOMEM);
	assert_int_equal(plat_as_map(h.as, STUB_BASE - 4096, 8192, PROT_READ, PLAT_MAP_PRIVATE,
				     -1, 0),
			 -ENOMEM);
	assert_int_equal(plat_as_map(h.as, 0x1000, 4096, PROT_READ, PLAT_MAP_PRIVATE, -1, 0),
			 -ENOMEM);
	assert_int_equal(plat_as_map(h.as, H_HOLE + 1, 4096, PROT_READ, PLAT_MAP_PRIVATE, -1, 0),
			 -EINVAL);
	assert_int_equal(plat_as_unmap(h.as, STUB_BASE, 4096), -ENOMEM);
	assert_int_equal(plat_as_protect(h.as, STUB_BASE, 4096, PROT_READ), -ENOMEM);

	/* A shared memfd mapping: both sides see each other's writes. */
	fd = memfd_create("t", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8192), 0);
	assert_int_equal(pwrite(fd, "sentry", 6, 4096), 6);
	assert_int_equal(plat_as_map(h.as, 0x100000, 8192, PROT_READ | PROT_WRITE, PLAT_MAP_SHARED,
				     fd, 0),
			 0);
	assert_int_equal(plat_as_read(h.as, 0x100000 + 4096, buf, 6), 6);
	assert_memory_equal(buf, "sentry", 6);
	assert_int_equal(plat_as_write(h.as, 0x100000, "app", 3), 3);
	assert_int_equal(pread(fd, buf, 3, 0), 3);
	assert_memory_equal(buf, "app", 3);
	close(fd);
	assert_int_equal(plat_as_unmap(h.as, 0x100000, 8192), 0);
	assert_int_equal(plat_as_read(h.as, 0x100000, buf, 1), -EFAULT);
	h_teardown(&h);
}

/* The stub killed from outside: a switch in progress returns -ESRCH. */
static void test_stub_killed(void **state)
{
	struct harness h;
	struct intr it;
	pthread_t t;
	struct timespec ts = { 0, 30 * 1000 * 1000 };

	h_setup(&h, VARIANT(state), code_spin, sizeof(code_spin));
	it = (struct intr){ .h = &h };
	assert_int_equal(pthread_create(&t, NULL, intr_main, &it), 0);
	nanosleep(&ts, NULL);
	assert_int_equal(kill(plat_as_pid(h.as), SIGKILL), 0);
	pthread_join(t, NULL);
	assert_int_equal(it.rounds_ok, 0);
	assert_int_equal(it.rc, -ESRCH);
	assert_int_equal(plat_ctx_switch(h.ctx, h.cpu, &it.ex), -ESRCH);
	h_teardown(&h);
}

/* Fork: copy-on-write memory, independent lifetimes, same confinement;
 * destroyed stubs are reaped (no zombies left). */
static void test_fork(void **state)
{
	struct harness h;
	struct plat_as *child;
	struct plat_ctx *cctx;
	struct plat_cpu *ccpu = calloc(1, sizeof(*ccpu));
	struct plat_exit ex;
	uint64_t a = 0xaaaa, b = 0xbbbb, v = 0;
	char buf[64], path[64];
	int ppid, cpid;

	assert_non_null(ccpu);
	h_setup(&h, VARIANT(state), code_loop, sizeof(code_loop));
	assert_int_equal(plat_as_write(h.as, H_RW, &a, 8), 8);
	assert_int_equal(plat_as_fork(h.as, &child), 0);
	ppid = plat_as_pid(h.as);
	cpid = plat_as_pid(child);
	assert_true(cpid > 0 && cpid != ppid);
	assert_int_equal(h_proc_status(cpid, "Seccomp", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2");

	/* Copy-on-write both ways. */
	assert_int_equal(plat_as_read(child, H_RW, &v, 8), 8);
	assert_int_equal(v, a);
	assert_int_equal(plat_as_write(child, H_RW, &b, 8), 8);
	assert_int_equal(plat_as_read(h.as, H_RW, &v, 8), 8);
	assert_int_equal(v, a);
	assert_int_equal(plat_as_read(child, H_RW, &v, 8), 8);
	assert_int_equal(v, b);
	/* Read-only data and code came along. */
	assert_int_equal(plat_as_read(child, H_DATA, &v, 8), 8);
	assert_int_equal(v, H_DATA_MAGIC);

	/* The child outlives its parent and runs code. */
	h_switch(&h, PLAT_EXIT_SYSCALL);
	plat_ctx_destroy(h.ctx);
	h.ctx = NULL;
	plat_as_destroy(h.as);
	h.as = NULL;
	assert_int_equal(plat_ctx_create(child, &cctx), 0);
	plat_cpu_init(ccpu, H_CODE, H_RW + 2048);
	ccpu->regs.rax = 77;
	ccpu->regs.rdi = 9;
	assert_int_equal(plat_ctx_switch(cctx, ccpu, &ex), 0);
	assert_int_equal(ex.reason, PLAT_EXIT_SYSCALL);
	assert_int_equal(ccpu->regs.orig_rax, 77);
	assert_int_equal(ccpu->regs.rdi, 10);
	plat_ctx_destroy(cctx);
	plat_as_destroy(child);
	/* Both stubs are gone, not zombies (reaped in the background). */
	for (int i = 0; i < 2; i++) {
		int gone = 0;

		snprintf(path, sizeof(path), "/proc/%d/stat", i ? cpid : ppid);
		for (int t = 0; t < 200 && !gone; t++) {
			gone = access(path, F_OK) < 0;
			if (!gone)
				usleep(10000);
		}
		assert_true(gone);
	}
	free(ccpu);
	h_teardown(&h);
}

static const struct h_variant v_systrap = { PLAT_SYSTRAP, 0 }, v_sud = { PLAT_SYSTRAP, 1 },
			       v_ptrace = { PLAT_PTRACE, 0 };

#define BOTH(fn)                                                                            \
	cmocka_unit_test_prestate(fn, (void *)&v_systrap),                                  \
		cmocka_unit_test_prestate(fn, (void *)&v_sud),                              \
		cmocka_unit_test_prestate(fn, (void *)&v_ptrace)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_syscall_args), BOTH(test_fault_read),     BOTH(test_fault_write),
		BOTH(test_fault_exec),   BOTH(test_fp_and_fs),      BOTH(test_gadget_forbidden),
		BOTH(test_confinement),  BOTH(test_threads),        BOTH(test_interrupt),
		BOTH(test_idle_no_cpu),  BOTH(test_memory),         BOTH(test_stub_killed),
		BOTH(test_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
