/* SPDX-License-Identifier: Apache-2.0 */
/* fork copies private memory (copy-on-write) and shares MAP_SHARED. */
#include "common.h"
#include <sys/mman.h>
#include <sys/wait.h>

#define PG 4096ul

static int data_var = 10;
static int bss_var;

int main(void)
{
	char *priv, *shr, *heap;
	int stack_var = 30, st;
	pid_t pid;

	g_start();
	priv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shr = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	heap = malloc(64);
	if (priv == MAP_FAILED || shr == MAP_FAILED || !heap)
		return 2;
	strcpy(priv, "parent");
	strcpy(heap, "parent");
	bss_var = 20;

	pid = fork();
	if (pid == 0) {
		int ok = !strcmp(priv, "parent") && !strcmp(heap, "parent") &&
			 data_var == 10 && bss_var == 20 && stack_var == 30;
		strcpy(priv, "child");
		strcpy(heap, "child");
		data_var = bss_var = stack_var = 0;
		strcpy(shr, "from child");
		/* a page first touched after fork in the child */
		shr[100] = ok ? 'Y' : 'N';
		_exit(ok ? 0 : 1);
	}
	t_yes("fork", pid > 0);
	waitpid(pid, &st, 0);
	t_yes("child saw parent memory", WIFEXITED(st) && WEXITSTATUS(st) == 0 && shr[100] == 'Y');
	t_streq("private mmap after child wrote", priv, "parent");
	t_streq("heap after child wrote", heap, "parent");
	t_eq("data var", data_var, 10);
	t_eq("bss var", bss_var, 20);
	t_eq("stack var", stack_var, 30);
	t_streq("shared mmap", shr, "from child");

	/* parent writes after fork are not seen by the child either */
	pid = fork();
	if (pid == 0) {
		usleep(20000);
		_exit(priv[0] == 'p' ? 0 : 1);
	}
	priv[0] = 'P';
	waitpid(pid, &st, 0);
	t_yes("child keeps its copy when parent writes", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* nested fork: grandchild writes shared memory */
	pid = fork();
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0) {
			strcpy(shr, "grandchild");
			_exit(0);
		}
		waitpid(g, NULL, 0);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	t_streq("shared mmap through two forks", shr, "grandchild");
	return g_finish();
}
