/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory syscalls: brk, mmap, munmap, mprotect, madvise, mremap, msync,
 * mincore.  They validate the application's arguments, change the VMA set
 * (sentry/mm/mm.h) and mirror each change into the stub through the
 * platform, under the set's lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"
#include "sentry/vfs/vnode.h"
#include "syscall_handlers.h"

#define LOG_PREFIX "sys_mm: "
#define PAGE MM_PAGE
#define MMAP_TOP (LOADER_STACK_TOP - LOADER_STACK_SIZE - (1ULL << 30)) /* 1 GiB gap */
#define PROT_RWX (PROT_READ | PROT_WRITE | PROT_EXEC)

/* Would mapping [addr, addr+len) (replacing what is there) take the
 * address space past RLIMIT_AS?  s->lock held. */
static int over_as_limit(struct task *t, struct mm *s, uint64_t addr, uint64_t len)
{
	uint64_t lim = t->tg->rlim[RLIMIT_AS].cur;
	uint64_t now = mm_vma_bytes(s, 0, 0), replaced = addr ? mm_vma_bytes(s, addr, addr + len) : 0;

	return lim != RLIM_INFINITY && now - replaced + len > lim;
}

int64_t sys_brk(struct task *t, const uint64_t a[6])
{
	struct mm *s = t->tg->mm;
	uint64_t want = a[0], ret;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	ret = s->brk;
	if (want >= s->brk_start && want < LOADER_STACK_TOP - LOADER_STACK_SIZE) {
		uint64_t old_end = ALIGN_UP(s->brk, PAGE), new_end = ALIGN_UP(want, PAGE);
		int r = 0;

		if (new_end > old_end) {
			if (mm_vma_overlaps(s, old_end, new_end) ||
			    over_as_limit(t, s, 0, new_end - old_end))
				r = -ENOMEM;
			else
				r = plat_as_map(t->tg->as, old_end, new_end - old_end,
						PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE, -1, 0);
			if (r == 0) {
				/* merges with the heap VMA when there is one */
				struct mm_vma h = { .start = old_end, .end = new_end,
						    .prot = PROT_READ | PROT_WRITE,
						    .kind = MM_VMA_HEAP | MM_VMA_ACCOUNT };

				snprintf(h.name, sizeof(h.name), "[heap]");
				r = mm_vma_insert(s, &h);
			}
		} else if (new_end < old_end) {
			r = plat_as_unmap(t->tg->as, new_end, old_end - new_end);
			if (r == 0)
				r = mm_vma_unmap(s, new_end, old_end);
		}
		if (r == 0)
			ret = s->brk = want;
	}
	pthread_mutex_unlock(&s->lock);
	return (int64_t)ret;
}

#define MAP_KNOWN                                                                           \
	(MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE | MAP_FIXED | MAP_ANONYMOUS |       \
	 MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |      \
	 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_FIXED_NOREPLACE)

/* Private file mapping: anonymous memory filled with the file's bytes. */
static int fill_from_file(struct task *t, struct file *f, uint64_t addr, uint64_t len,
			  uint64_t off)
{
	_cleanup_free_ uint8_t *buf = malloc(65536);
	uint64_t done = 0;
	int64_t pos = (int64_t)off;

	if (!buf)
		return -ENOMEM;
	while (done < len) {
		ssize_t n = f->ops->read(f, t, buf, MIN((uint64_t)65536, len - done), &pos);

		if (n < 0)
			return (int)n;
		if (n == 0)
			break; /* past EOF: zeros (and SIGBUS beyond the last page) */
		if (plat_as_write(t->tg->as, addr + done, buf, (size_t)n) != n)
			return -EFAULT;
		done += (uint64_t)n;
	}
	return 0;
}

/* dev/ino/size/name of the file @f for its VMA. */
static void describe_file(struct task *t, struct file *f, struct mm_vma *nv)
{
	nv->kind |= MM_VMA_FILE;
	if (f->path.v) {
		struct stat st;
		struct path root;

		vnode_stat(f->path.v, &st);
		nv->dev = st.st_dev;
		nv->ino = st.st_ino;
		nv->file_size = (uint64_t)st.st_size;
		pthread_mutex_lock(&t->fs->lock);
		root = path_get(t->fs->root);
		pthread_mutex_unlock(&t->fs->lock);
		if (vfs_path_string(root, f->path, nv->name, sizeof(nv->name)) < 0)
			nv->name[0] = 0;
		path_put(&root);
	}
}

