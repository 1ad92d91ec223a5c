/* SPDX-License-Identifier: Apache-2.0 */
/* System V shared memory: a keyed segment attached by the parent and twice
 * by a child (once inherited), a private segment removed (IPC_RMID) while
 * still attached, and a segment attached by nobody that holds data.  After
 * the restore: the same ids and key (shmget finds it), IPC_STAT (size,
 * mode, creator, attach count), the data, writes seen across processes,
 * shmdt, shmat of the unattached one, the removed one gone after its last
 * detach, and a new segment gets an unused id. */
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "zdtm.h"

#define KEY 0x5a17
#define SIZE 10000

int main(void)
{
	int id, priv, idle, go[2], rdy[2], st = -1;
	struct shmid_ds ds;
	char *m, *p, *q;
	pid_t c;
	char ch;

	zd_init();
	id = shmget(KEY, SIZE, IPC_CREAT | IPC_EXCL | 0640);
	priv = shmget(IPC_PRIVATE, 4096, 0600);
	idle = shmget(IPC_PRIVATE, 8192, 0600);
	if (id < 0 || priv < 0 || idle < 0 || pipe(go) < 0 || pipe(rdy) < 0)
		return zd_say("FAIL: shmget\n"), 1;
	m = shmat(id, NULL, 0);
	p = shmat(priv, NULL, 0);
	q = shmat(idle, NULL, 0);
	if (m == (char *)-1 || p == (char *)-1 || q == (char *)-1)
		return zd_say("FAIL: shmat\n"), 1;
	memset(m, 'k', SIZE);
	memcpy(p, "private", 7);
	memcpy(q + 5000, "idle", 4);
	shmdt(q);
	shmctl(priv, IPC_RMID, NULL);
	c = fork();
	if (c == 0) {
		char *m2 = shmat(id, NULL, SHM_RDONLY);
		int bad = 0;

		(void)!write(rdy[1], "r", 1);
		(void)!read(go[0], &ch, 1); /* blocked here at the checkpoint */
		bad |= (m2 == (char *)-1 || m2[0] != 'P' || m[1] != 'P') << 0; /* the parent's write */
		m[2] = 'C';
		bad |= (shmdt(m2) != 0) << 1;
		bad |= (strncmp(p, "private", 7) != 0) << 2;
		_exit(bad);
	}
	close(rdy[1]);
	if (read(rdy[0], &ch, 1) != 1)
		return 1;
	zd_ready();
	zd_wait_go();

	zd_check(shmget(KEY, 0, 0) == id, "shmget by key gave %d, not %d", shmget(KEY, 0, 0), id);
	zd_check(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_segsz == SIZE &&
			 (ds.shm_perm.mode & 0777) == 0640 && ds.shm_cpid == getpid() &&
			 ds.shm_nattch == 3 && ds.shm_perm.__key == KEY,
		 "IPC_STAT: size %zu mode 0%o cpid %d nattch %lu", ds.shm_segsz,
		 ds.shm_perm.mode, ds.shm_cpid, (unsigned long)ds.shm_nattch);
	zd_check(m[0] == 'k' && m[SIZE - 1] == 'k', "the segment's data");
	zd_check(!memcmp(p, "private", 7), "the removed segment's data");
	m[0] = m[1] = 'P';
	zd_check(write(go[1], "g", 1) == 1, "write");
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the child: status 0x%x", st);
	zd_check(m[2] == 'C', "the child's write did not reach the parent");
	zd_check(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 1, "nattch after the child %lu",
		 (unsigned long)ds.shm_nattch);
	q = shmat(idle, NULL, 0);
	zd_check(q != (char *)-1 && !memcmp(q + 5000, "idle", 4), "the unattached segment");
	zd_check(shmdt(p) == 0 && shmctl(priv, IPC_STAT, &ds) < 0,
		 "the removed segment outlived its last detach");
	{
		int n = shmget(IPC_PRIVATE, 4096, 0600);

		zd_check(n >= 0 && n != id && n != idle && n != priv, "a new segment got id %d", n);
		shmctl(n, IPC_RMID, NULL);
	}
	zd_check(shmdt(m) == 0 && shmdt(q) == 0 && shmctl(id, IPC_RMID, NULL) == 0 &&
			 shmctl(idle, IPC_RMID, NULL) == 0,
		 "shmdt/IPC_RMID");
	return zd_finish();
}
