/* SPDX-License-Identifier: Apache-2.0 */
/* Sessions and process groups: a child that made its own session (setsid)
 * with two grandchildren in a process group of their own, a child leading
 * its own group, a child in the parent's group.  After the restore the ids
 * are the same seen from inside and outside, a signal to the grandchildren's
 * group reaches both (and only them), setpgid still follows the session
 * rules (a session leader cannot move, a member can join another group of
 * its session). */
#include <sys/wait.h>

#include "zdtm.h"

static int go[2];

static void wait_go(void)
{
	char c;

	(void)!read(go[0], &c, 1); /* blocked here at the checkpoint */
}

static int child_a(int info)
{
	pid_t me, a1, a2;
	int st1 = 0, st2 = 0, bad = 0;

	me = setsid();
	a1 = fork();
	if (a1 == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(a1, a1);
	a2 = fork();
	if (a2 == 0) {
		setpgid(0, a1);
		for (;;)
			pause();
	}
	setpgid(a2, a1);
	(void)!write(info, &a1, sizeof(a1));
	(void)!write(info, &a2, sizeof(a2));
	wait_go();
	bad |= (getsid(0) != me || getpgid(0) != me) << 0;
	bad |= (getsid(a1) != me || getpgid(a2) != a1) << 1;
	bad |= (setpgid(0, a1) == 0) << 2; /* a session leader cannot move */
	bad |= (waitpid(a1, &st1, 0) != a1 || !WIFSIGNALED(st1) || WTERMSIG(st1) != SIGTERM) << 3;
	bad |= (waitpid(a2, &st2, 0) != a2 || !WIFSIGNALED(st2) || WTERMSIG(st2) != SIGTERM) << 4;
	return bad;
}

int main(void)
{
	pid_t main_pgid = getpgid(0), main_sid = getsid(0), a, b, c, a1 = 0, a2 = 0;
	int info[2], st;

	zd_init();
	if (pipe(go) < 0 || pipe(info) < 0)
		return 1;
	a = fork();
	if (a == 0)
		_exit(child_a(info[1]));
	b = fork();
	if (b == 0) {
		int bad = 0;

		setpgid(0, 0);
		wait_go();
		bad |= (getpgid(0) != getpid() || getsid(0) != main_sid) << 0;
		bad |= (setpgid(0, main_pgid) != 0 || getpgid(0) != main_pgid) << 1;
		_exit(bad);
	}
	setpgid(b, b);
	c = fork();
	if (c == 0) {
		wait_go();
		_exit(getpgid(0) != main_pgid || getsid(0) != main_sid);
	}
	(void)!read(info[0], &a1, sizeof(a1));
	(void)!read(info[0], &a2, sizeof(a2));
	usleep(50000);
	zd_ready();
	zd_wait_go();

	zd_check(getpgid(0) == main_pgid && getsid(0) == main_sid, "own ids changed");
	zd_check(getpgid(a) == a && getsid(a) == a, "session leader %d: pgid %d sid %d", a, getpgid(a),
		 getsid(a));
	zd_check(getpgid(a1) == a1 && getpgid(a2) == a1 && getsid(a2) == a,
		 "grandchildren: pgid %d %d sid %d", getpgid(a1), getpgid(a2), getsid(a2));
	zd_check(getpgid(b) == b && getsid(b) == main_sid, "group leader %d: pgid %d", b,
		 getpgid(b));
	zd_check(getpgid(c) == main_pgid, "member %d: pgid %d", c, getpgid(c));
	zd_check(kill(-a1, SIGTERM) == 0, "kill(-pgid)");
	zd_check(write(go[1], "abc", 3) == 3, "write");
	zd_check(waitpid(a, &st, 0) == a && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "session child: status 0x%x", st);
	zd_check(waitpid(b, &st, 0) == b && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "group leader child: status 0x%x", st);
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "member child: status 0x%x", st);
	return zd_finish();
}