/*
 * The checks Linux makes on the file of a mapping, in its order, and the
 * backing chosen for it: /dev/zero is anonymous memory (*@ret_f stays NULL),
 * files with a host fd for their data map that fd (nv->shm: tmpfs's memfd
 * for any mapping, goferfs's read-only donated fd for private and read-only
 * shared ones), other regular files get a private copy (shared only when
 * read-only).
 */
static int mmap_file_checks(struct task *t, int fd, int shared, int prot, struct file **ret_f,
			    struct mm_vma *nv)
{
	struct file *f = fdt_lookup(t->fdt, fd);
	struct vnode *v;
	int r = 0, hfd;

	if (!f)
		return -EBADF;
	v = f->path.v;
	if ((shared && (prot & PROT_WRITE) && !file_writable(f)) || !file_readable(f))
		r = -EACCES;
	else if (!v || !f->ops->read ||
		 !(S_ISREG(v->mode) || (S_ISCHR(v->mode) && v->rdev == makedev(1, 5))))
		r = -ENODEV;
	if (r < 0 || S_ISCHR(v->mode)) { /* /dev/zero: anonymous memory */
		file_put(f);
		return r;
	}
	hfd = v->ops->mmap_fd ? v->ops->mmap_fd(v) : -EOPNOTSUPP;
	if (hfd != -EOPNOTSUPP) {
		r = hfd < 0 ? hfd : mm_shm_from_file(hfd, &nv->shm);
	} else if (shared && file_writable(f)) {
		r = -ENODEV; /* no shared writable mappings of read-only host files */
	} else if (f->ops->mmap_fd) {
		hfd = f->ops->mmap_fd(f);
		if (hfd >= 0)
			r = mm_shm_from_file(hfd, &nv->shm);
	}
	if (r < 0) {
		file_put(f);
		return r;
	}
	if (shared) {
		nv->kind |= MM_VMA_SHARED;
		if (!file_writable(f) || !nv->shm)
			nv->kind |= MM_VMA_NOWRITE;
	}
	describe_file(t, f, nv);
	*ret_f = f;
	return 0;
}

int64_t sys_mmap(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = a[1], off = a[5];
	int prot = (int)a[2], flags = (int)a[3], fd = (int)a[4];
	struct mm *s = t->tg->mm;
	struct file *f = NULL;
	struct mm_vma nv = { 0 };
	int r = 0, type = flags & (MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE);

	if (!s)
		return -ENOMEM;
	if (len == 0 || (off & (PAGE - 1)))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN))
		return -EOPNOTSUPP;
	if (prot & ~(PROT_RWX | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (len > plat_app_limit())
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE);
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & (PAGE - 1)))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		r = mmap_file_checks(t, fd, type != MAP_PRIVATE, prot, &f, &nv);
		if (r < 0)
			return r;
	}

	pthread_mutex_lock(&s->lock);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr < PLAT_APP_MIN || addr + len > plat_app_limit() || addr + len < addr) {
			r = -ENOMEM;
			goto out;
		}
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) &&
		    mm_vma_overlaps(s, addr, addr + len)) {
			r = -EEXIST;
			goto out;
		}
	} else {
		addr = ALIGN_DOWN(addr, PAGE);
		if (!addr || addr < PLAT_APP_MIN || addr + len > MMAP_TOP ||
		    mm_vma_overlaps(s, addr, addr + len))
			addr = mm_vma_find_gap(s, len, PLAT_APP_MIN, MMAP_TOP);
		if (!addr) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (over_as_limit(t, s, (flags & MAP_FIXED) ? addr : 0, len)) {
		r = -ENOMEM;
		goto out;
	}
	if (type != MAP_PRIVATE && !f) {
		/* shared anonymous (or /dev/zero): a memfd, shared with children by fork */
		r = mm_shm_new(len, &nv.shm);
		if (r < 0)
			goto out;
		nv.kind |= MM_VMA_SHARED;
		off = 0;
	}
	if (nv.shm) {
		/* a memfd: anonymous shared memory or a file's data */
		r = plat_as_map(t->tg->as, addr, len, prot & PROT_RWX,
				(nv.kind & MM_VMA_SHARED) ? PLAT_MAP_SHARED : PLAT_MAP_PRIVATE,
				nv.shm->fd, off);
		nv.off = off;
	} else {
		r = plat_as_map(t->tg->as, addr, len, (prot & PROT_RWX) | (f ? PROT_WRITE : 0),
				PLAT_MAP_PRIVATE, -1, 0);
		if (r == 0 && f) {
			/* a copy of the file's bytes */
			r = fill_from_file(t, f, addr, len, off);
			if (r == 0 && !(prot & PROT_WRITE))
				r = plat_as_protect(t->tg->as, addr, len, prot & PROT_RWX);
			nv.off = off;
		}
	}
	if (r == 0) {
		nv.start = addr;
		nv.end = addr + len;
		nv.prot = prot & PROT_RWX;
		if (type == MAP_PRIVATE && (prot & PROT_WRITE))
			nv.kind |= MM_VMA_ACCOUNT;
		r = mm_vma_insert(s, &nv);
		nv.shm = NULL; /* taken over */
	}
out:
	pthread_mutex_unlock(&s->lock);
	mm_shm_put(nv.shm);
	file_put(f);
	return r < 0 ? r : (int64_t)addr;
}

