/* SPDX-License-Identifier: Apache-2.0 */
/* System V message queues are restored: a keyed queue's messages by type
 * (msgget finds it by its key, same id), IPC_STAT (qnum, cbytes, qbytes,
 * mode, pids), a private queue with a lowered msg_qbytes, a thread
 * blocked in msgrcv at the checkpoint (restarted, not EINTR) woken by a
 * message sent after restore, and a new queue's id unused before. */
#include <errno.h>
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <time.h>

#include "zdtm.h"

#define KEY 0x5eed0042

struct msg {
	long type;
	char text[64];
};

static int priv_id;
static volatile int thr_done, thr_ret = -2, thr_errno;
static char thr_text[64];

static void *receiver(void *arg)
{
	struct msg m;
	ssize_t n;

	(void)arg;
	memset(&m, 0, sizeof(m));
	n = msgrcv(priv_id, &m, sizeof(m.text), 9, 0);
	thr_errno = n < 0 ? errno : 0;
	thr_ret = (int)n;
	memcpy(thr_text, m.text, sizeof(thr_text));
	thr_done = 1;
	return NULL;
}

static int q_send(int id, long type, const char *text)
{
	struct msg m = { .type = type };

	snprintf(m.text, sizeof(m.text), "%s", text);
	return msgsnd(id, &m, strlen(text) + 1, 0);
}

int main(void)
{
	struct msqid_ds ds;
	struct msg m;
	struct timespec t0, t;
	pthread_t th;
	int id, id2, nid;

	zd_init();
	id = msgget(KEY, IPC_CREAT | IPC_EXCL | 0640);
	priv_id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (id < 0 || priv_id < 0)
		return zd_say("FAIL: msgget\n"), 1;
	if (q_send(id, 1, "one") < 0 || q_send(id, 3, "three") < 0 || q_send(id, 2, "two") < 0 ||
	    q_send(id, 1, "uno") < 0)
		return zd_say("FAIL: msgsnd\n"), 1;
	if (msgctl(priv_id, IPC_STAT, &ds) < 0)
		return zd_say("FAIL: IPC_STAT\n"), 1;
	ds.msg_qbytes = 4096;
	if (msgctl(priv_id, IPC_SET, &ds) < 0)
		return zd_say("FAIL: IPC_SET\n"), 1;
	if (pthread_create(&th, NULL, receiver, NULL) != 0)
		return zd_say("FAIL: pthread_create\n"), 1;
	usleep(100000); /* the thread sleeps in msgrcv (it has nothing to read) */
	zd_ready();
	zd_wait_go();

	zd_check(!thr_done, "msgrcv returned before any message (%d, errno %d)", thr_ret,
		 thr_errno);
	id2 = msgget(KEY, 0);
	zd_check(id2 == id, "msgget by key: %d, was %d", id2, id);
	zd_check(msgctl(id, IPC_STAT, &ds) == 0 && ds.msg_qnum == 4 &&
			 ds.__msg_cbytes == 4 + 6 + 4 + 4 && (ds.msg_perm.mode & 0777) == 0640 &&
			 ds.msg_perm.__key == KEY && ds.msg_lspid == getpid(),
		 "IPC_STAT of the keyed queue (qnum %lu, cbytes %lu, mode %o)",
		 (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes,
		 ds.msg_perm.mode);
	zd_check(msgrcv(id, &m, sizeof(m.text), 2, IPC_NOWAIT) == 4 && !strcmp(m.text, "two"),
		 "msgrcv type 2");
	zd_check(msgrcv(id, &m, sizeof(m.text), -3, IPC_NOWAIT) == 4 && m.type == 1 &&
			 !strcmp(m.text, "one"),
		 "msgrcv type -3 (the lowest type first, in order)");
	zd_check(msgrcv(id, &m, sizeof(m.text), 0, IPC_NOWAIT) == 6 && m.type == 3 &&
			 !strcmp(m.text, "three"),
		 "msgrcv type 0 (queue order)");
	zd_check(msgrcv(id, &m, sizeof(m.text), 0, IPC_NOWAIT) == 4 && !strcmp(m.text, "uno"),
		 "msgrcv the last");
	zd_check(msgrcv(id, &m, sizeof(m.text), 0, IPC_NOWAIT) < 0 && errno == ENOMSG,
		 "the queue is empty");
	zd_check(msgctl(priv_id, IPC_STAT, &ds) == 0 && ds.msg_qbytes == 4096 &&
			 ds.msg_qnum == 0,
		 "the private queue's msg_qbytes (%lu)", (unsigned long)ds.msg_qbytes);
	nid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	zd_check(nid >= 0 && nid != id && nid != priv_id, "a new queue's id %d collides", nid);
	/* wake the thread blocked since before the checkpoint */
	zd_check(q_send(priv_id, 9, "wake") == 0, "msgsnd to the private queue");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (!thr_done && t.tv_sec - t0.tv_sec < 10);
	zd_check(thr_done && thr_ret == 5 && !strcmp(thr_text, "wake"),
		 "the blocked msgrcv (%d, errno %d)", thr_ret, thr_errno);
	zd_check(msgctl(id, IPC_RMID, NULL) == 0 && msgctl(priv_id, IPC_RMID, NULL) == 0 &&
			 msgctl(nid, IPC_RMID, NULL) == 0,
		 "IPC_RMID");
	return zd_finish();
}
