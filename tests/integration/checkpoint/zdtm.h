/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoint tests in the shape of CRIU's zdtm: a static program builds
 * state, prints "READY" (zd_ready), waits for SIGUSR2 (zd_wait_go) while
 * the driver (ckpt_run.c) checkpoints and restores it, then verifies its
 * state and prints "PASS" or "FAIL: why" (zd_finish) with exit status 0/1.
 * Only async-signal-safe output (write(2)): forked children may print.
 */
#ifndef CVISOR_TESTS_CKPT_ZDTM_H
#define CVISOR_TESTS_CKPT_ZDTM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t zd_go;
static int zd_failures;

static void zd_on_go(int sig)
{
	(void)sig;
	zd_go = 1;
}

static void zd_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void zd_say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!write(1, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

#define zd_check(cond, ...)                                                                  \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			zd_failures++;                                                       \
			zd_say("FAIL: " __VA_ARGS__);                                         \
			zd_say(" (%s:%d)\n", __FILE__, __LINE__);                            \
		}                                                                            \
	} while (0)

/* SIGUSR2 sets zd_go (installed before READY); it stays blocked outside
 * zd_wait_go's sigsuspend, so it cannot slip in between the test of zd_go
 * and the sleep (a pause() loop would lose it, and a restored task sits
 * exactly there: at its restarted call). */
static void zd_init(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = zd_on_go;
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static __attribute__((unused)) void zd_ready(void)
{
	zd_say("READY\n");
}

/* Sleep in sigsuspend() until SIGUSR2 (a call in progress at the
 * checkpoint), then leave SIGUSR2 unblocked. */
static __attribute__((unused)) void zd_wait_go(void)
{
	sigset_t set;

	sigprocmask(SIG_BLOCK, NULL, &set);
	sigdelset(&set, SIGUSR2);
	while (!zd_go)
		sigsuspend(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

static int zd_finish(void)
{
	if (zd_failures == 0)
		zd_say("PASS\n");
	return zd_failures ? 1 : 0;
}

#endif
