/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/status: the signal lines (SigPnd ShdPnd SigBlk SigIgn SigCgt). */
#include "common.h"

static void on_usr2(int sig)
{
	(void)sig;
}

/* The mask printed on line @name of /proc/self/status, or ~0 if missing. */
static unsigned long long status_mask(const char *name)
{
	char buf[8192], *p;
	size_t len = strlen(name);
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	if (fd < 0)
		return ~0ULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return ~0ULL;
	buf[n] = 0;
	for (p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, name, len) && p[len] == ':')
			return strtoull(p + len + 1, NULL, 16);
	}
	return ~0ULL;
}

#define BIT(sig) (1ULL << ((sig)-1))

int main(void)
{
	sigset_t set;

	g_start();
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, on_usr2);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGTERM);
	t_yes("SigIgn has USR1", (status_mask("SigIgn") & BIT(SIGUSR1)) != 0);
	t_yes("SigIgn lacks USR2", (status_mask("SigIgn") & BIT(SIGUSR2)) == 0);
	t_yes("SigCgt has USR2", (status_mask("SigCgt") & BIT(SIGUSR2)) != 0);
	t_yes("SigCgt lacks USR1", (status_mask("SigCgt") & BIT(SIGUSR1)) == 0);
	t_yes("SigBlk has INT and TERM", (status_mask("SigBlk") & (BIT(SIGINT) | BIT(SIGTERM))) ==
					     (BIT(SIGINT) | BIT(SIGTERM)));
	t_yes("SigPnd has TERM", (status_mask("SigPnd") & BIT(SIGTERM)) != 0);
	t_yes("ShdPnd present", status_mask("ShdPnd") != ~0ULL);
	signal(SIGTERM, SIG_IGN); /* discards it */
	t_yes("SigPnd after ignoring", (status_mask("SigPnd") & BIT(SIGTERM)) == 0);
	return g_finish();
}
