/* SPDX-License-Identifier: Apache-2.0 */
/* Scheduling state: nice values, normal policies, priorities, affinity. */
#include "common.h"
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>

int main(void)
{
	struct sched_param sp = {0};
	struct timespec ts;
	cpu_set_t set, got;
	int base, st;
	pid_t pid;

	g_start();
	errno = 0;
	base = getpriority(PRIO_PROCESS, 0);
	t_eq("getpriority(self) errno", errno, 0);
	t_ok("setpriority(self, base + 1)", setpriority(PRIO_PROCESS, 0, base + 1));
	t_eq("getpriority after +1", getpriority(PRIO_PROCESS, 0) - base, 1);
	pid = fork();
	if (pid == 0) {
		t_eq("child inherits the nice value", getpriority(PRIO_PROCESS, 0) - base, 1);
		t_ok("child setpgid(0, 0)", setpgid(0, 0));
		t_eq("getpriority(PRIO_PGRP, 0)", getpriority(PRIO_PGRP, 0) - base, 1);
		t_eq("getpriority(PRIO_PGRP, own pgid)", getpriority(PRIO_PGRP, getpid()) - base,
		     1);
		_exit(g_failures ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	t_eq("child status", st, 0);
	t_ok("setpriority back", setpriority(PRIO_PROCESS, 0, base));
	t_eq("getpriority restored", getpriority(PRIO_PROCESS, 0) - base, 0);
	t_err("getpriority bad which", getpriority(99, 0), EINVAL);
	t_err("setpriority bad which", setpriority(99, 0, 0), EINVAL);

	t_eq("sched_getscheduler(0)", sched_getscheduler(0), SCHED_OTHER);
	t_err("sched_getscheduler(-1)", sched_getscheduler(-1), EINVAL);
	t_ok("sched_getparam(0)", sched_getparam(0, &sp));
	t_eq("priority", sp.sched_priority, 0);
	t_err("sched_getparam(-1)", sched_getparam(-1, &sp), EINVAL);
	t_err("sched_getparam(NULL)", syscall(SYS_sched_getparam, 0, NULL), EINVAL);
	t_ok("sched_setscheduler(SCHED_BATCH)", sched_setscheduler(0, SCHED_BATCH, &sp));
	t_eq("sched_getscheduler after BATCH", sched_getscheduler(0), SCHED_BATCH);
	t_ok("sched_setparam(0)", sched_setparam(0, &sp));
	t_eq("sched_setparam keeps the policy", sched_getscheduler(0), SCHED_BATCH);
	t_ok("sched_setscheduler(SCHED_OTHER)", sched_setscheduler(0, SCHED_OTHER, &sp));
	t_eq("sched_getscheduler after OTHER", sched_getscheduler(0), SCHED_OTHER);
	sp.sched_priority = 5;
	t_err("SCHED_OTHER with priority 5", sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL);
	t_err("sched_setparam(5) under SCHED_OTHER", sched_setparam(0, &sp), EINVAL);
	sp.sched_priority = 0;
	t_err("SCHED_FIFO with priority 0", sched_setscheduler(0, SCHED_FIFO, &sp), EINVAL);
	t_err("policy 99", sched_setscheduler(0, 99, &sp), EINVAL);
	t_err("sched_setscheduler(-1)", sched_setscheduler(-1, SCHED_OTHER, &sp), EINVAL);
	t_eq("priority max FIFO", sched_get_priority_max(SCHED_FIFO), 99);
	t_eq("priority min RR", sched_get_priority_min(SCHED_RR), 1);
	t_eq("priority max OTHER", sched_get_priority_max(SCHED_OTHER), 0);
	t_err("priority max -23", sched_get_priority_max(-23), EINVAL);
	t_err("priority min -23", sched_get_priority_min(-23), EINVAL);
	t_ok("sched_rr_get_interval(0)", sched_rr_get_interval(0, &ts));
	t_yes("interval below 1 s", ts.tv_sec == 0);
	t_err("sched_rr_get_interval(-1)", sched_rr_get_interval(-1, &ts), EINVAL);

	CPU_ZERO(&set);
	t_ok("sched_getaffinity(0)", sched_getaffinity(0, sizeof(set), &set));
	t_yes("at least one CPU", CPU_COUNT(&set) >= 1);
	t_err("sched_getaffinity(-1)", sched_getaffinity(-1, sizeof(set), &set), ESRCH);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	t_ok("sched_setaffinity({0})", sched_setaffinity(0, sizeof(set), &set));
	CPU_ZERO(&got);
	t_ok("sched_getaffinity again", sched_getaffinity(0, sizeof(got), &got));
	t_yes("reads back {0}", CPU_EQUAL(&set, &got));
	pid = fork();
	if (pid == 0) {
		CPU_ZERO(&got);
		sched_getaffinity(0, sizeof(got), &got);
		t_yes("child inherits {0}", CPU_EQUAL(&set, &got));
		_exit(g_failures ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	t_eq("child status", st, 0);
	CPU_ZERO(&set);
	t_err("empty mask", sched_setaffinity(0, sizeof(set), &set), EINVAL);
	CPU_SET(0, &set);
	t_err("sched_setaffinity(-1)", sched_setaffinity(-1, sizeof(set), &set), ESRCH);
	return g_finish();
}
