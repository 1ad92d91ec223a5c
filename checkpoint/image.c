/* SPDX-License-Identifier: Apache-2.0 */
/* The checkpoint image: manifest, state.pb and pages.img (image.h). */
#include "checkpoint/image.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "lib/macro.h"

#define APP_MIN 0x10000ULL
#define APP_LIMIT (1ULL << 47)

static int fail(struct img_error *err, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct img_error *err, int r, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return r;
}

uint64_t img_host_xfeatures(void)
{
	unsigned a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t img_hash(const void *buf, size_t len)
{
	return XXH3_64bits(buf, len);
}

int img_hash_fd(int fd, uint64_t size, uint64_t *ret)
{
	XXH3_state_t *st = XXH3_createState();
	size_t bufsz = 1u << 20;
	uint8_t *buf = malloc(bufsz);
	uint64_t off = 0;
	int r = 0;

	if (!st || !buf) {
		r = -ENOMEM;
		goto out;
	}
	XXH3_64bits_reset(st);
	while (off < size) {
		ssize_t n = pread(fd, buf, MIN((uint64_t)bufsz, size - off), (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			goto out;
		}
		XXH3_64bits_update(st, buf, (size_t)n);
		off += (uint64_t)n;
	}
	*ret = XXH3_64bits_digest(st);
out:
	XXH3_freeState(st);
	free(buf);
	return r;
}

int img_manifest_format(const struct img_manifest *m, char **ret, size_t *ret_len)
{
	char body[1024], *out;
	int n, n2;

	n = snprintf(body, sizeof(body),
		     "cvisor-checkpoint %" PRIu32 "\n"
		     "arch %s\n"
		     "xfeatures 0x%" PRIx64 "\n"
		     "created %" PRIu64 "\n"
		     "part " IMG_STATE " %" PRIu64 " xxh3:%016" PRIx64 "\n"
		     "part " IMG_PAGES " %" PRIu64 " xxh3:%016" PRIx64 "\n",
		     m->version, m->arch, m->xfeatures, m->created, m->state_size, m->state_hash,
		     m->pages_size, m->pages_hash);
	if (n < 0 || (size_t)n >= sizeof(body))
		return -EINVAL;
	out = malloc((size_t)n + 64);
	if (!out)
		return -ENOMEM;
	n2 = snprintf(out, (size_t)n + 64, "%send xxh3:%016" PRIx64 "\n", body,
		      img_hash(body, (size_t)n));
	*ret = out;
	*ret_len = (size_t)n2;
	return 0;
}

/* Next line of [*p, end) into @line (NUL-terminated); 0 at the end. */
static int next_line(const char **p, const char *end, char *line, size_t cap)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		return -EBADMSG; /* every line ends with a newline */
	n = (size_t)(nl - *p);
	if (n >= cap || memchr(*p, 0, n))
		return -EBADMSG;
	memcpy(line, *p, n);
	line[n] = 0;
	*p = nl + 1;
	return 1;
}

int img_manifest_parse(const char *text, size_t len, struct img_manifest *ret,
		       struct img_error *err)
{
	struct img_manifest m = { 0 };
	const char *p = text, *end = text + len, *body_end = NULL;
	unsigned seen = 0;
	uint64_t end_hash = 0;
	char line[256];
	int r;

	if (len > IMG_MANIFEST_MAX)
		return fail(err, -EBADMSG, "manifest: larger than %d bytes", IMG_MANIFEST_MAX);
	while ((r = next_line(&p, end, line, sizeof(line))) > 0) {
		char name[32], extra;
		uint64_t a, b;

		if (seen & (1u << 6))
			return fail(err, -EBADMSG, "manifest: text after the end line");
		if (!(seen & 1)) {
			unsigned v;

			if (sscanf(line, "cvisor-checkpoint %u%c", &v, &extra) != 1)
				return fail(err, -EBADMSG, "manifest: not a cvisor checkpoint image");
			m.version = v;
			if (v != IMG_FORMAT_VERSION)
				return fail(err, -EPROTONOSUPPORT,
					    "image format version %u, this cvisor reads version %d",
					    v, IMG_FORMAT_VERSION);
			seen |= 1;
		} else if (sscanf(line, "arch %15s%c", m.arch, &extra) == 1) {
			seen |= 2;
		} else if (sscanf(line, "xfeatures %" SCNx64 "%c", &m.xfeatures, &extra) == 1) {
			seen |= 4;
		} else if (sscanf(line, "created %" SCNu64 "%c", &m.created, &extra) == 1) {
			seen |= 8;
		} else if (sscanf(line, "part %31s %" SCNu64 " xxh3:%" SCNx64 "%c", name, &a, &b,
				  &extra) == 3) {
			if (!strcmp(name, IMG_STATE) && !(seen & 16)) {
				m.state_size = a, m.state_hash = b;
				seen |= 16;
			} else if (!strcmp(name, IMG_PAGES) && !(seen & 32)) {
				m.pages_size = a, m.pages_hash = b;
				seen |= 32;
			} else {
				return fail(err, -EBADMSG, "manifest: unknown or repeated part '%s'",
					    name);
			}
		} else if (sscanf(line, "end xxh3:%" SCNx64 "%c", &end_hash, &extra) == 1) {
			body_end = p - strlen(line) - 1;
			seen |= 64;
		} else {
			return fail(err, -EBADMSG, "manifest: bad line '%.60s'", line);
		}
	}
	if (r < 0)
		return fail(err, r, "manifest: truncated or malformed line");
	if (!(seen & 1))
		return fail(err, -EBADMSG, "manifest: empty");
	if (seen != 127)
		return fail(err, -EBADMSG, "manifest: incomplete (missing %s)",
			    !(seen & 64) ? "the end line (truncated?)" : "a field");
	if (img_hash(text, (size_t)(body_end - text)) != end_hash)
		return fail(err, -EBADMSG, "manifest: checksum mismatch (corrupt)");
	if (strcmp(m.arch, IMG_ARCH))
		return fail(err, -EXDEV, "image is for architecture %s, this host is %s", m.arch,
			    IMG_ARCH);
	if (m.pages_size % IMG_PAGE)
		return fail(err, -EBADMSG, "manifest: pages.img size is not page aligned");
	if (m.state_size > IMG_STATE_MAX)
		return fail(err, -EFBIG, "manifest: state.pb too large");
	*ret = m;
	return 0;
}

int img_check_host(const struct img_manifest *m, struct img_error *err)
{
	uint64_t host = img_host_xfeatures();

	if (m->xfeatures & ~host)
		return fail(err, -EXDEV,
			    "image uses XSAVE features 0x%" PRIx64 ", this CPU has 0x%" PRIx64,
			    m->xfeatures, host);
	return 0;
}

void img_state_free(ImgState *s)
{
	if (s)
		cvisor__ckpt__image__free_unpacked(s, NULL);
}

static int check_pending(const Cvisor__Ckpt__SigPending *p, const char *what, int32_t id,
			 struct img_error *err)
{
	if (!p)
		return 0;
	if (p->n_infos > 4096)
		return fail(err, -EBADMSG, "state: %s %d: too many pending signals", what, id);
	for (size_t i = 0; i < p->n_infos; i++)
		if (p->infos[i].len != 128)
			return fail(err, -EBADMSG, "state: %s %d: bad siginfo", what, id);
	return 0;
}

#define HAS_ID(arr, n, want, found)                                                          \
	do {                                                                                 \
		found = 0;                                                                   \
		for (size_t _i = 0; _i < (n); _i++)                                          \
			if ((arr)[_i]->id == (want))                                         \
				found = 1;                                                   \
	} while (0)

/* An absolute path of an in-memory file (FsEntry.path): "/" then components
 * that are neither empty, "." nor ".." (no "//", no trailing "/"). */
static int fs_path_ok(const char *p)
{
	size_t len = strlen(p);

	if (len < 2 || len >= 4096 || p[0] != '/' || p[len - 1] == '/')
		return 0;
	for (const char *c = p + 1; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || n > 255 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		c += n;
		if (*c == '/')
			c++;
	}
	return 1;
}

static int check_fs_entries(const ImgState *s, struct img_error *err)
{
	uint64_t total = 0;

	if (s->n_fs_entries > IMG_FS_ENTRIES_MAX)
		return fail(err, -EBADMSG, "state: too many file system entries");
	for (size_t i = 0; i < s->n_fs_entries; i++) {
		const Cvisor__Ckpt__FsEntry *e = s->fs_entries[i];

		if (!fs_path_ok(e->path))
			return fail(err, -EBADMSG, "state: fs entry %zu: bad path", i);
		if ((e->mode & ~07777u) || e->kind < CVISOR__CKPT__FS_ENTRY__KIND__DIRECTORY ||
		    e->kind > CVISOR__CKPT__FS_ENTRY__KIND__OPAQUE_DIRECTORY)
			return fail(err, -EBADMSG, "state: fs entry %zu: bad kind or mode", i);
		if (e->kind != CVISOR__CKPT__FS_ENTRY__KIND__REGULAR && e->data.len)
			return fail(err, -EBADMSG, "state: fs entry %zu: data on a non-file", i);
		if (e->kind == CVISOR__CKPT__FS_ENTRY__KIND__SYMLINK
			    ? (!e->target[0] || strlen(e->target) >= 4096)
			    : e->target[0] != 0)
			return fail(err, -EBADMSG, "state: fs entry %zu: bad symlink target", i);
		total += e->data.len;
		if (total > IMG_FS_DATA_MAX)
			return fail(err, -EBADMSG, "state: file system data too large");
	}
	return 0;
}

int img_state_check(const ImgState *s, uint64_t pages_size, struct img_error *err)
{
	uint64_t npages = pages_size / IMG_PAGE;
	int found, r;

	if (s->n_groups == 0)
		return fail(err, -EBADMSG, "state: no processes");
	if (s->n_groups > 4096 || s->n_mms > 4096 || s->n_files > 65536 || s->n_pipes > 65536 ||
	    s->n_fd_tables > 65536 || s->n_fs_contexts > 65536)
		return fail(err, -EBADMSG, "state: too many objects");
	if (s->next_tid < 0 || s->next_tid >= IMG_PID_MAX || s->init_tgid < 0 ||
	    s->init_tgid >= IMG_PID_MAX || strlen(s->hostname) > 64)
		return fail(err, -EBADMSG, "state: bad kernel fields");
	for (size_t i = 0; i < s->n_mms; i++) {
		const Cvisor__Ckpt__Mm *m = s->mms[i];
		uint64_t prev = 0;

		for (size_t j = 0; j < i; j++)
			if (s->mms[j]->id == m->id)
				return fail(err, -EBADMSG, "state: mm %u twice", m->id);
		if (m->n_vmas > 65536)
			return fail(err, -EBADMSG, "state: mm %u: too many VMAs", m->id);
		for (size_t j = 0; j < m->n_vmas; j++) {
			const Cvisor__Ckpt__Vma *v = m->vmas[j];

			if (v->start % IMG_PAGE || v->end % IMG_PAGE || v->start >= v->end ||
			    v->start < APP_MIN || v->end > APP_LIMIT || v->start < prev ||
			    (v->prot & ~7) || strlen(v->name) > 255)
				return fail(err, -EBADMSG, "state: mm %u: bad VMA %zu", m->id, j);
			/* MM_VMA_SHARED (1): read-only file maps (MM_VMA_FILE 2,
			 * MM_VMA_NOWRITE 32) by path, or anonymous shared memory
			 * (shm_id: img_shm_check) */
			if ((v->kind & 1) && !v->shm_id &&
			    ((v->kind & 34) != 34 || (v->prot & 2) || v->name[0] != '/' ||
			     v->off % IMG_PAGE))
				return fail(err, -EBADMSG, "state: mm %u: bad shared VMA %zu", m->id,
					    j);
			prev = v->end;
		}
		for (size_t j = 0; j < m->n_runs; j++) {
			const Cvisor__Ckpt__PageRun *pr = m->runs[j];
			uint64_t len = pr->npages * IMG_PAGE;
			int inside = 0;

			if (!pr->npages || pr->npages > npages || pr->page_index > npages - pr->npages ||
			    pr->addr % IMG_PAGE)
				return fail(err, -EBADMSG,
					    "state: mm %u: page run %zu outside pages.img "
					    "(truncated image?)", m->id, j);
			for (size_t k = 0; k < m->n_vmas; k++)
				if (pr->addr >= m->vmas[k]->start && pr->addr < m->vmas[k]->end &&
				    len <= m->vmas[k]->end - pr->addr)
					inside = 1;
			for (size_t k = 0; k < m->n_vmas; k++)
				if ((m->vmas[k]->kind & 1) && pr->addr < m->vmas[k]->end &&
				    pr->addr + len > m->vmas[k]->start)
					inside = 0; /* shared maps have no saved pages */
			if (!inside)
				return fail(err, -EBADMSG, "state: mm %u: page run %zu outside its VMA",
					    m->id, j);
		}
	}
	if ((r = img_shm_check(s, npages, err)) < 0)
		return r;
	for (size_t i = 0; i < s->n_pipes; i++) {
		if (s->pipes[i]->data.len > s->pipes[i]->capacity ||
		    s->pipes[i]->capacity > (1u << 20) || s->pipes[i]->capacity < 4096)
			return fail(err, -EBADMSG, "state: pipe %u: bad buffer", s->pipes[i]->id);
	}
	for (size_t i = 0; i < s->n_files; i++) {
		const Cvisor__Ckpt__File *f = s->files[i];

		for (size_t j = 0; j < i; j++)
			if (s->files[j]->id == f->id)
				return fail(err, -EBADMSG, "state: file %u twice", f->id);
		switch (f->kind) {
		case CVISOR__CKPT__FILE__KIND__REGULAR:
		case CVISOR__CKPT__FILE__KIND__DIRECTORY:
		case CVISOR__CKPT__FILE__KIND__DEVICE:
			if (f->path[0] != '/' || strlen(f->path) >= 4096)
				return fail(err, -EBADMSG, "state: file %u: bad path", f->id);
			break;
		case CVISOR__CKPT__FILE__KIND__PIPE:
			HAS_ID(s->pipes, s->n_pipes, f->pipe_id, found);
			if (!found)
				return fail(err, -EBADMSG, "state: file %u: no pipe %u", f->id,
					    f->pipe_id);
			break;
		case CVISOR__CKPT__FILE__KIND__EVENTFD:
			if (f->counter >= UINT64_MAX - 1 || (f->flags & O_ACCMODE) != O_RDWR)
				return fail(err, -EBADMSG, "state: file %u: bad eventfd", f->id);
			break;
		case CVISOR__CKPT__FILE__KIND__STDIO:
			if (f->stdio_slot < 0 || f->stdio_slot > 2)
				return fail(err, -EBADMSG, "state: file %u: bad stdio slot", f->id);
			break;
		default:
			return fail(err, -EBADMSG, "state: file %u: unknown kind %d", f->id, f->kind);
		}
	}
	for (size_t i = 0; i < s->n_fd_tables; i++) {
		const Cvisor__Ckpt__FdTable *t = s->fd_tables[i];

		if (t->n_fds > 65536)
			return fail(err, -EBADMSG, "state: fd table %u: too many fds", t->id);
		for (size_t j = 0; j < t->n_fds; j++) {
			if (t->fds[j]->fd < 0 || t->fds[j]->fd >= 1 << 20 ||
			    (j > 0 && t->fds[j]->fd <= t->fds[j - 1]->fd))
				return fail(err, -EBADMSG, "state: fd table %u: bad fd", t->id);
			HAS_ID(s->files, s->n_files, t->fds[j]->file_id, found);
			if (!found)
				return fail(err, -EBADMSG, "state: fd table %u: no file %u", t->id,
					    t->fds[j]->file_id);
		}
	}
	r = check_fs_entries(s, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->n_fs_contexts; i++)
		if (s->fs_contexts[i]->cwd[0] != '/' || s->fs_contexts[i]->root[0] != '/' ||
		    strlen(s->fs_contexts[i]->cwd) >= 4096 || strlen(s->fs_contexts[i]->root) >= 4096)
			return fail(err, -EBADMSG, "state: fs context %u: bad path",
				    s->fs_contexts[i]->id);
	for (size_t i = 0; i < s->n_groups; i++) {
		const Cvisor__Ckpt__ThreadGroup *g = s->groups[i];
		int parent_found = g->parent_tgid == 0;

		if (g->tgid <= 0 || g->tgid >= IMG_PID_MAX || g->pgid <= 0 ||
		    g->pgid >= IMG_PID_MAX || g->sid <= 0 || g->sid >= IMG_PID_MAX ||
		    g->parent_tgid < 0 || g->exit_signal < 0 || g->exit_signal > 64)
			return fail(err, -EBADMSG, "state: process %d: bad ids", g->tgid);
		for (size_t j = 0; j < i; j++) {
			if (s->groups[j]->tgid == g->tgid)
				return fail(err, -EBADMSG, "state: process %d twice", g->tgid);
			if (s->groups[j]->tgid == g->parent_tgid)
				parent_found = 1;
		}
		if (!parent_found)
			return fail(err, -EBADMSG, "state: process %d: parent %d not before it",
				    g->tgid, g->parent_tgid);
		if (g->zombie) {
			if (g->n_tasks || !g->parent_tgid || strlen(g->comm) > 15)
				return fail(err, -EBADMSG, "state: zombie %d: bad fields", g->tgid);
			continue;
		}
		HAS_ID(s->mms, s->n_mms, g->mm_id, found);
		if (!found)
			return fail(err, -EBADMSG, "state: process %d: no mm %u", g->tgid, g->mm_id);
		if (g->n_rlimits != 16 || g->n_actions != 64 || g->n_auxv > 48 ||
		    strlen(g->comm) > 15 || strlen(g->exe) >= 4096 || g->cmdline.len > (1u << 20) ||
		    g->environ.len > (1u << 20))
			return fail(err, -EBADMSG, "state: process %d: bad fields", g->tgid);
		for (size_t j = 0; j < 64; j++)
			if (!g->actions[j])
				return fail(err, -EBADMSG, "state: process %d: bad action", g->tgid);
		for (size_t j = 0; j < 16; j++)
			if (!g->rlimits[j] || g->rlimits[j]->cur > g->rlimits[j]->max)
				return fail(err, -EBADMSG, "state: process %d: bad rlimit", g->tgid);
		if ((r = check_pending(g->shared_pending, "process", g->tgid, err)) < 0)
			return r;
		if (g->n_tasks == 0 || g->n_tasks > 4096)
			return fail(err, -EBADMSG, "state: process %d: no threads", g->tgid);
		for (size_t j = 0; j < g->n_tasks; j++) {
			const Cvisor__Ckpt__Task *t = g->tasks[j];

			if (t->tid <= 0 || t->tid >= IMG_PID_MAX || (j == 0 && t->tid != g->tgid))
				return fail(err, -EBADMSG, "state: process %d: bad thread id",
					    g->tgid);
			for (size_t a = 0; a < i; a++)
				for (size_t b = 0; b < s->groups[a]->n_tasks; b++)
					if (s->groups[a]->tasks[b]->tid == t->tid)
						return fail(err, -EBADMSG, "state: tid %d twice",
							    t->tid);
			for (size_t b = 0; b < j; b++)
				if (g->tasks[b]->tid == t->tid)
					return fail(err, -EBADMSG, "state: tid %d twice", t->tid);
			if (!t->creds || t->creds->n_groups > 64 || t->regs.len != IMG_REGS_SIZE ||
			    t->fpstate.len > IMG_FP_MAX || (t->fpstate.len && t->fpstate.len < 512) ||
			    t->n_affinity > 16 || t->nice < -20 || t->nice > 19)
				return fail(err, -EBADMSG, "state: thread %d: bad fields", t->tid);
			if (t->syscall_restart &&
			    (t->syscall_restart < -516 || t->syscall_restart > -512 ||
			     t->syscall_restart == -515))
				return fail(err, -EBADMSG, "state: thread %d: bad restart code",
					    t->tid);
			if ((r = check_pending(t->pending, "thread", t->tid, err)) < 0)
				return r;
			HAS_ID(s->fd_tables, s->n_fd_tables, t->fd_table_id, found);
			if (!found)
				return fail(err, -EBADMSG, "state: thread %d: no fd table", t->tid);
			HAS_ID(s->fs_contexts, s->n_fs_contexts, t->fs_id, found);
			if (!found)
				return fail(err, -EBADMSG, "state: thread %d: no fs context", t->tid);
		}
	}
	if (s->init_tgid) {
		int ok = 0;

		for (size_t i = 0; i < s->n_groups; i++)
			ok |= s->groups[i]->tgid == s->init_tgid;
		if (!ok)
			return fail(err, -EBADMSG, "state: pid 1 missing");
	}
	return 0;
}

int img_state_parse(const void *buf, size_t len, uint64_t pages_size, ImgState **ret,
		    struct img_error *err)
{
	ImgState *s;
	int r;

	if (len > IMG_STATE_MAX)
		return fail(err, -EFBIG, "state.pb: too large");
	s = cvisor__ckpt__image__unpack(NULL, len, buf);
	if (!s)
		return fail(err, -EBADMSG, "state.pb: not a valid Image message (corrupt)");
	r = img_state_check(s, pages_size, err);
	if (r < 0) {
		img_state_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_file_at(int dfd, const char *name, const void *buf, size_t len)
{
	_cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	return r;
}

int img_write(const char *dir, const void *state, size_t state_len, uint64_t xfeatures,
	      struct img_error *err)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int pfd = -EBADF;
	_cleanup_free_ char *text = NULL;
	struct img_manifest m = { .version = IMG_FORMAT_VERSION, .xfeatures = xfeatures };
	struct stat st;
	size_t tlen;
	int r;

	if (dfd < 0)
		return fail(err, -errno, "%s: %s", dir, strerror(errno));
	snprintf(m.arch, sizeof(m.arch), "%s", IMG_ARCH);
	m.created = (uint64_t)time(NULL);
	pfd = openat(dfd, IMG_PAGES, O_RDONLY | O_CLOEXEC);
	if (pfd < 0 || fstat(pfd, &st) < 0)
		return fail(err, -errno, "%s/" IMG_PAGES ": %s", dir, strerror(errno));
	m.pages_size = (uint64_t)st.st_size;
	r = img_hash_fd(pfd, m.pages_size, &m.pages_hash);
	if (r < 0)
		return fail(err, r, "%s/" IMG_PAGES ": %s", dir, strerror(-r));
	m.state_size = state_len;
	m.state_hash = img_hash(state, state_len);
	r = write_file_at(dfd, IMG_STATE, state, state_len);
	if (r < 0)
		return fail(err, r, "%s/" IMG_STATE ": %s", dir, strerror(-r));
	r = img_manifest_format(&m, &text, &tlen);
	if (r < 0)
		return fail(err, r, "manifest: %s", strerror(-r));
	r = write_file_at(dfd, IMG_MANIFEST ".tmp", text, tlen);
	if (r == 0 && renameat(dfd, IMG_MANIFEST ".tmp", dfd, IMG_MANIFEST) < 0)
		r = -errno;
	if (r < 0)
		return fail(err, r, "%s/" IMG_MANIFEST ": %s", dir, strerror(-r));
	return 0;
}

/* The whole of @name in @dfd, at most @max bytes. */
static int read_file_at(int dfd, const char *name, size_t max, void **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	size_t off = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = 0;
	*ret = TAKE_PTR(buf);
	*ret_len = off;
	return 0;
}

void img_close(struct img *im)
{
	if (!im)
		return;
	img_state_free(im->state);
	free(im->state_buf);
	if (im->pages_fd >= 0)
		close(im->pages_fd);
	free(im);
}

int img_open(const char *dir, unsigned flags, struct img **ret, struct img_error *err)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	struct img *im = NULL;
	struct stat st;
	size_t tlen;
	uint64_t h;
	int r;

	if (dfd < 0)
		return fail(err, -errno, "%s: %s", dir, strerror(errno));
	r = read_file_at(dfd, IMG_MANIFEST, IMG_MANIFEST_MAX, (void **)&text, &tlen);
	if (r < 0)
		return fail(err, r, "%s/" IMG_MANIFEST ": %s", dir,
			    r == -ENOENT ? "missing (not an image, or an incomplete one)"
					 : strerror(-r));
	im = calloc(1, sizeof(*im));
	if (!im)
		return -ENOMEM;
	im->pages_fd = -1;
	r = img_manifest_parse(text, tlen, &im->m, err);
	if (r == 0)
		r = img_check_host(&im->m, err);
	if (r < 0)
		goto fail;
	r = read_file_at(dfd, IMG_STATE, IMG_STATE_MAX, &im->state_buf, &im->state_len);
	if (r < 0) {
		fail(err, r, "%s/" IMG_STATE ": %s", dir, strerror(-r));
		goto fail;
	}
	if (im->state_len != im->m.state_size) {
		r = fail(err, -EBADMSG, IMG_STATE ": %zu bytes, the manifest says %" PRIu64
			 " (truncated?)", im->state_len, im->m.state_size);
		goto fail;
	}
	if (img_hash(im->state_buf, im->state_len) != im->m.state_hash) {
		r = fail(err, -EBADMSG, IMG_STATE ": checksum mismatch (corrupt)");
		goto fail;
	}
	im->pages_fd = openat(dfd, IMG_PAGES, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (im->pages_fd < 0 || fstat(im->pages_fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = fail(err, im->pages_fd < 0 ? -errno : -EINVAL, "%s/" IMG_PAGES ": %s", dir,
			 im->pages_fd < 0 ? strerror(errno) : "not a regular file");
		goto fail;
	}
	if ((uint64_t)st.st_size != im->m.pages_size) {
		r = fail(err, -EBADMSG, IMG_PAGES ": %" PRIu64 " bytes, the manifest says %" PRIu64
			 " (truncated?)", (uint64_t)st.st_size, im->m.pages_size);
		goto fail;
	}
	if (flags & IMG_VERIFY_PAGES) {
		r = img_hash_fd(im->pages_fd, im->m.pages_size, &h);
		if (r < 0) {
			fail(err, r, IMG_PAGES ": %s", strerror(-r));
			goto fail;
		}
		if (h != im->m.pages_hash) {
			r = fail(err, -EBADMSG, IMG_PAGES ": checksum mismatch (corrupt)");
			goto fail;
		}
	}
	r = img_state_parse(im->state_buf, im->state_len, im->m.pages_size, &im->state, err);
	if (r < 0)
		goto fail;
	*ret = im;
	return 0;
fail:
	img_close(im);
	return r;
}
