/* SPDX-License-Identifier: Apache-2.0 */
/* limits_forkbomb N: fork up to N children that sleep, stop at the first
 * failure, print "forked K of N" (and the errno), kill and reap the
 * children, exit 0 (a guest of limits.sh). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10, k;
	int err = 0;

	for (k = 0; k < n; k++) {
		pid_t p = fork();

		if (p < 0) {
			err = errno;
			break;
		}
		if (p == 0) {
			pause();
			_exit(0);
		}
	}
	printf("forked %ld of %ld%s%s\n", k, n, err ? ": " : "", err ? strerror(err) : "");
	fflush(stdout);
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	while (wait(NULL) > 0)
		;
	return 0;
}
