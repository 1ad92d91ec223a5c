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
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/ptimer.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"
#include "sentry/mm/mm.h"
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

/* A program's bytes: mapped read-only from the file's host fd (page cache,
 * no copy) when it has one, else read into a buffer. */
struct prog {
	uint8_t *img;
	size_t len;
	int fd;     /* host fd of the file (owned) for the loader, or -EBADF */
	int mapped; /* img is an mmap of fd */
	uint64_t id[2]; /* st_dev, st_ino: for /proc/pid/maps */
};

static void prog_release(struct prog *p)
{
	if (p->mapped)
		munmap(p->img, p->len);
	else
		free(p->img);
	safe_close(p->fd);
	*p = (struct prog){ .fd = -EBADF };
}

static int prog_map(struct prog *p, int hostfd)
{
	struct stat st;
	void *m;

	if (fstat(hostfd, &st) < 0 || !S_ISREG(st.st_mode))
		return -ENODEV;
	if (st.st_size == 0 || (uint64_t)st.st_size > EXEC_IMAGE_MAX)
		return st.st_size ? -ENOEXEC : -ENODEV;
	p->fd = fcntl(hostfd, F_DUPFD_CLOEXEC, 3);
	if (p->fd < 0)
		return -ENODEV;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, p->fd, 0);
	if (m == MAP_FAILED) {
		p->fd = safe_close(p->fd);
		return -ENODEV;
	}
	p->img = m;
	p->len = (size_t)st.st_size;
	p->mapped = 1;
	return 0;
}

static int prog_read(struct prog *p, struct task *t, struct file *f)
{
	size_t cap = 0;
	int64_t off = 0;

	for (;;) {
		ssize_t n;

		if (p->len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > EXEC_IMAGE_MAX)
				return -ENOEXEC;
			nb = realloc(p->img, cap);
			if (!nb)
				return -ENOMEM;
			p->img = nb;
		}
		n = f->ops->read ? f->ops->read(f, t, p->img + p->len, cap - p->len, &off)
				 : -EACCES;
		if (n < 0)
			return (int)n;
		if (n == 0)
			return 0;
		p->len += (size_t)n;
	}
}

/* Open the program through the VFS (permission: MAY_EXEC) and get its
 * bytes; its resolved path goes to @ret_path (VFS_PATH_MAX bytes) for
 * /proc/pid/exe. */
