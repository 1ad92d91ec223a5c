/* SPDX-License-Identifier: Apache-2.0 */
/* SysV semaphores: semctl commands, semop between two processes, SEM_UNDO,
 * IPC_NOWAIT, semtimedop, removal. */
#include "common.h"
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

int main(void)
{
	struct sembuf op;
	struct semid_ds ds;
	unsigned short vals[3] = { 1, 2, 3 }, got[3];
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	union semun u;
	int id, st;
	int pfd[2];
	char c;

	g_start();
	id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	t_yes("semget", id >= 0);
	u.buf = &ds;
	t_ok("IPC_STAT", semctl(id, 0, IPC_STAT, u));
	t_eq("nsems", (long)ds.sem_nsems, 3);
	t_oct("mode", ds.sem_perm.mode & 0777, 0600);
	t_eq("initial 0", semctl(id, 1, GETVAL), 0);
	u.array = vals;
	t_ok("SETALL", semctl(id, 0, SETALL, u));
	u.array = got;
	t_ok("GETALL", semctl(id, 0, GETALL, u));
	t_yes("values", got[0] == 1 && got[1] == 2 && got[2] == 3);
	u.val = 5;
	t_ok("SETVAL", semctl(id, 2, SETVAL, u));
	t_eq("GETVAL", semctl(id, 2, GETVAL), 5);
	t_yes("GETPID", semctl(id, 2, GETPID) == getpid());
	u.val = 40000;
	t_err("SETVAL too big", semctl(id, 0, SETVAL, u), ERANGE);
	t_err("GETVAL bad index", semctl(id, 3, GETVAL), EINVAL);

	op = (struct sembuf){ .sem_num = 0, .sem_op = -1 };
	t_ok("decrement", semop(id, &op, 1));
	t_eq("now 0", semctl(id, 0, GETVAL), 0);
	op.sem_flg = IPC_NOWAIT;
	t_err("would block", semop(id, &op, 1), EAGAIN);
	op.sem_flg = 0;
	t_err("semtimedop times out", semtimedop(id, &op, 1, &ts), EAGAIN);
	op = (struct sembuf){ .sem_num = 3, .sem_op = 1 };
	t_err("bad sem_num", semop(id, &op, 1), EFBIG);
	t_err("no ops", semop(id, &op, 0), EINVAL);

	/* atomicity: the second op blocks, so the first is not applied */
	{
		struct sembuf two[2] = { { 1, -1, IPC_NOWAIT }, { 0, -1, IPC_NOWAIT } };

		t_err("all or nothing", semop(id, two, 2), EAGAIN);
		t_eq("sem 1 untouched", semctl(id, 1, GETVAL), 2);
	}

	/* a child blocks on sem 0; the parent releases it */
	pipe(pfd);
	if (fork() == 0) {
		struct sembuf w = { 0, -1, 0 };

		close(pfd[0]);
		write(pfd[1], "r", 1);
		_exit(semop(id, &w, 1) == 0 ? 0 : 1);
	}
	close(pfd[1]);
	read(pfd[0], &c, 1);
	while (semctl(id, 0, GETNCNT) != 1)
		usleep(1000);
	t_eq("GETNCNT 1", semctl(id, 0, GETNCNT), 1);
	op = (struct sembuf){ 0, 1, 0 };
	t_ok("release", semop(id, &op, 1));
	wait(&st);
	t_yes("child got it", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_eq("GETNCNT 0", semctl(id, 0, GETNCNT), 0);
	t_eq("consumed", semctl(id, 0, GETVAL), 0);

	/* wait-for-zero */
	if (fork() == 0) {
		struct sembuf z = { 2, 0, 0 };

		_exit(semop(id, &z, 1) == 0 ? 0 : 1);
	}
	while (semctl(id, 2, GETZCNT) != 1)
		usleep(1000);
	t_eq("GETZCNT 1", semctl(id, 2, GETZCNT), 1);
	op = (struct sembuf){ 2, -5, 0 };
	t_ok("to zero", semop(id, &op, 1));
	wait(&st);
	t_yes("zero waiter woke", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* SEM_UNDO: the child takes 2 and exits; the adjustment gives them back */
	u.val = 3;
	semctl(id, 1, SETVAL, u);
	if (fork() == 0) {
		struct sembuf t2 = { 1, -2, SEM_UNDO };

		if (semop(id, &t2, 1) < 0 || semctl(id, 1, GETVAL) != 1)
			_exit(1);
		_exit(0);
	}
	wait(&st);
	t_yes("child took 2", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_eq("undone at exit", semctl(id, 1, GETVAL), 3);
	if (fork() == 0) {
		struct sembuf up = { 1, 4, SEM_UNDO };

		semop(id, &up, 1);
		_exit(0);
	}
	wait(&st);
	t_eq("an increment undone too", semctl(id, 1, GETVAL), 3);

	/* removal wakes a waiter with EIDRM */
	if (fork() == 0) {
		struct sembuf w = { 0, -1, 0 };

		_exit(semop(id, &w, 1) < 0 && errno == EIDRM ? 0 : 1);
	}
	while (semctl(id, 0, GETNCNT) != 1)
		usleep(1000);
	t_ok("IPC_RMID", semctl(id, 0, IPC_RMID));
	wait(&st);
	t_yes("waiter got EIDRM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_err("gone", semctl(id, 0, GETVAL), EINVAL);
	t_err("an id past every slot", semctl(0x12b53b05, 0, GETVAL), EINVAL);

	t_err("nsems 0 on create", semget(IPC_PRIVATE, 0, 0600), EINVAL);
	id = semget(0x4242, 2, IPC_CREAT | 0600);
	t_yes("same key", semget(0x4242, 1, 0) == id);
	t_err("too many for the set", semget(0x4242, 5, 0), EINVAL);
	t_ok("rmid", semctl(id, 0, IPC_RMID));
	return g_finish();
}
