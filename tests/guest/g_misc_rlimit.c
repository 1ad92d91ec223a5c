/* SPDX-License-Identifier: Apache-2.0 */
/* getrlimit/setrlimit/prlimit64 and two limits that bite: RLIMIT_FSIZE
 * (SIGXFSZ / EFBIG) and RLIMIT_AS (ENOMEM from mmap). */
#include "common.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

static volatile int xfsz;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz++;
}

int main(void)
{
	struct rlimit rl, old;
	pid_t pid;
	int st, fd;

	g_start();
	t_ok("getrlimit STACK", getrlimit(RLIMIT_STACK, &rl));
	t_yes("soft <= hard", rl.rlim_cur <= rl.rlim_max);
	t_ok("prlimit64 self by pid", prlimit(getpid(), RLIMIT_STACK, NULL, &old));
	t_yes("same as getrlimit", old.rlim_cur == rl.rlim_cur && old.rlim_max == rl.rlim_max);
	t_ok("prlimit64 pid 0", prlimit(0, RLIMIT_STACK, NULL, &old));
	t_err("prlimit64 no such pid", prlimit(0x7ffffff0, RLIMIT_STACK, NULL, &old), ESRCH);
	t_err("getrlimit bad resource", syscall(SYS_getrlimit, 99, &rl), EINVAL);
	t_err("getrlimit bad pointer", syscall(SYS_getrlimit, RLIMIT_STACK, G_BADPTR), EFAULT);

	/* set and read back; soft above hard is refused */
	rl = (struct rlimit){ 1 << 20, 2 << 20 };
	t_ok("setrlimit FSIZE 1M/2M", setrlimit(RLIMIT_FSIZE, &rl));
	getrlimit(RLIMIT_FSIZE, &old);
	t_yes("read back", old.rlim_cur == 1 << 20 && old.rlim_max == 2 << 20);
	rl.rlim_cur = 3 << 20;
	t_err("soft above hard", setrlimit(RLIMIT_FSIZE, &rl), EINVAL);
	rl = (struct rlimit){ 4096, 4096 };
	t_ok("prlimit64 set and get old at once", prlimit(0, RLIMIT_FSIZE, &rl, &old));
	t_yes("old value returned", old.rlim_cur == 1 << 20);

	/* FSIZE: crossing the limit, with SIGXFSZ handled, default in a child */
	signal(SIGXFSZ, on_xfsz);
	fd = open("f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	static char buf[8192];
	t_eq("write crossing the limit is short", write(fd, buf, sizeof(buf)), 4096);
	t_err("write at the limit", write(fd, buf, 1), EFBIG);
	t_eq("SIGXFSZ sent once (for the failing write)", xfsz, 1);
	t_err("ftruncate past the limit", ftruncate(fd, 8192), EFBIG);
	signal(SIGXFSZ, SIG_DFL);
	pid = fork();
	if (pid == 0) {
		write(fd, buf, 1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	t_yes("default SIGXFSZ kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGXFSZ);

	/* AS: a big mapping fails with ENOMEM in a child */
	pid = fork();
	if (pid == 0) {
		struct rlimit as = { 256 << 20, 256 << 20 };
		setrlimit(RLIMIT_AS, &as);
		void *p = mmap(NULL, 512 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		void *q = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		_exit(p == MAP_FAILED && errno == ENOMEM && q != MAP_FAILED ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	t_eq("RLIMIT_AS: 512M mmap ENOMEM, 1M fine (0 = yes)", WEXITSTATUS(st), 0);

	/* the soft limit moves freely up to the hard one; hard only goes
	 * down (raising it needs CAP_SYS_RESOURCE, not checked here) */
	rl = (struct rlimit){ 1024, 4096 };
	t_ok("lower soft", setrlimit(RLIMIT_FSIZE, &rl));
	rl.rlim_cur = 4096;
	t_ok("raise soft back up to hard", setrlimit(RLIMIT_FSIZE, &rl));
	rl = (struct rlimit){ 2048, 2048 };
	t_ok("lower hard", setrlimit(RLIMIT_FSIZE, &rl));
	getrlimit(RLIMIT_FSIZE, &old);
	t_yes("read back 2048/2048", old.rlim_cur == 2048 && old.rlim_max == 2048);
	return g_finish();
}
