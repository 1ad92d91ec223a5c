/* SPDX-License-Identifier: Apache-2.0 */
/* System V semaphores are restored: a keyed set's values, sempid and
 * mode (semget by key finds the same id), a thread blocked in semop at the
 * checkpoint (restarted, not EINTR; semncnt counts it again) woken by a
 * semop after restore, and SEM_UNDO: a child that took a semaphore with
 * SEM_UNDO before the checkpoint and exits after restore gives it back. */
#include <errno.h>
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>

#include "zdtm.h"

#define KEY 0x5eed0043

static int id;
static volatile int thr_done, thr_ret = -2, thr_errno;

static void *waiter(void *arg)
{
	struct sembuf down = { 2, -1, 0 };

	(void)arg;
	thr_ret = semop(id, &down, 1);
	thr_errno = thr_ret < 0 ? errno : 0;
	thr_done = 1;
	return NULL;
}

static int wait_for(volatile int *flag)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (*flag)
			return 1;
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 10);
	return *flag;
}

int main(void)
{
	unsigned short init[3] = { 5, 7, 0 };
	struct sembuf take = { 1, -3, SEM_UNDO };
	struct sembuf up = { 2, 1, 0 };
	struct semid_ds ds;
	int go[2], status = -1, id2, nid;
	pthread_t th;
	pid_t child;

	zd_init();
	id = semget(KEY, 3, IPC_CREAT | IPC_EXCL | 0640);
	if (id < 0 || semctl(id, 0, SETALL, init) < 0)
		return zd_say("FAIL: semget/SETALL\n"), 1;
	if (pipe(go) < 0)
		return zd_say("FAIL: pipe\n"), 1;
	child = fork();
	if (child == 0) { /* takes 3 of semaphore 1 with SEM_UNDO, exits on demand */
		char c;

		close(go[1]);
		if (semop(id, &take, 1) < 0)
			_exit(2);
		_exit(read(go[0], &c, 1) == 1 ? 0 : 3);
	}
	close(go[0]);
	if (pthread_create(&th, NULL, waiter, NULL) != 0)
		return zd_say("FAIL: pthread_create\n"), 1;
	/* the child took its share, the thread sleeps in semop */
	for (int i = 0; i < 1000 && (semctl(id, 1, GETVAL) != 4 || semctl(id, 2, GETNCNT) != 1);
	     i++)
		usleep(10000);
	if (semctl(id, 1, GETVAL) != 4 || semctl(id, 2, GETNCNT) != 1)
		return zd_say("FAIL: setup (val %d, ncnt %d)\n", semctl(id, 1, GETVAL),
			      semctl(id, 2, GETNCNT)), 1;
	zd_ready();
	zd_wait_go();

	zd_check(!thr_done, "semop returned before the semaphore rose (%d, errno %d)", thr_ret,
		 thr_errno);
	id2 = semget(KEY, 0, 0);
	zd_check(id2 == id, "semget by key: %d, was %d", id2, id);
	zd_check(semctl(id, 0, GETVAL) == 5 && semctl(id, 1, GETVAL) == 4 &&
			 semctl(id, 2, GETVAL) == 0,
		 "values %d %d %d", semctl(id, 0, GETVAL), semctl(id, 1, GETVAL),
		 semctl(id, 2, GETVAL));
	zd_check(semctl(id, 1, GETPID) == child, "sempid %d, the child was %d",
		 semctl(id, 1, GETPID), (int)child);
	zd_check(semctl(id, 0, IPC_STAT, &ds) == 0 && ds.sem_nsems == 3 &&
			 (ds.sem_perm.mode & 0777) == 0640 && ds.sem_perm.__key == KEY,
		 "IPC_STAT");
	/* the restarted waiter is counted again, and woken */
	for (int i = 0; i < 500 && semctl(id, 2, GETNCNT) != 1; i++)
		usleep(10000);
	zd_check(semctl(id, 2, GETNCNT) == 1, "semncnt %d", semctl(id, 2, GETNCNT));
	zd_check(semop(id, &up, 1) == 0, "semop up");
	zd_check(wait_for(&thr_done) && thr_ret == 0, "the blocked semop (%d, errno %d)",
		 thr_ret, thr_errno);
	zd_check(semctl(id, 2, GETVAL) == 0, "the waiter took the semaphore");
	/* SEM_UNDO is applied when the child exits */
	(void)!write(go[1], "x", 1);
	zd_check(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
			 WEXITSTATUS(status) == 0,
		 "the child (status %#x)", status);
	zd_check(semctl(id, 1, GETVAL) == 7, "SEM_UNDO not applied: %d", semctl(id, 1, GETVAL));
	nid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	zd_check(nid >= 0 && nid != id, "a new set's id %d collides", nid);
	zd_check(semctl(id, 0, IPC_RMID) == 0 && semctl(nid, 0, IPC_RMID) == 0, "IPC_RMID");
	return zd_finish();
}
