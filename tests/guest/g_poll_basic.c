/* SPDX-License-Identifier: Apache-2.0 */
/* poll on pipes: readiness, HUP, ERR, NVAL, negative fds, timeouts. */
#include "common.h"
#include <poll.h>
#include <time.h>

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show(const char *what, struct pollfd *p, int n)
{
	static const struct { short bit; const char *name; } bits[] = {
		{ POLLIN, "IN" }, { POLLOUT, "OUT" }, { POLLHUP, "HUP" },
		{ POLLERR, "ERR" }, { POLLNVAL, "NVAL" }, { POLLPRI, "PRI" },
	};
	char line[256] = "";
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		off += (size_t)snprintf(line + off, sizeof(line) - off, " [");
		for (unsigned b = 0, first = 1; b < sizeof(bits) / sizeof(bits[0]); b++)
			if (p[i].revents & bits[b].bit) {
				off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s",
							first ? "" : "|", bits[b].name);
				first = 0;
			}
		off += (size_t)snprintf(line + off, sizeof(line) - off, "]");
	}
	say("%s:%s\n", what, line);
}

int main(void)
{
	int p[2], rc;
	struct pollfd fds[4];
	char c;
	double t0;

	g_start();
	pipe(p);
	fds[0] = (struct pollfd){ p[0], POLLIN, 0 };
	fds[1] = (struct pollfd){ p[1], POLLOUT, 0 };
	rc = poll(fds, 2, 0);
	t_eq("empty pipe: ready count", rc, 1);
	show("empty pipe", fds, 2);

	write(p[1], "x", 1);
	rc = poll(fds, 2, 0);
	t_eq("after write: ready count", rc, 2);
	show("after write", fds, 2);
	read(p[0], &c, 1);

	fds[0].events = 0;
	rc = poll(fds, 1, 0);
	t_eq("events 0: nothing", rc, 0);
	fds[0].events = POLLIN;

	close(p[1]);
	rc = poll(fds, 1, 0);
	show("writer closed", fds, 1);
	t_yes("HUP without asking", rc == 1 && (fds[0].revents & POLLHUP));

	pipe(p);
	close(p[0]);
	fds[0] = (struct pollfd){ p[1], POLLOUT, 0 };
	poll(fds, 1, 0);
	show("reader closed", fds, 1);

	fds[0] = (struct pollfd){ 77, POLLIN, 0 };
	fds[1] = (struct pollfd){ -1, POLLIN, 123 };
	rc = poll(fds, 2, 0);
	t_eq("closed fd counts as ready", rc, 1);
	show("fd 77 and fd -1", fds, 2);
	t_eq("negative fd: revents zeroed", fds[1].revents, 0);

	pipe(p);
	fds[0] = (struct pollfd){ p[0], POLLIN, 0 };
	t0 = mono();
	rc = poll(fds, 1, 30);
	t_eq("timeout: 0 ready", rc, 0);
	t_yes("waited >= 30ms", mono() - t0 >= 0.029);
	t0 = mono();
	rc = poll(NULL, 0, 20);
	t_eq("poll(NULL, 0, 20) sleeps", rc, 0);
	t_yes("waited >= 20ms", mono() - t0 >= 0.019);

	/* a writer in a child wakes a blocking poll */
	if (fork() == 0) {
		usleep(20000);
		write(p[1], "y", 1);
		_exit(0);
	}
	rc = poll(fds, 1, -1);
	t_yes("woken by the child's write", rc == 1 && fds[0].revents == POLLIN);
	t_err("bad array pointer", poll(G_BADPTR, 1, 0), EFAULT);
	t_err("ppoll bad timeout", ppoll(fds, 1, &(struct timespec){ 0, -1 }, NULL), EINVAL);
	return g_finish();
}
