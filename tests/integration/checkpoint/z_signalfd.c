/* SPDX-License-Identifier: Apache-2.0 */
/* signalfds: masks and flags survive, pending signals (standard and a
 * queued real-time one with its value) are read through them after the
 * restore, and a thread blocked reading one across the checkpoint gets a
 * process-directed signal sent afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>

#include "zdtm.h"

static int s3;
static volatile ssize_t t_n = -2;
static struct signalfd_siginfo t_si;

static void *reader(void *arg)
{
	(void)arg;
	t_n = read(s3, &t_si, sizeof(t_si)); /* across the checkpoint */
	return NULL;
}

int main(void)
{
	struct signalfd_siginfo si[4];
	sigset_t m1, m2, m3, all;
	union sigval val = { .sival_int = 42 };
	int s1, s2;
	pthread_t th;
	ssize_t n;

	zd_init();
	sigemptyset(&m1);
	sigaddset(&m1, SIGUSR1);
	sigaddset(&m1, SIGRTMIN + 1);
	sigemptyset(&m2);
	sigaddset(&m2, SIGTERM);
	sigemptyset(&m3);
	sigaddset(&m3, SIGRTMIN + 2);
	all = m1;
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGRTMIN + 2);
	sigprocmask(SIG_BLOCK, &all, NULL);
	s1 = signalfd(-1, &m1, SFD_NONBLOCK | SFD_CLOEXEC);
	s2 = signalfd(-1, &m2, 0);
	s3 = signalfd(-1, &m3, 0);
	zd_check(s1 >= 0 && s2 >= 0 && s3 >= 0, "signalfd");
	zd_check(kill(getpid(), SIGUSR1) == 0, "SIGUSR1");
	zd_check(sigqueue(getpid(), SIGRTMIN + 1, val) == 0, "sigqueue");
	zd_check(pthread_create(&th, NULL, reader, NULL) == 0, "thread");
	usleep(100 * 1000); /* the reader blocks */
	zd_ready();
	zd_wait_go();

	zd_check(fcntl(s1, F_GETFL) == (O_RDONLY | O_NONBLOCK), "s1 flags 0%o",
		 (unsigned)fcntl(s1, F_GETFL));
	zd_check(fcntl(s1, F_GETFD) == FD_CLOEXEC && fcntl(s2, F_GETFL) == O_RDONLY, "s2 flags");
	n = read(s1, si, sizeof(si));
	zd_check(n == 2 * (ssize_t)sizeof(si[0]), "s1 read %zd", n);
	if (n == 2 * (ssize_t)sizeof(si[0])) {
		zd_check(si[0].ssi_signo == SIGUSR1, "first %u", si[0].ssi_signo);
		zd_check(si[1].ssi_signo == (uint32_t)SIGRTMIN + 1 && si[1].ssi_int == 42,
			 "second %u value %d", si[1].ssi_signo, si[1].ssi_int);
	}
	zd_check(read(s1, si, sizeof(si)) == -1 && errno == EAGAIN, "s1 drained");
	zd_check(kill(getpid(), SIGTERM) == 0 && read(s2, si, sizeof(si)) == sizeof(si[0]) &&
			 si[0].ssi_signo == SIGTERM, "s2 reads SIGTERM");
	zd_check(signalfd(s1, &m2, 0) == s1, "new mask on s1");
	zd_check(kill(getpid(), SIGTERM) == 0 && read(s1, si, sizeof(si)) == sizeof(si[0]) &&
			 si[0].ssi_signo == SIGTERM, "s1 with its new mask");
	zd_check(kill(getpid(), SIGRTMIN + 2) == 0, "SIGRTMIN+2");
	pthread_join(th, NULL);
	zd_check(t_n == sizeof(t_si) && t_si.ssi_signo == (uint32_t)SIGRTMIN + 2,
		 "blocked reader: %zd signo %u", t_n, t_si.ssi_signo);
	return zd_finish();
}
