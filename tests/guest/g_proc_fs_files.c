/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The /proc files glibc, python and gcc read: /proc/self/{limits,auxv,
 * statm,mountinfo,ns/,oom_score,oom_score_adj}, /proc/sys/{kernel,vm}/...
 * and /sys/devices/system/cpu/online.  Formats and values that agree with
 * the syscalls; nothing that differs between hosts is printed.
 */
#include "common.h"

#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static char buf[65536];

/* The CPUs in a sysfs list such as "0-3,5\n"; -1 if it does not parse. */
static long cpu_list_count(const char *s)
{
	long n = 0;

	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s || a < 0)
			return -1;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -1;
			s = end;
		}
		n += b - a + 1;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return n;
}

/* A positive decimal integer and a newline, nothing else. */
static int positive_int_file(const char *path)
{
	char *end;
	long v;

	if (g_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	v = strtol(buf, &end, 10);
	return end != buf && v > 0 && !strcmp(end, "\n");
}

static void check_limits(void)
{
	struct rlimit rl;
	char want[128], *line;
	int lines = 0, nofile = 0;

	t_yes("limits readable", g_read_file("/proc/self/limits", buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
		 "Hard Limit", "Units");
	t_yes("limits header", !strncmp(buf, want, strlen(want)));
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur == RLIM_INFINITY)
		snprintf(want, sizeof(want), "%-25s %-20s ", "Max open files", "unlimited");
	else
		snprintf(want, sizeof(want), "%-25s %-20llu ", "Max open files",
			 (unsigned long long)rl.rlim_cur);
	for (line = buf; *line; lines++) {
		if (!strncmp(line, want, strlen(want)))
			nofile = 1;
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	t_eq("limits lines", lines, 17);
	t_yes("limits Max open files = getrlimit", nofile);
}

static void check_auxv(void)
{
	uint64_t v[512];
	long n = g_read_file("/proc/self/auxv", (char *)v, sizeof(v));
	int pagesz = 0, entry = 0, null_end = 0;

	t_yes("auxv whole pairs", n > 0 && n % 16 == 0);
	for (long i = 0; i + 1 < n / 8; i += 2) {
		if (v[i] == AT_PAGESZ && v[i + 1] == 4096)
			pagesz = 1;
		if (v[i] == AT_ENTRY && v[i + 1] == getauxval(AT_ENTRY))
			entry = 1;
		if (v[i] == AT_NULL)
			null_end = i + 2 == n / 8;
	}
	t_yes("auxv AT_PAGESZ 4096", pagesz);
	t_yes("auxv AT_ENTRY = getauxval", entry);
	t_yes("auxv ends with AT_NULL", null_end);
}

static void check_statm(void)
{
	unsigned long f[8];
	int n;

	g_read_file("/proc/self/statm", buf, sizeof(buf));
	n = sscanf(buf, "%lu %lu %lu %lu %lu %lu %lu %lu", &f[0], &f[1], &f[2], &f[3], &f[4],
		   &f[5], &f[6], &f[7]);
	t_eq("statm numbers", n, 7);
	t_yes("statm size > 0, >= resident, >= data", n == 7 && f[0] > 0 && f[0] >= f[1] &&
							   f[0] >= f[5]);
}

static void check_mountinfo(void)
{
	int root = 0, proc = 0, bad = 0;
	char *line = buf;

	t_yes("mountinfo readable", g_read_file("/proc/self/mountinfo", buf, sizeof(buf)) > 0);
	while (line && *line) {
		char *nl = strchr(line, '\n'), mnt[4096], fstype[256], *dash;
		int id, parent;
		unsigned maj, min;

		if (nl)
			*nl = 0;
		dash = strstr(line, " - ");
		if (sscanf(line, "%d %d %u:%u %*s %4095s", &id, &parent, &maj, &min, mnt) != 5 ||
		    !dash || sscanf(dash + 3, "%255s", fstype) != 1)
			bad++;
		else if (!strcmp(mnt, "/"))
			root = 1;
		else if (!strcmp(mnt, "/proc") && !strcmp(fstype, "proc"))
			proc = 1;
		line = nl ? nl + 1 : NULL;
	}
	t_eq("mountinfo bad lines", bad, 0);
	t_yes("mountinfo has /", root);
	t_yes("mountinfo has /proc (proc)", proc);
}

static void check_ns(void)
{
	static const char *const names[] = { "cgroup", "ipc", "mnt", "net", "pid", "time",
					      "user", "uts" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[64], link[128], label[64];
		ssize_t n;
		size_t len = strlen(names[i]);
		int ok;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		n = readlink(path, link, sizeof(link) - 1);
		ok = n > 0;
		if (ok) {
			link[n] = 0;
			ok = !strncmp(link, names[i], len) && !strncmp(link + len, ":[", 2) &&
			     link[n - 1] == ']' && strspn(link + len + 2, "0123456789") ==
							   (size_t)n - len - 3 && n > (ssize_t)len + 3;
		}
		snprintf(label, sizeof(label), "ns/%s -> %s:[digits]", names[i], names[i]);
		t_yes(label, ok);
	}
}

static void check_oom(void)
{
	char want[32], *end;
	long cur, next;
	int fd;

	t_yes("oom_score >= 0", g_read_file("/proc/self/oom_score", buf, sizeof(buf)) > 0 &&
					strtol(buf, &end, 10) >= 0 && !strcmp(end, "\n"));
	g_read_file("/proc/self/oom_score_adj", buf, sizeof(buf));
	cur = strtol(buf, &end, 10);
	t_yes("oom_score_adj in range", end != buf && cur >= -1000 && cur <= 1000);
	/* raising it needs no privilege */
	next = cur < 1000 ? cur + 1 : 1000;
	snprintf(want, sizeof(want), "%ld\n", next);
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	t_ok("open oom_score_adj O_WRONLY", fd);
	t_yes("write oom_score_adj", write(fd, want, strlen(want)) == (ssize_t)strlen(want));
	t_err("write oom_score_adj 1001", write(fd, "1001\n", 5), EINVAL);
	t_err("write oom_score_adj -1001", write(fd, "-1001\n", 6), EINVAL);
	t_err("write oom_score_adj junk", write(fd, "x\n", 2), EINVAL);
	close(fd);
	g_read_file("/proc/self/oom_score_adj", buf, sizeof(buf));
	t_yes("oom_score_adj reads back", !strcmp(buf, want));
}

static void check_sys(void)
{
	struct utsname u;
	char want[512];

	uname(&u);
	t_yes("ngroups_max positive", positive_int_file("/proc/sys/kernel/ngroups_max"));
	t_yes("pid_max positive", positive_int_file("/proc/sys/kernel/pid_max"));
	g_read_file("/proc/sys/vm/overcommit_memory", buf, sizeof(buf));
	t_yes("overcommit_memory 0..2", buf[0] >= '0' && buf[0] <= '2' && !strcmp(buf + 1, "\n"));
	g_read_file("/proc/sys/kernel/ostype", buf, sizeof(buf));
	t_streq("ostype", buf, "Linux\n");
	g_read_file("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", u.release);
	t_yes("osrelease = uname release", !strcmp(buf, want));
	g_read_file("/proc/sys/kernel/version", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", u.version);
	t_yes("version = uname version", !strcmp(buf, want));
}

static void check_cpus(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	g_read_file("/sys/devices/system/cpu/online", buf, sizeof(buf));
	t_yes("cpu/online = sysconf(ONLN)", cpu_list_count(buf) == online);
	g_read_file("/sys/devices/system/cpu/possible", buf, sizeof(buf));
	t_yes("cpu/possible >= online", cpu_list_count(buf) >= online);
	g_read_file("/sys/devices/system/cpu/present", buf, sizeof(buf));
	t_yes("cpu/present >= online", cpu_list_count(buf) >= online);
}

/* A forked child sees the same auxv and oom_score_adj as its parent. */
static void check_fork(void)
{
	static char mine[4096], adj[32];
	long n = g_read_file("/proc/self/auxv", mine, sizeof(mine));
	int status = -1;
	pid_t pid;

	g_read_file("/proc/self/oom_score_adj", adj, sizeof(adj));
	pid = fork();
	if (pid == 0) {
		static char theirs[4096], cadj[32];
		long m = g_read_file("/proc/self/auxv", theirs, sizeof(theirs));

		g_read_file("/proc/self/oom_score_adj", cadj, sizeof(cadj));
		_exit(m == n && !memcmp(mine, theirs, (size_t)n) && !strcmp(adj, cadj) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	t_yes("fork child: same auxv and oom_score_adj",
	      pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	g_start();
	check_limits();
	check_auxv();
	check_statm();
	check_mountinfo();
	check_ns();
	check_oom();
	check_sys();
	check_cpus();
	check_fork();
	return g_finish();
}
