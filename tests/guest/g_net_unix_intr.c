/* SPDX-License-Identifier: Apache-2.0 */
/* Blocking AF_UNIX calls and signals: EINTR without SA_RESTART, a
 * restarted recv/accept with it, EINTR despite SA_RESTART when a timeout
 * (SO_RCVTIMEO) is set, as Linux does; a blocked writer resumes when the
 * reader drains. */
#include "common.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static volatile sig_atomic_t hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

static void handler(int restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
}

/* A child that signals us after a while, then (if @data) writes to @fd. */
static pid_t poke(int fd, int data)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep(100 * 1000);
		kill(getppid(), SIGUSR1);
		if (data) {
			usleep(100 * 1000);
			write(fd, "late", 4);
		}
		_exit(0);
	}
	return pid;
}

int main(void)
{
	int sv[2], st;
	char buf[16];
	pid_t pid;
	struct timeval tv = { 5, 0 };

	g_start();
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);

	handler(0);
	pid = poke(sv[1], 0);
	t_err("recv without SA_RESTART", recv(sv[0], buf, sizeof(buf), 0), EINTR);
	waitpid(pid, &st, 0);
	t_eq("handler ran", hits, 1);

	handler(1);
	pid = poke(sv[1], 1);
	t_eq("recv restarted with SA_RESTART", recv(sv[0], buf, sizeof(buf), 0), 4);
	waitpid(pid, &st, 0);
	t_eq("handler ran", hits, 2);

	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	pid = poke(sv[1], 0);
	t_err("recv with SO_RCVTIMEO: EINTR despite SA_RESTART", recv(sv[0], buf, sizeof(buf), 0),
	      EINTR);
	waitpid(pid, &st, 0);
	close(sv[0]);
	close(sv[1]);

	{
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		socklen_t al;
		int l = socket(AF_UNIX, SOCK_STREAM, 0), c;

		al = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				 (size_t)snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
						  "cvisor-g-intr-%d", (int)getpid()));
		bind(l, (struct sockaddr *)&a, al);
		listen(l, 1);
		handler(0);
		pid = poke(-1, 0);
		t_err("accept interrupted", accept(l, NULL, NULL), EINTR);
		waitpid(pid, &st, 0);
		handler(1);
		pid = fork();
		if (pid == 0) {
			int fd = socket(AF_UNIX, SOCK_STREAM, 0);

			usleep(100 * 1000);
			kill(getppid(), SIGUSR1);
			usleep(100 * 1000);
			_exit(connect(fd, (struct sockaddr *)&a, al) < 0);
		}
		c = accept(l, NULL, NULL);
		t_yes("accept restarted", c >= 0);
		waitpid(pid, &st, 0);
		t_eq("client connected", WEXITSTATUS(st), 0);
		close(c);
		/* shutdown() of the listener by another thread of control ends a
		 * blocked accept with EINVAL. */
		{
			pid_t k = fork();

			if (k == 0) {
				usleep(100 * 1000);
				shutdown(l, SHUT_RD);
				_exit(0);
			}
			t_err("accept after shutdown of the listener", accept(l, NULL, NULL), EINVAL);
			waitpid(k, &st, 0);
		}
		close(l);
	}

	/* A writer blocked on a full buffer resumes as the reader drains. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (pid == 0) {
		static char big[1 << 20];

		close(sv[0]);
		_exit(write(sv[1], big, sizeof(big)) == sizeof(big) ? 0 : 1);
	}
	close(sv[1]);
	{
		long total = 0, n;
		static char rb[65536];

		usleep(50 * 1000);
		while ((n = read(sv[0], rb, sizeof(rb))) > 0)
			total += n;
		t_eq("blocked writer delivered everything", total, 1 << 20);
	}
	waitpid(pid, &st, 0);
	t_eq("writer status", WEXITSTATUS(st), 0);
	close(sv[0]);
	return g_finish();
}