static int read_program(struct task *t, int dirfd, const char *path, unsigned flags,
			unsigned resolve, struct prog *ret, char *ret_path)
{
	struct prog p = { .fd = -EBADF };
	struct file *f;
	int r;

	r = vfs_open_resolve(t, dirfd, path, O_RDONLY | flags, 0, resolve, &f);
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
	if (r == 0) {
		int hfd = f->ops->host_fd ? f->ops->host_fd(f) : -ENODEV;

		r = hfd >= 0 ? prog_map(&p, hfd) : -ENODEV;
		if (r == -ENODEV)
			r = prog_read(&p, t, f);
	}
	if (r == 0) {
		struct stat st;

		vnode_stat(f->path.v, &st);
		p.id[0] = st.st_dev;
		p.id[1] = st.st_ino;
	}
	file_put(f);
	if (r < 0) {
		prog_release(&p);
		return r;
	}
	*ret = p;
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
	struct prog prog = { .fd = -EBADF }, iprog = { .fd = -EBADF };
	struct loader_image li;
	char iresolved[VFS_PATH_MAX] = "";
	struct plat_as *as = NULL, *old;
	struct mm *nmm = NULL;
	struct plat_ctx *ctx = NULL;
	int r, depth = 0;

	snprintf(interp, sizeof(interp), "%s", path);
	for (;;) {
		/* AT_EMPTY_PATH with "": the program is @dirfd itself (fexecve) */
		r = read_program(t, dirfd, interp,
				 (flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0,
				 (flags & AT_EMPTY_PATH) ? WALK_EMPTY_OK : 0, &prog, resolved);
		if (r < 0)
			goto out;
		if (prog.len >= 2 && prog.img[0] == '#' && prog.img[1] == '!') {
			char script[VFS_PATH_MAX];

			if (++depth > EXEC_INTERP_DEPTH) {
				r = -ELOOP;
				goto out;
			}
			snprintf(script, sizeof(script), "%s", interp);
			r = parse_shebang(prog.img, prog.len, &argv, script, interp);
			prog_release(&prog);
			if (r < 0)
				goto out;
			dirfd = AT_FDCWD;
			flags = 0;
			continue;
		}
		break;
	}
	r = loader_parse(prog.img, prog.len, &li);
	if (r < 0)
		goto out;
	if (li.interp_len) { /* the program interpreter, e.g. ld-linux */
		char ipath[LOADER_INTERP_MAX];

		memcpy(ipath, prog.img + li.interp_off, li.interp_len);
		ipath[li.interp_len] = 0;
		r = read_program(t, AT_FDCWD, ipath, 0, 0, &iprog, iresolved);
		if (r < 0)
			goto out;
	}
	r = plat_as_create(t->k->plat, &as);
	if (r == 0) {
		struct loader_file exe = { prog.img, prog.len, prog.fd };
		struct loader_file in = { iprog.img, iprog.len, iprog.fd };

		li.uid = t->creds.ruid;
		li.euid = t->creds.euid;
		li.gid = t->creds.rgid;
		li.egid = t->creds.egid;
		r = loader_load_exec(as, &exe, li.interp_len ? &in : NULL,
				     (const char *const *)argv.v, (const char *const *)envp.v, &li);
	}
	if (r == 0) {
		nmm = mm_new(li.image_start, li.brk_start, LOADER_STACK_TOP - LOADER_STACK_SIZE,
			     LOADER_STACK_TOP);
		if (!nmm) {
			r = -ENOMEM;
		} else {
			struct mm_vma vv = { .start = li.vdso_start, .end = li.vdso_end,
					     .prot = PROT_READ | PROT_EXEC, .name = "[vdso]" };

			r = mm_set_image(nmm, &li, resolved, prog.id[0], prog.id[1]);
			if (r == 0 && li.interp_nseg > 0) {
				/* ld.so's segments with their protections, as Linux
				 * shows them (and as a checkpoint must restore them) */
				static __thread struct loader_image ili;

				memset(&ili, 0, sizeof(ili));
				memcpy(ili.seg, li.interp_seg, sizeof(ili.seg));
				ili.nseg = li.interp_nseg;
				r = mm_set_image(nmm, &ili, iresolved, iprog.id[0], iprog.id[1]);
			}
			pthread_mutex_lock(&nmm->lock);
			if (r == 0 && li.vdso_end > li.vdso_start)
				r = mm_vma_insert(nmm, &vv);
			pthread_mutex_unlock(&nmm->lock);
		}
	}
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
	/* swapped under kernel.lock: procfs reads tg->mm under it */
	{
		struct mm *prev = t->tg->mm;

		pthread_mutex_lock(&t->k->lock);
		t->tg->mm = nmm;
		_Static_assert(sizeof(t->tg->auxv) == sizeof(li.auxv), "auxv sizes");
		memcpy(t->tg->auxv, li.auxv, sizeof(li.auxv));
		t->tg->auxv_n = li.auxv_n;
		pthread_mutex_unlock(&t->k->lock);
		nmm = prev;
	}
	/* a vfork/CLONE_VM parent may still run in the old address space */
	if (!mm_unuse(nmm))
		old = NULL;
	mm_free(TAKE_PTR(nmm));
	as = NULL;
	t->ctx = ctx;
	plat_as_destroy(old);
	plat_cpu_init(t->cpu, li.start, li.sp);
	ptimer_tg_exit(t->tg); /* POSIX timers do not survive execve */

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
	task_set_environ(t->tg, (const char *const *)envp.v);
	r = 0;
out:
	mm_free(nmm);
	plat_as_destroy(as);
	prog_release(&prog);
	prog_release(&iprog);
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
