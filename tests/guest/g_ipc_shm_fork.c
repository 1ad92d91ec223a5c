/* SPDX-License-Identifier: Apache-2.0 */
/* SysV shared memory between a parent and its children: shmget, shmat,
 * attachments inherited by fork, nattch, SHM_RDONLY, exec/exit detach. */
#include "common.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

static long nattch(int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -1;
	return (long)ds.shm_nattch;
}

int main(int argc, char **argv)
{
	struct shmid_ds ds;
	int id, st, id2;
	char *p, *q;

	if (argc > 2) /* after execve in a child that had the segment attached */
		return (int)nattch(atoi(argv[2]));
	g_start();
	id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
	t_yes("shmget", id >= 0);
	t_ok("IPC_STAT", shmctl(id, IPC_STAT, &ds));
	t_eq("segsz", (long)ds.shm_segsz, 10000);
	t_oct("mode", ds.shm_perm.mode & 0777, 0600);
	t_eq("nattch 0", (long)ds.shm_nattch, 0);
	t_yes("cpid is me", ds.shm_cpid == getpid());
	t_yes("uid", ds.shm_perm.uid == geteuid() && ds.shm_perm.cuid == geteuid());
	p = shmat(id, NULL, 0);
	t_yes("shmat", p != (void *)-1);
	t_yes("page aligned", ((unsigned long)p & 4095) == 0);
	t_yes("zero filled", p[0] == 0 && p[9999] == 0);
	t_eq("nattch 1", nattch(id), 1);
	strcpy(p, "from parent");
	q = shmat(id, NULL, SHM_RDONLY);
	t_yes("second attach", q != (void *)-1 && q != p);
	t_streq("same memory", q, "from parent");
	t_eq("nattch 2", nattch(id), 2);
	t_ok("shmdt second", shmdt(q));
	t_eq("nattch back to 1", nattch(id), 1);
	t_err("shmdt again", shmdt(q), EINVAL);
	t_err("shmdt not an attachment", shmdt(&st), EINVAL);

	if (fork() == 0) {
		/* the attachment is inherited */
		int ok = strcmp(p, "from parent") == 0 && nattch(id) == 2;

		strcpy(p + 100, "from child");
		_exit(ok ? 0 : 1);
	}
	wait(&st);
	t_yes("child saw the parent's data and nattch 2", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	t_streq("parent sees the child's write", p + 100, "from child");
	t_eq("child exit detached", nattch(id), 1);

	/* a child attaching by key, the parent reading */
	id2 = shmget(0x5eed, 4096, IPC_CREAT | 0644);
	t_yes("keyed shmget", id2 >= 0);
	t_yes("same key, same id", shmget(0x5eed, 100, 0) == id2);
	t_err("bigger than the segment", shmget(0x5eed, 8192, 0), EINVAL);
	t_err("IPC_EXCL", shmget(0x5eed, 4096, IPC_CREAT | IPC_EXCL | 0644), EEXIST);
	t_err("unknown key", shmget(0x5eee, 4096, 0), ENOENT);
	if (fork() == 0) {
		char *c = shmat(shmget(0x5eed, 0, 0), NULL, 0);

		if (c == (void *)-1)
			_exit(2);
		for (int i = 0; i < 4096; i++)
			c[i] = (char)(i & 0x7f);
		shmdt(c);
		_exit(0);
	}
	wait(&st);
	t_yes("child wrote", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	q = shmat(id2, NULL, SHM_RDONLY);
	t_yes("attach read-only", q != (void *)-1);
	st = 1;
	for (int i = 0; i < 4096; i++)
		if (q[i] != (char)(i & 0x7f))
			st = 0;
	t_yes("child's bytes", st);
	t_err("read-only mapping: mprotect write", mprotect(q, 4096, PROT_READ | PROT_WRITE), EACCES);
	t_ok("shmdt", shmdt(q));
	t_ok("rmid keyed", shmctl(id2, IPC_RMID, NULL));

	/* execve detaches: the exec'd child reports nattch (its own is gone) */
	if (fork() == 0) {
		char num[16], arg[] = "exec";
		char *cargv[] = { argv[0], arg, num, NULL };

		if (nattch(id) != 2)
			_exit(99);
		snprintf(num, sizeof(num), "%d", id);
		execv("/proc/self/exe", cargv);
		_exit(98);
	}
	wait(&st);
	t_yes("after execve only the parent is attached", WIFEXITED(st) && WEXITSTATUS(st) == 1);
	t_ok("shmdt p", shmdt(p));
	t_eq("nattch 0 again", nattch(id), 0);
	t_ok("rmid", shmctl(id, IPC_RMID, NULL));
	t_err("stat after rmid", shmctl(id, IPC_STAT, &ds), EINVAL);
	t_err("attach after rmid", (long)shmat(id, NULL, 0), EINVAL);
	t_err("size 0", shmget(IPC_PRIVATE, 0, 0600), EINVAL);
	t_err("misaligned address", (long)shmat(id, (void *)0x10001, 0), EINVAL);
	return g_finish();
}