int64_t sys_munmap(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = ALIGN_UP(a[1], PAGE);
	struct mm *s = t->tg->mm;
	int r;

	if ((addr & (PAGE - 1)) || a[1] == 0 || !s)
		return -EINVAL;
	if (addr >= plat_app_limit() || len > plat_app_limit() - addr)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	r = mm_vma_overlaps(s, addr, addr + len) ? plat_as_unmap(t->tg->as, addr, len) : 0;
	if (r == 0)
		r = mm_vma_unmap(s, addr, addr + len);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int64_t sys_mprotect(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = ALIGN_UP(a[1], PAGE);
	int prot = (int)a[2];
	struct mm *s = t->tg->mm;
	int r;

	if ((addr & (PAGE - 1)) || !s)
		return -EINVAL;
	if (prot & ~(PROT_RWX | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (addr >= plat_app_limit() || len > plat_app_limit() - addr)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	if (!mm_vma_covered(s, addr, addr + len)) {
		pthread_mutex_unlock(&s->lock);
		return -ENOMEM;
	}
	r = 0;
	if (prot & PROT_WRITE)
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].start < addr + len && s->v[i].end > addr &&
			    (s->v[i].kind & MM_VMA_NOWRITE))
				r = -EACCES; /* shared map of a read-only file */
	if (r == 0)
		r = plat_as_protect(t->tg->as, addr, len, prot & PROT_RWX);
	if (r == 0)
		r = mm_vma_protect(s, addr, addr + len, prot & PROT_RWX);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int64_t sys_madvise(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = ALIGN_UP(a[1], PAGE);
	int advice = (int)a[2];
	struct mm *s = t->tg->mm;
	int r = 0;

	if ((addr & (PAGE - 1)) || !s)
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_FREE: case MADV_MERGEABLE:
	case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP:
	case MADV_DODUMP: case MADV_COLD: case MADV_PAGEOUT:
		break;
	case MADV_DONTFORK:
	case MADV_DOFORK:
		pthread_mutex_lock(&s->lock);
		if (len && !mm_vma_covered(s, addr, addr + len))
			r = -ENOMEM;
		else if (len)
			r = mm_vma_set_kind(s, addr, addr + len,
					    advice == MADV_DONTFORK ? MM_VMA_DONTFORK : 0,
					    advice == MADV_DONTFORK ? 0 : MM_VMA_DONTFORK);
		pthread_mutex_unlock(&s->lock);
		return r;
	case MADV_DONTNEED:
		/* Private memory reads back as zeros: give it fresh pages. */
		pthread_mutex_lock(&s->lock);
		for (size_t i = 0; i < s->n && r == 0; i++) {
			struct mm_vma *v = &s->v[i];
			uint64_t st = MAX(v->start, addr), en = MIN(v->end, addr + len);

			if (st >= en || (v->kind & MM_VMA_SHARED))
				continue;
			if (v->shm) /* private map of a file's memfd: the file again */
				r = plat_as_map(t->tg->as, st, en - st, v->prot, PLAT_MAP_PRIVATE,
						v->shm->fd, v->off + (st - v->start));
			else if (!(v->kind & MM_VMA_FILE))
				r = plat_as_map(t->tg->as, st, en - st, v->prot, PLAT_MAP_PRIVATE,
						-1, 0);
		}
		pthread_mutex_unlock(&s->lock);
		break;
	default:
		return -EINVAL;
	}
	pthread_mutex_lock(&s->lock);
	if (r == 0 && len && !mm_vma_covered(s, addr, addr + len))
		r = -ENOMEM;
	pthread_mutex_unlock(&s->lock);
	return r;
}
