/* SPDX-License-Identifier: Apache-2.0 */
/*
 * execve/execveat: read the program through the VFS, handle `#!` scripts,
 * load it into a fresh address space, then (past the point of no return)
 * end the other threads, swap the address space, reset signal handlers,
 * close O_CLOEXEC fds and release a vfork parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"
#include "mm_interim.h"
#include "syscall_handlers.h"

#define EXEC_IMAGE_MAX (256ULL << 20)
#define EXEC_ARGS_MAX (LOADER_ARGS_MAX - 4096)
#define EXEC_INTERP_DEPTH 4 /* as Linux: ELOOP beyond */
#define BINPRM_BUF 256      /* `#!` line limit */

struct strv {
	char **v;
	size_t n, cap, bytes;
};

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int strv_add(struct strv *s, const char *str, size_t at)
{
	size_t len = strlen(str) + 1;

	if (s->bytes + len + 8 > EXEC_ARGS_MAX)
		return -E2BIG;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof(*s->v));
	s->v[at] = strdup(str);
	if (!s->v[at])
		return -ENOMEM;
	s->n++;
	s->v[s->n] = NULL;
	s->bytes += len + 8;
	return 0;
}

/* Copy a NULL-terminated vector of strings from the application. */
static int copy_strv(struct task *t, uint64_t uvec, struct strv *out, size_t *budget)
{
	char *str = malloc(VFS_PATH_MAX * 32);
	int r = 0;

	if (!str)
		return -ENOMEM;
	for (size_t i = 0; uvec; i++) {
		uint64_t p;
		size_t got = 0;

		if (task_copy_in(t, uvec + i * 8, &p, 8) != 8) {
			r = -EFAULT;
			break;
		}
		if (!p)
			break;
		/* one string, up to 128 KiB like MAX_ARG_STRLEN */
		for (;;) {
			ssize_t n;

			if (got >= VFS_PATH_MAX * 32) {
				r = -E2BIG;
				goto out;
			}
			n = task_copy_in(t, p + got, str + got, MIN((size_t)256, VFS_PATH_MAX * 32 - got));
			if (n <= 0) {
				r = -EFAULT;
				goto out;
			}
			if (memchr(str + got, 0, (size_t)n))
				break;
			got += (size_t)n;
		}
		if (strlen(str) + 9 > *budget) {
			r = -E2BIG;
			break;
		}
		*budget -= strlen(str) + 9;
		r = strv_add(out, str, out->n);
		if (r < 0)
			break;
	}
out:
	free(str);
	return r;
}

/* Read the whole program through the VFS (permission: MAY_EXEC); its
 * resolved path goes to @ret_path (VFS_PATH_MAX bytes) for /proc/pid/exe. */
