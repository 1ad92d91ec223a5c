/* SPDX-License-Identifier: Apache-2.0 */
/* sysinfo, /proc/meminfo, /proc/uptime, /proc/loadavg, sysconf:
 * consistency between them, no absolute values. */
#include "common.h"
#include <sys/sysinfo.h>

static long meminfo_kb(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	long v;

	return p && sscanf(p + strlen(key), " %ld kB", &v) == 1 ? v : -1;
}

int main(void)
{
	struct sysinfo si;
	char buf[8192];
	double up, idle, l1, l5, l15;
	long total_kb, free_kb;
	int run, all, last;

	g_start();
	t_ok("sysinfo", sysinfo(&si));
	t_yes("uptime > 0", si.uptime > 0);
	t_yes("mem_unit >= 1", si.mem_unit >= 1);
	t_yes("totalram > 0", si.totalram > 0);
	t_yes("freeram <= totalram", si.freeram <= si.totalram);
	t_yes("procs >= 1", si.procs >= 1);
	t_yes("freeswap <= totalswap", si.freeswap <= si.totalswap);
	t_err("sysinfo bad pointer", syscall(SYS_sysinfo, G_BADPTR), EFAULT);

	t_yes("/proc/meminfo readable", g_read_file("/proc/meminfo", buf, sizeof(buf)) > 0);
	total_kb = meminfo_kb(buf, "MemTotal:");
	free_kb = meminfo_kb(buf, "MemFree:");
	t_yes("MemTotal and MemFree present", total_kb > 0 && free_kb >= 0);
	t_yes("MemAvailable present", meminfo_kb(buf, "MemAvailable:") >= 0);
	t_yes("MemFree <= MemTotal", free_kb <= total_kb);
	t_yes("MemTotal agrees with sysinfo (within 1%)",
	      labs(total_kb - (long)(si.totalram * si.mem_unit / 1024)) <= total_kb / 100);

	g_read_file("/proc/uptime", buf, sizeof(buf));
	t_eq("/proc/uptime has two numbers", sscanf(buf, "%lf %lf", &up, &idle), 2);
	t_yes("uptime agrees with sysinfo (within 2s)", up + 2 >= si.uptime && up <= si.uptime + 2);

	g_read_file("/proc/loadavg", buf, sizeof(buf));
	t_eq("/proc/loadavg fields", sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &all, &last), 6);
	t_yes("load averages >= 0", l1 >= 0 && l5 >= 0 && l15 >= 0);
	t_yes("running <= total tasks, running >= 1", run >= 1 && run <= all);

	long pg = sysconf(_SC_PAGESIZE);
	t_eq("page size", pg, 4096);
	t_yes("_SC_NPROCESSORS_ONLN >= 1", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	t_yes("_SC_PHYS_PAGES * pagesize ~ totalram",
	      labs(sysconf(_SC_PHYS_PAGES) * pg / 1024 - total_kb) <= total_kb / 100);
	t_eq("getpagesize", getpagesize(), 4096);
	t_yes("get_nprocs >= 1", get_nprocs() >= 1);
	return g_finish();
}
