/* SPDX-License-Identifier: Apache-2.0 */
/* shmctl: IPC_RMID while attached (SHM_DEST, destroyed on the last detach),
 * IPC_SET, permissions, SHM_RND. */
#include "common.h"
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

int main(void)
{
	struct shmid_ds ds;
	int id, id2, st;
	char *p, *r;

	g_start();
	id = shmget(0x1234, 8192, IPC_CREAT | 0640);
	t_yes("shmget", id >= 0);
	p = shmat(id, NULL, 0);
	t_yes("shmat", p != (void *)-1);
	strcpy(p, "still here");
	t_ok("IPC_RMID while attached", shmctl(id, IPC_RMID, NULL));
	t_streq("memory still usable", p, "still here");
	t_ok("IPC_STAT still works", shmctl(id, IPC_STAT, &ds));
	t_yes("SHM_DEST set", (ds.shm_perm.mode & SHM_DEST) != 0);
	t_eq("key now private", (long)ds.shm_perm.__key, 0);
	t_eq("nattch", (long)ds.shm_nattch, 1);
	t_err("key gone", shmget(0x1234, 8192, 0), ENOENT);
	id2 = shmget(0x1234, 4096, IPC_CREAT | 0600);
	t_yes("same key: a new segment", id2 >= 0 && id2 != id);
	if (fork() == 0) {
		/* inherited attachment of a removed segment */
		int ok = strcmp(p, "still here") == 0;

		strcpy(p, "child was here");
		_exit(ok ? 0 : 1);
	}
	wait(&st);
	t_yes("child used it", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_streq("child's write", p, "child was here");
	t_ok("last detach", shmdt(p));
	t_err("destroyed after the last detach", shmctl(id, IPC_STAT, &ds), EINVAL);

	/* IPC_SET */
	t_ok("stat id2", shmctl(id2, IPC_STAT, &ds));
	ds.shm_perm.mode = 0604;
	t_ok("IPC_SET", shmctl(id2, IPC_SET, &ds));
	t_ok("stat again", shmctl(id2, IPC_STAT, &ds));
	t_oct("mode changed", ds.shm_perm.mode & 0777, 0604);
	t_err("bad command", shmctl(id2, 12345, &ds), EINVAL);
	t_err("bad id", shmctl(-1, IPC_STAT, &ds), EINVAL);
	t_err("an id past every slot", shmctl(0x12b53b05, IPC_STAT, &ds), EINVAL);
	t_err("shmat of it", (long)shmat(0x7fff, NULL, 0), EINVAL);
	t_err("bad buffer", shmctl(id2, IPC_STAT, G_BADPTR), EFAULT);

	/* SHM_RND and a fixed address */
	r = shmat(id2, (void *)0x40000001234UL, SHM_RND);
	t_yes("SHM_RND rounds down", r == (void *)0x40000001000UL);
	t_err("occupied without SHM_REMAP", (long)shmat(id2, r, 0), EINVAL);
	t_yes("SHM_REMAP", shmat(id2, r, SHM_REMAP) == r);
	t_ok("shmdt", shmdt(r));
	t_ok("rmid", shmctl(id2, IPC_RMID, NULL));

	/* permissions as another user */
	id = shmget(IPC_PRIVATE, 4096, 0600);
	if (fork() == 0) {
		if (geteuid() == 0 && setuid(1000) < 0)
			_exit(3);
		t_err("other user: attach", (long)shmat(id, NULL, 0), EACCES);
		t_err("other user: stat", shmctl(id, IPC_STAT, &ds), EACCES);
		t_err("other user: rmid", shmctl(id, IPC_RMID, NULL), EPERM);
		_exit(g_failures ? 1 : 0);
	}
	wait(&st);
	t_yes("child checks", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_ok("rmid", shmctl(id, IPC_RMID, NULL));
	return g_finish();
}