static int read_program(struct task *t, int dirfd, const char *path, unsigned flags,
			uint8_t **ret, size_t *ret_len, char *ret_path)
{
	struct file *f;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int64_t off = 0;
	int r;

	r = vfs_open(t, dirfd, path, O_RDONLY | flags, 0, &f);
	if (r < 0)
		return r;
	{
		struct path root;

		pthread_mutex_lock(&t->fs->lock);
		root = path_get(t->fs->root);
		pthread_mutex_unlock(&t->fs->lock);
		if (vfs_path_string(root, f->path, ret_path, VFS_PATH_MAX) < 0)
			snprintf(ret_path, VFS_PATH_MAX, "%s", path);
		path_put(&root);
	}
	if (!S_ISREG(f->path.v->mode) || (f->path.mnt->flags & MS_NOEXEC))
		r = -EACCES;
	else
		r = vfs_permission(&t->creds, f->path.v, MAY_EXEC);
	while (r == 0) {
		ssize_t n;

		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > EXEC_IMAGE_MAX) {
				r = -ENOEXEC;
				break;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = f->ops->read ? f->ops->read(f, t, buf + len, cap - len, &off) : -EACCES;
		if (n < 0)
			r = (int)n;
		else if (n == 0)
			break;
		else
			len += (size_t)n;
	}
	file_put(f);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* `#!interp [arg]`: rewrite argv, return the interpreter's path. */
static int parse_shebang(const uint8_t *img, size_t len, struct strv *argv, const char *path,
			 char *ret_interp)
{
	char line[BINPRM_BUF + 1];
	size_t n = MIN(len, (size_t)BINPRM_BUF);
	char *p, *interp, *arg = NULL, *end;
	int r;

	memcpy(line, img, n);
	line[n] = 0;
	end = memchr(line, '\n', n);
	if (!end && len > BINPRM_BUF)
		return -ENOEXEC; /* line too long */
	if (end)
		*end = 0;
	p = line + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			/* Linux passes the rest as one argument, trailing blanks cut */
			char *e = p + strlen(p);

			while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = 0;
			arg = p;
		}
	}
	/* argv[0] is replaced by: interp [arg] path */
	if (argv->n > 0) {
		free(argv->v[0]);
		memmove(argv->v, argv->v + 1, argv->n * sizeof(*argv->v));
		argv->n--;
	}
	if ((r = strv_add(argv, path, 0)) < 0 || (arg && (r = strv_add(argv, arg, 0)) < 0) ||
	    (r = strv_add(argv, interp, 0)) < 0)
		return r;
	snprintf(ret_interp, VFS_PATH_MAX, "%s", interp);
	return 0;
}

/* End every other task of the group and wait until they are gone. */
static int de_thread(struct task *t)
{
	struct kernel *k = t->k;

	pthread_mutex_lock(&k->lock);
	if (t->tg->exiting) {
		pthread_mutex_unlock(&k->lock);
		return -EINTR;
	}
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct task *o = k->tids[i];

		if (o && o->tg == t->tg && o != t) {
			o->exited = 1;
			pthread_cond_broadcast(&o->sigcond);
			(void)plat_ctx_interrupt(o->ctx);
		}
	}
	while (t->tg->ntasks > 1)
		pthread_cond_wait(&k->cond, &k->lock);
	/* The exec'ing thread takes the process id (Linux does the same). */
	if (t->tid != t->tg->tgid && !k->tids[t->tg->tgid]) {
		k->tids[t->tid] = NULL;
		t->tid = t->tg->tgid;
		k->tids[t->tid] = t;
	}
	pthread_mutex_unlock(&k->lock);
	return 0;
}

/* The part of execve after the arguments are in Sentry memory. */
static int exec_strv(struct task *t, int dirfd, const char *path, uint64_t flags,
		     struct strv *argvp, struct strv *envpp)
{
	char interp[VFS_PATH_MAX], resolved[VFS_PATH_MAX];
	struct strv argv = *argvp, envp = *envpp;
	size_t len = 0;
	uint8_t *img = NULL;
	struct loader_image li;
	struct plat_as *as = NULL, *old;
	struct plat_ctx *ctx = NULL;
	int r, depth = 0;

