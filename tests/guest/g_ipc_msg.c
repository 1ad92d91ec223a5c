/* SPDX-License-Identifier: Apache-2.0 */
/* SysV message queues: types, MSG_EXCEPT, MSG_NOERROR, IPC_NOWAIT,
 * blocking between processes, msgctl. */
#include "common.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>

struct m {
	long type;
	char text[64];
};

static void snd(int q, long type, const char *s)
{
	struct m m = { .type = type };

	strcpy(m.text, s);
	if (msgsnd(q, &m, strlen(s) + 1, 0) < 0)
		say("msgsnd %ld: FAIL %s\n", type, ename(errno));
}

static void rcv(int q, long type, int flags, const char *label)
{
	struct m m;
	long n;

	memset(&m, 0, sizeof(m));
	n = msgrcv(q, &m, sizeof(m.text), type, flags);
	if (n < 0)
		say("%s: %s\n", label, ename(errno));
	else
		say("%s: type %ld len %ld '%s'\n", label, m.type, n, m.text);
}

int main(void)
{
	struct msqid_ds ds;
	struct m m;
	int q, st;

	g_start();
	q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	t_yes("msgget", q >= 0);
	snd(q, 3, "three");
	snd(q, 1, "one");
	snd(q, 2, "two");
	snd(q, 1, "one again");
	snd(q, 5, "five");
	t_ok("IPC_STAT", msgctl(q, IPC_STAT, &ds));
	t_eq("qnum", (long)ds.msg_qnum, 5);
	t_eq("cbytes", (long)ds.__msg_cbytes, 6 + 4 + 4 + 10 + 5);
	t_yes("lspid", ds.msg_lspid == getpid());
	rcv(q, 2, 0, "type 2");
	rcv(q, -2, 0, "lowest type <= 2");
	rcv(q, 1, MSG_EXCEPT, "not type 1");
	rcv(q, 0, 0, "first");
	rcv(q, 7, IPC_NOWAIT, "type 7 nowait");
	memset(&m, 0, sizeof(m));
	t_err("too small", msgrcv(q, &m, 2, 0, 0), E2BIG);
	t_eq("MSG_NOERROR truncates", msgrcv(q, &m, 2, 0, MSG_NOERROR), 2);
	t_yes("truncated text", m.text[0] == 'f' && m.text[1] == 'i' && m.text[2] == 0);
	rcv(q, 0, IPC_NOWAIT, "empty");

	m.type = 0;
	t_err("type 0", msgsnd(q, &m, 4, 0), EINVAL);
	m.type = 1;
	t_err("too big", msgsnd(q, &m, 100000, 0), EINVAL);
	t_err("bad pointer", msgsnd(q, G_BADPTR, 4, 0), EFAULT);

	/* a receiver blocked in the child */
	if (fork() == 0) {
		struct m r;
		long n = msgrcv(q, &r, sizeof(r.text), 9, 0);

		_exit(n == 5 && strcmp(r.text, "nine") == 0 ? 0 : 1);
	}
	usleep(30000);
	snd(q, 8, "eight");
	snd(q, 9, "nine");
	wait(&st);
	t_yes("child received type 9", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	rcv(q, 0, IPC_NOWAIT, "left over");

	/* a full queue blocks the sender; IPC_NOWAIT gets EAGAIN */
	t_ok("stat", msgctl(q, IPC_STAT, &ds));
	ds.msg_qbytes = 20;
	t_ok("IPC_SET qbytes 20", msgctl(q, IPC_SET, &ds));
	snd(q, 1, "0123456789abcdefghi"); /* 20 bytes */
	m.type = 1;
	strcpy(m.text, "x");
	t_err("full, nowait", msgsnd(q, &m, 2, IPC_NOWAIT), EAGAIN);
	if (fork() == 0) {
		usleep(30000);
		struct m r;

		_exit(msgrcv(q, &r, sizeof(r.text), 0, 0) == 20 ? 0 : 1);
	}
	t_ok("blocking send completes", msgsnd(q, &m, 2, 0));
	wait(&st);
	t_yes("child drained", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	rcv(q, 0, IPC_NOWAIT, "the blocked one");

	/* removal wakes a receiver with EIDRM */
	if (fork() == 0) {
		struct m r;

		_exit(msgrcv(q, &r, sizeof(r.text), 0, 0) < 0 && errno == EIDRM ? 0 : 1);
	}
	usleep(30000);
	t_ok("IPC_RMID", msgctl(q, IPC_RMID, NULL));
	wait(&st);
	t_yes("receiver got EIDRM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_err("gone", msgctl(q, IPC_STAT, &ds), EINVAL);
	t_err("an id past every slot", msgctl(0x12b53b05, IPC_STAT, &ds), EINVAL);
	t_err("the same for msgsnd", msgsnd(0x7fff, &m, 4, IPC_NOWAIT), EINVAL);
	q = msgget(0x777, IPC_CREAT | 0600);
	t_yes("keyed", msgget(0x777, 0) == q);
	t_err("excl", msgget(0x777, IPC_CREAT | IPC_EXCL), EEXIST);
	t_ok("rmid", msgctl(q, IPC_RMID, NULL));
	return g_finish();
}
