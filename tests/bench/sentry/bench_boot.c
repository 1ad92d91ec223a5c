/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_boot: a long-lived sandbox (runtime/sandbox.h) against native, in
 * one run, on each platform:
 *   boot      sandbox_boot() until the Sentry answers (+ destroy after);
 *   spawn     sandbox_spawn + sandbox_wait of `true` in a booted sandbox;
 *   do        `cvisor do -- true`, a whole sandbox per command (reference);
 *   native    fork + exec + wait of the same `true` binary on the host.
 * Medians in microseconds and ratios to native.  Not pass/fail.
 * Usage: bench_boot CVISOR ROOTFS [SPAWNS] [BOOTS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/sandbox.h"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

static int run_host(const char *const argv[])
{
	int st, devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid = fork();

	if (pid == 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(devnull);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

int main(int argc, char **argv)
{
	static const char *plats[] = { "systrap", "ptrace" };
	const char *cvisor, *rootfs;
	char truebin[4096], sock[128], dir[] = "/tmp/cvisor-benchboot-XXXXXX";
	int spawns, boots;
	uint64_t *v, native;

	if (argc < 3) {
		fprintf(stderr, "usage: %s CVISOR ROOTFS [SPAWNS] [BOOTS]\n", argv[0]);
		return 2;
	}
	cvisor = argv[1];
	rootfs = argv[2];
	spawns = argc > 3 ? atoi(argv[3]) : 200;
	boots = argc > 4 ? atoi(argv[4]) : 10;
	if (spawns < 1 || boots < 1 || !mkdtemp(dir))
		return 2;
	v = calloc((size_t)(spawns > boots ? spawns : boots), sizeof(*v));
	snprintf(truebin, sizeof(truebin), "%s/bin/true", rootfs);
	for (int i = 0; i < spawns; i++) {
		const char *a[] = { truebin, NULL };
		uint64_t t0 = now_us();

		if (run_host(a) != 0) {
			fprintf(stderr, "bench_boot: native %s failed\n", truebin);
			return 1;
		}
		v[i] = now_us() - t0;
	}
	native = median(v, spawns);
	printf("bench_boot (medians: %d spawns, %d boots)\n", spawns, boots);
	printf("%-8s %-8s %12s %10s\n", "what", "platform", "us", "x native");
	printf("%-8s %-8s %12llu %10.1f\n", "native", "host", (unsigned long long)native, 1.0);
	for (size_t p = 0; p < 2; p++) {
		struct sandbox_opts o = { .rootfs = rootfs, .control_path = sock, .log_fd = -1,
					  .cvisor_path = cvisor, .die_with_caller = true };
		struct sandbox *sb = NULL;
		uint64_t boot, spawn, destroy = 0, cold;

		plat_kind_from_string(plats[p], &o.platform);
		snprintf(sock, sizeof(sock), "%s/ctl.sock", dir);
		for (int i = 0; i < boots; i++) {
			uint64_t t0 = now_us(), t1;

			if (sandbox_boot(&o, &sb) < 0) {
				fprintf(stderr, "bench_boot: boot failed (%s)\n", plats[p]);
				return 1;
			}
			v[i] = now_us() - t0;
			if (i + 1 == boots)
				break; /* keep the last one for the spawns */
			t1 = now_us();
			sandbox_destroy(sb);
			destroy += now_us() - t1;
		}
		boot = median(v, boots);
		for (int i = 0; i < spawns; i++) {
			const char *a[] = { "/bin/true", NULL };
			struct sandbox_process pr = { .argv = a, .stdio = { -1, -1, -1 } };
			uint64_t t0 = now_us();
			int32_t pid;
			int st;

			if (sandbox_spawn(sb, &pr, &pid) < 0 || sandbox_wait(sb, pid, -1, &st) < 0 ||
			    st != 0) {
				fprintf(stderr, "bench_boot: spawn failed (%s)\n", plats[p]);
				return 1;
			}
			v[i] = now_us() - t0;
		}
		spawn = median(v, spawns);
		sandbox_destroy(sb);
		for (int i = 0; i < boots; i++) {
			char pl[32];
			const char *a[] = { cvisor, "do", "--rootfs", rootfs, pl, "--",
				      "/bin/true", NULL };
			uint64_t t0 = now_us();

			snprintf(pl, sizeof(pl), "--platform=%s", plats[p]);
			if (run_host(a) != 0) {
				fprintf(stderr, "bench_boot: cvisor do failed (%s)\n", plats[p]);
				return 1;
			}
			v[i] = now_us() - t0;
		}
		cold = median(v, boots);
		printf("%-8s %-8s %12llu %10.1f\n", "boot", plats[p], (unsigned long long)boot,
		       (double)boot / (double)native);
		printf("%-8s %-8s %12llu %10.1f\n", "spawn", plats[p], (unsigned long long)spawn,
		       (double)spawn / (double)native);
		printf("%-8s %-8s %12llu %10.1f\n", "do", plats[p], (unsigned long long)cold,
		       (double)cold / (double)native);
		if (boots > 1)
			printf("%-8s %-8s %12llu\n", "destroy", plats[p],
			       (unsigned long long)(destroy / (uint64_t)(boots - 1)));
	}
	free(v);
	rmdir(dir);
	return 0;
}