	snprintf(interp, sizeof(interp), "%s", path);
	for (;;) {
		r = read_program(t, dirfd, interp,
				 (flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0, &img, &len, resolved);
		if (r < 0)
			goto out;
		if (len >= 2 && img[0] == '#' && img[1] == '!') {
			char script[VFS_PATH_MAX];

			if (++depth > EXEC_INTERP_DEPTH) {
				r = -ELOOP;
				goto out;
			}
			snprintf(script, sizeof(script), "%s", interp);
			r = parse_shebang(img, len, &argv, script, interp);
			free(img);
			img = NULL;
			if (r < 0)
				goto out;
			dirfd = AT_FDCWD;
			flags = 0;
			continue;
		}
		break;
	}
	r = loader_parse(img, len, &li);
	if (r < 0)
		goto out;
	r = plat_as_create(t->k->plat, &as);
	if (r == 0)
		r = loader_load(as, img, len, (const char *const *)argv.v,
				(const char *const *)envp.v, &li);
	if (r < 0)
		goto out;

	/* Point of no return. */
	r = de_thread(t);
	if (r < 0)
		goto out;
	plat_ctx_destroy(t->ctx);
	t->ctx = NULL;
	r = plat_ctx_create(as, &ctx);
	if (r < 0) {
		task_exit_group(t, SIGKILL); /* nothing to return to */
		goto out;
	}
	old = t->tg->as;
	t->tg->as = as;
	t->tg->brk_start = li.brk_start;
	{
		struct vma_set *nv = vmas_new(li.image_start, li.brk_start,
					      LOADER_STACK_TOP - LOADER_STACK_SIZE, LOADER_STACK_TOP);

		if (nv) {
			vmas_free(t->tg->vmas);
			t->tg->vmas = nv;
		}
	}
	as = NULL;
	t->ctx = ctx;
	plat_as_destroy(old);
	plat_cpu_init(t->cpu, li.entry, li.sp);

	pthread_mutex_lock(&t->k->lock);
	for (int i = 0; i < SIG_MAX; i++)
		if (t->tg->sig.act[i].handler != (uint64_t)(uintptr_t)SIG_IGN)
			t->tg->sig.act[i] = (struct k_sigaction){ 0 };
	t->sig.alt_flags = SS_DISABLE;
	t->sig.alt_sp = t->sig.alt_size = 0;
	t->tg->vfork_done = 1;
	t->tg->did_exec = 1; /* setpgid() by the parent: EACCES from now on */
	if (t->tg->parent) /* a vfork parent may be waiting */
		for (int i = 1; i < KERNEL_PID_MAX; i++)
			if (t->k->tids[i] && t->k->tids[i]->tg == t->tg->parent)
				pthread_cond_broadcast(&t->k->tids[i]->sigcond);
	pthread_mutex_unlock(&t->k->lock);
	t->clear_child_tid = 0;
	fdt_close_cloexec(t->fdt);
	task_set_program(t->tg, resolved, (const char *const *)argv.v);
	r = 0;
out:
	plat_as_destroy(as);
	free(img);
	*argvp = argv;
	*envpp = envp;
	return r;
}

static int64_t do_execveat(struct task *t, int dirfd, uint64_t upath, uint64_t uargv,
			   uint64_t uenvp, uint64_t flags)
{
	char path[VFS_PATH_MAX];
	struct strv argv = { 0 }, envp = { 0 };
	size_t budget = EXEC_ARGS_MAX;
	int r;

	if (flags & ~(uint64_t)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	{
		size_t got = 0;

		for (;;) {
			ssize_t n = task_copy_in(t, upath + got, path + got,
						 MIN((size_t)256, sizeof(path) - got));

			if (n <= 0)
				return -EFAULT;
			if (memchr(path + got, 0, (size_t)n))
				break;
			got += (size_t)n;
			if (got >= sizeof(path))
				return -ENAMETOOLONG;
		}
	}
	r = copy_strv(t, uargv, &argv, &budget);
	if (r == 0)
		r = copy_strv(t, uenvp, &envp, &budget);
	if (r < 0)
		goto out;
	r = exec_strv(t, dirfd, path, flags, &argv, &envp);
out:
	strv_free(&argv);
	strv_free(&envp);
	return r;
}

int task_exec(struct task *t, const char *path, const char *const *argv,
	      const char *const *envp)
{
	struct strv a = { 0 }, e = { 0 };
	int r = 0;

	for (size_t i = 0; argv && argv[i] && r == 0; i++)
		r = strv_add(&a, argv[i], a.n);
	for (size_t i = 0; envp && envp[i] && r == 0; i++)
		r = strv_add(&e, envp[i], e.n);
	if (r == 0)
		r = exec_strv(t, AT_FDCWD, path, 0, &a, &e);
	strv_free(&a);
	strv_free(&e);
	return r;
}

int64_t sys_execve(struct task *t, const uint64_t a[6])
{
	return do_execveat(t, AT_FDCWD, a[0], a[1], a[2], 0);
}

int64_t sys_execveat(struct task *t, const uint64_t a[6])
{
	return do_execveat(t, (int)a[0], a[1], a[2], a[3], a[4]);
}
