/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEMPORARY development stand-in for runtime/sandbox.c, compiled only while
 * that file does not exist (see pool/CMakeLists.txt): processes run natively
 * on the host, no isolation.  A "sandbox" is a sleeping host process (its
 * host pid) plus a scratch directory for files.  Deleted once the real
 * implementation lands.
 */
#include "runtime/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

struct stub {
	struct stub *next;
	char path[256];
	char dir[256];
	pid_t sleeper;
	pid_t kids[256];
	int nkids;
	unsigned refs;
};

struct sandbox {
	struct stub *s;
	bool owner;
};

static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static struct stub *all;

int sandbox_boot(const struct sandbox_opts *o, struct sandbox **ret)
{
	struct stub *s = calloc(1, sizeof(*s));
	struct sandbox *sb = calloc(1, sizeof(*sb));
	int fd;

	snprintf(s->path, sizeof(s->path), "%s", o->control_path);
	snprintf(s->dir, sizeof(s->dir), "%s.d", o->control_path);
	mkdir(s->dir, 0700);
	fd = open(s->path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	s->sleeper = fork();
	if (s->sleeper == 0) {
		execl("/bin/sleep", "sleep", "100000", (char *)NULL);
		_exit(127);
	}
	s->refs = 1;
	pthread_mutex_lock(&lk);
	s->next = all;
	all = s;
	pthread_mutex_unlock(&lk);
	sb->s = s;
	sb->owner = true;
	*ret = sb;
	return 0;
}

int sandbox_attach(const char *path, struct sandbox **ret)
{
	struct sandbox *sb;
	pthread_mutex_lock(&lk);
	for (struct stub *s = all; s; s = s->next)
		if (!strcmp(s->path, path) && s->sleeper > 0) {
			s->refs++;
			pthread_mutex_unlock(&lk);
			sb = calloc(1, sizeof(*sb));
			sb->s = s;
			*ret = sb;
			return 0;
		}
	pthread_mutex_unlock(&lk);
	return -ECONNREFUSED;
}

pid_t sandbox_host_pid(const struct sandbox *sb)
{
	return sb->owner ? sb->s->sleeper : 0;
}

int sandbox_spawn(struct sandbox *sb, const struct sandbox_process *p, int32_t *ret_pid)
{
	pid_t pid;
	if (kill(sb->s->sleeper, 0) < 0 || waitpid(sb->s->sleeper, NULL, WNOHANG) != 0)
		return -ECONNRESET;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		for (int i = 0; i < 3; i++)
			dup2(p->stdio[i] >= 0 ? p->stdio[i] : nul, i);
		if (chdir(p->cwd ? p->cwd : "/") < 0)
			_exit(127);
		static const char *const denv[] = { "PATH=/usr/bin:/bin", NULL };
		execvpe(p->argv[0], (char *const *)p->argv, (char *const *)(p->env ? p->env : denv));
		_exit(127);
	}
	pthread_mutex_lock(&lk);
	if (sb->s->nkids < 256)
		sb->s->kids[sb->s->nkids++] = pid;
	pthread_mutex_unlock(&lk);
	*ret_pid = pid;
	return 0;
}

int sandbox_start(struct sandbox *sb, int32_t pid) { return 0; }

int sandbox_wait(struct sandbox *sb, int32_t pid, int timeout_ms, int *st)
{
	for (int t = 0;; t++) {
		int s;
		pid_t r = waitpid(pid, &s, WNOHANG);
		if (r == pid) {
			*st = s;
			return 0;
		}
		if (r < 0)
			return -errno;
		if (timeout_ms >= 0 && t >= timeout_ms)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

int sandbox_kill(struct sandbox *sb, int32_t pid, int sig)
{
	if (pid)
		return kill(pid, sig) < 0 ? -errno : 0;
	pthread_mutex_lock(&lk);
	for (int i = 0; i < sb->s->nkids; i++)
		kill(sb->s->kids[i], sig);
	pthread_mutex_unlock(&lk);
	return 0;
}

int sandbox_pause(struct sandbox *sb) { return -ENOSYS; }
int sandbox_resume(struct sandbox *sb) { return -ENOSYS; }

int sandbox_stats(struct sandbox *sb, struct sandbox_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	return 0;
}

int sandbox_ps(struct sandbox *sb, struct sandbox_ps_entry **ret, size_t *ret_n) { return -ENOSYS; }
void sandbox_ps_free(struct sandbox_ps_entry *v, size_t n) {}

static void fpath(struct sandbox *sb, const char *p, char *out, size_t n)
{
	snprintf(out, n, "%s%s", sb->s->dir, p);
}

int sandbox_file_write(struct sandbox *sb, const char *path, const void *data, size_t len, uint32_t mode)
{
	char f[PATH_MAX];
	int fd;
	if (path[0] != '/')
		return -EINVAL;
	fpath(sb, path, f, sizeof(f));
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

int sandbox_file_read(struct sandbox *sb, const char *path, size_t max, void **ret, size_t *ret_len)
{
	char f[PATH_MAX];
	struct stat st;
	int fd;
	char *b;
	fpath(sb, path, f, sizeof(f));
	fd = open(f, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fstat(fd, &st);
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	b = malloc(st.st_size + 1);
	if (read(fd, b, st.st_size) != st.st_size) {
		close(fd);
		free(b);
		return -EIO;
	}
	close(fd);
	*ret = b;
	*ret_len = st.st_size;
	return 0;
}

int sandbox_file_list(struct sandbox *sb, const char *path, struct sandbox_dirent **ret, size_t *ret_n)
{
	char f[PATH_MAX];
	DIR *d;
	struct dirent *e;
	struct sandbox_dirent *v = calloc(1024, sizeof(*v));
	size_t n = 0;
	fpath(sb, path, f, sizeof(f));
	d = opendir(f);
	if (!d) {
		free(v);
		return -errno;
	}
	while ((e = readdir(d)) && n < 1024) {
		struct stat st;
		char g[PATH_MAX + 256];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(g, sizeof(g), "%s/%s", f, e->d_name);
		lstat(g, &st);
		v[n].name = strdup(e->d_name);
		v[n].mode = st.st_mode;
		v[n].size = st.st_size;
		n++;
	}
	closedir(d);
	*ret = v;
	*ret_n = n;
	return 0;
}

void sandbox_dirents_free(struct sandbox_dirent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

int sandbox_file_remove(struct sandbox *sb, const char *path)
{
	char f[PATH_MAX];
	fpath(sb, path, f, sizeof(f));
	if (unlink(f) < 0 && rmdir(f) < 0)
		return -errno;
	return 0;
}

static void unref(struct stub *s)
{
	pthread_mutex_lock(&lk);
	if (--s->refs) {
		pthread_mutex_unlock(&lk);
		return;
	}
	for (struct stub **pp = &all; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	pthread_mutex_unlock(&lk);
	free(s);
}

int sandbox_destroy(struct sandbox *sb)
{
	struct stub *s = sb->s;
	char cmd[600];
	pthread_mutex_lock(&lk);
	for (int i = 0; i < s->nkids; i++)
		kill(s->kids[i], SIGKILL);
	if (s->sleeper > 0) {
		kill(s->sleeper, SIGKILL);
		if (sb->owner)
			waitpid(s->sleeper, NULL, 0);
		s->sleeper = -1;
	}
	pthread_mutex_unlock(&lk);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	if (sb->owner && system(cmd) != 0)
		s->refs += 0;
	unref(s);
	free(sb);
	return 0;
}

void sandbox_close(struct sandbox *sb)
{
	unref(sb->s);
	free(sb);
}
