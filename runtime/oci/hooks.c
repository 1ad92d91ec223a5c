/* SPDX-License-Identifier: Apache-2.0 */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/macro.h"
#include "runtime/oci/spec.h"

int oci_hook_run(const struct oci_hook *h, const char *state_json, int *ret_status)
{
	static char *const empty[] = { NULL };
	int in[2], status = 0, r = 0;
	size_t len = strlen(state_json), off = 0;
	struct timespec start, now;
	pid_t pid, w;

	/* the state fits in the pipe: written before the hook runs, so that a
	 * hook that never reads neither blocks us nor sends us SIGPIPE */
	if (len > 65536)
		return -E2BIG;
	if (pipe2(in, O_CLOEXEC) < 0)
		return neg_errno();
	while (off < len) {
		ssize_t n = write(in[1], state_json + off, len - off);

		if (n <= 0) {
			r = neg_errno();
			safe_close(in[0]);
			safe_close(in[1]);
			return r;
		}
		off += (size_t)n;
	}
	safe_close(in[1]);
	pid = fork();
	if (pid < 0) {
		r = neg_errno();
		safe_close(in[0]);
		return r;
	}
	if (pid == 0) {
		char *def_argv[] = { h->path, NULL };

		if (dup2(in[0], 0) < 0)
			_exit(127);
		/* stdout of a hook is not ours to print on: the caller's stderr */
		dup2(2, 1);
		signal(SIGPIPE, SIG_DFL);
		execve(h->path, h->args ? h->args : def_argv, h->env ? h->env : empty);
		_exit(127);
	}
	safe_close(in[0]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		w = waitpid(pid, &status, h->timeout > 0 ? WNOHANG : 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return neg_errno();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (h->timeout > 0 && now.tv_sec - start.tv_sec >= h->timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*ret_status = status;
			return -ETIMEDOUT;
		}
		usleep(2000);
	}
	*ret_status = status;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return -ECANCELED;
}
