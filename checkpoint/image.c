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
#include <zstd.h>

#include "lib/macro.h"

#define APP_MIN 0x10000ULL
#define APP_LIMIT (1ULL << 47)

int img_fail(struct img_error *err, int r, const char *fmt, ...)
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

/* A part line ("part NAME SIZE xxh3:HASH[ zstd RAW]") into @buf. */
static int format_part(char *buf, size_t cap, const char *name, uint64_t size, uint64_t hash,
		       unsigned compress, uint64_t raw)
{
	int n = snprintf(buf, cap, "part %s %" PRIu64 " xxh3:%016" PRIx64, name, size, hash);

	if (n >= 0 && (size_t)n < cap && compress == IMG_COMPRESS_ZSTD)
		n += snprintf(buf + n, cap - (size_t)n, " zstd %" PRIu64, raw);
	if (n >= 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, "\n");
	return n < 0 || (size_t)n >= cap ? -EINVAL : n;
}

int img_manifest_format(const struct img_manifest *m, char **ret, size_t *ret_len)
{
	char body[1024], *out;
	int n, n2, r;

	n = snprintf(body, sizeof(body),
		     "cvisor-checkpoint %" PRIu32 "\n"
		     "arch %s\n"
		     "xfeatures 0x%" PRIx64 "\n"
		     "created %" PRIu64 "\n"
		     "part " IMG_STATE " %" PRIu64 " xxh3:%016" PRIx64 "\n",
		     m->version, m->arch, m->xfeatures, m->created, m->state_size, m->state_hash);
	if (n < 0 || (size_t)n >= sizeof(body))
		return -EINVAL;
	r = format_part(body + n, sizeof(body) - (size_t)n, IMG_PAGES, m->pages_size, m->pages_hash,
			m->pages_compress, m->pages_raw);
	if (r < 0)
		return r;
	n += r;
	if (m->has_files) {
		r = format_part(body + n, sizeof(body) - (size_t)n, IMG_FILES, m->files_size,
				m->files_hash, m->files_compress, m->files_raw);
		if (r < 0)
			return r;
		n += r;
	}
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
	struct img_manifest m = {0};
	const char *p = text, *end = text + len, *body_end = NULL;
	unsigned seen = 0;
	uint64_t end_hash = 0;
	char line[256];
	int r;

	if (len > IMG_MANIFEST_MAX)
		return img_fail(err, -EBADMSG, "manifest: larger than %d bytes", IMG_MANIFEST_MAX);
	while ((r = next_line(&p, end, line, sizeof(line))) > 0) {
		char name[32], extra;
		uint64_t a, b, raw = 0;
		int nf;

		if (seen & (1u << 6))
			return img_fail(err, -EBADMSG, "manifest: text after the end line");
		if (!(seen & 1)) {
			unsigned v;

			if (sscanf(line, "cvisor-checkpoint %u%c", &v, &extra) != 1)
				return img_fail(err, -EBADMSG,
						"manifest: not a cvisor checkpoint image");
			m.version = v;
			if (v < 1 || v > IMG_FORMAT_VERSION)
				return img_fail(
				    err, -EPROTONOSUPPORT,
				    "image format version %u, this cvisor reads versions 1-%d", v,
				    IMG_FORMAT_VERSION);
			seen |= 1;
			if (v < 2)
				seen |= 128; /* no files.img */
		} else if (sscanf(line, "arch %15s%c", m.arch, &extra) == 1) {
			seen |= 2;
		} else if (sscanf(line, "xfeatures %" SCNx64 "%c", &m.xfeatures, &extra) == 1) {
			seen |= 4;
		} else if (sscanf(line, "created %" SCNu64 "%c", &m.created, &extra) == 1) {
			seen |= 8;
		} else if ((nf = sscanf(line,
					"part %31s %" SCNu64 " xxh3:%" SCNx64 " zstd %" SCNu64 "%c",
					name, &a, &b, &raw, &extra)) == 4 ||
			   (nf = sscanf(line, "part %31s %" SCNu64 " xxh3:%" SCNx64 "%c", name, &a,
					&b, &extra)) == 3) {
			unsigned compress = nf == 4 ? IMG_COMPRESS_ZSTD : IMG_COMPRESS_NONE;

			if (nf == 3)
				raw = a;
			if (compress && (m.version < 2 || raw > IMG_RAW_MAX))
				return img_fail(err, -EBADMSG, "manifest: bad compressed part '%s'",
						name);
			if (!strcmp(name, IMG_STATE) && !(seen & 16) && !compress) {
				m.state_size = a, m.state_hash = b;
				seen |= 16;
			} else if (!strcmp(name, IMG_PAGES) && !(seen & 32)) {
				m.pages_size = a, m.pages_hash = b;
				m.pages_raw = raw, m.pages_compress = compress;
				seen |= 32;
			} else if (!strcmp(name, IMG_FILES) && !(seen & 128)) {
				m.files_size = a, m.files_hash = b;
				m.files_raw = raw, m.files_compress = compress;
				m.has_files = true;
				seen |= 128;
			} else {
				return img_fail(err, -EBADMSG,
						"manifest: unknown or repeated part '%s'", name);
			}
		} else if (sscanf(line, "end xxh3:%" SCNx64 "%c", &end_hash, &extra) == 1) {
			body_end = p - strlen(line) - 1;
			seen |= 64;
		} else {
			return img_fail(err, -EBADMSG, "manifest: bad line '%.60s'", line);
		}
	}
	if (r < 0)
		return img_fail(err, r, "manifest: truncated or malformed line");
	if (!(seen & 1))
		return img_fail(err, -EBADMSG, "manifest: empty");
	if (seen != 255)
		return img_fail(err, -EBADMSG, "manifest: incomplete (missing %s)",
				!(seen & 64) ? "the end line (truncated?)" : "a field");
	if (img_hash(text, (size_t)(body_end - text)) != end_hash)
		return img_fail(err, -EBADMSG, "manifest: checksum mismatch (corrupt)");
	if (strcmp(m.arch, IMG_ARCH))
		return img_fail(err, -EXDEV, "image is for architecture %s, this host is %s",
				m.arch, IMG_ARCH);
	if (m.pages_raw % IMG_PAGE)
		return img_fail(err, -EBADMSG, "manifest: pages.img size is not page aligned");
	if (m.files_raw > IMG_FILES_MAX)
		return img_fail(err, -EFBIG, "manifest: files.img larger than %llu GiB",
				(unsigned long long)(IMG_FILES_MAX >> 30));
	if (m.state_size > IMG_STATE_MAX)
		return img_fail(err, -EFBIG, "manifest: state.pb too large");
	*ret = m;
	return 0;
}

int img_check_host(const struct img_manifest *m, struct img_error *err)
{
	uint64_t host = img_host_xfeatures();

	if (m->xfeatures & ~host)
		return img_fail(err, -EXDEV,
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
		return img_fail(err, -EBADMSG, "state: %s %d: too many pending signals", what, id);
	for (size_t i = 0; i < p->n_infos; i++)
		if (p->infos[i].len != 128)
			return img_fail(err, -EBADMSG, "state: %s %d: bad siginfo", what, id);
	return 0;
}

#define HAS_ID(arr, n, want, found)                                                                \
	do {                                                                                       \
		found = 0;                                                                         \
		for (size_t _i = 0; _i < (n); _i++)                                                \
			if ((arr)[_i]->id == (want))                                               \
				found = 1;                                                         \
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
	uint64_t total = 0, in_files = 0;

	if (s->n_fs_entries > IMG_FS_ENTRIES_MAX)
		return img_fail(err, -EBADMSG, "state: too many file system entries");
	for (size_t i = 0; i < s->n_fs_entries; i++) {
		const Cvisor__Ckpt__FsEntry *e = s->fs_entries[i];

		if (!fs_path_ok(e->path))
			return img_fail(err, -EBADMSG, "state: fs entry %zu: bad path", i);
		if ((e->mode & ~07777u) ||
		    ((e->kind < CVISOR__CKPT__FS_ENTRY__KIND__DIRECTORY ||
		      e->kind > CVISOR__CKPT__FS_ENTRY__KIND__OPAQUE_DIRECTORY) &&
		     e->kind != CVISOR__CKPT__FS_ENTRY__KIND__FIFO &&
		     e->kind != CVISOR__CKPT__FS_ENTRY__KIND__SOCKET))
			return img_fail(err, -EBADMSG, "state: fs entry %zu: bad kind or mode", i);
		if (e->kind != CVISOR__CKPT__FS_ENTRY__KIND__REGULAR &&
		    (e->data.len || e->data_len))
			return img_fail(err, -EBADMSG, "state: fs entry %zu: data on a non-file",
					i);
		if ((e->data.len && e->data_len) || e->data_len > IMG_FILES_MAX ||
		    e->data_offset > IMG_FILES_MAX - e->data_len)
			return img_fail(err, -EBADMSG, "state: fs entry %zu: bad data reference",
					i);
		in_files += e->data_len;
		if (in_files > IMG_FILES_MAX)
			return img_fail(err, -EBADMSG, "state: file system data too large");
		if (e->kind == CVISOR__CKPT__FS_ENTRY__KIND__SYMLINK
			? (!e->target[0] || strlen(e->target) >= 4096)
			: e->target[0] != 0)
			return img_fail(err, -EBADMSG, "state: fs entry %zu: bad symlink target",
					i);
		total += e->data.len;
		if (total > IMG_FS_DATA_MAX)
			return img_fail(err, -EBADMSG, "state: file system data too large");
	}
	return 0;
}

/* Packet lengths of a packet-mode pipe: 1..4096 bytes each, at most one
 * per 4096 bytes of capacity, summing to the data. */
static int check_packets(const Cvisor__Ckpt__Pipe *p, struct img_error *err)
{
	uint64_t sum = 0;

	if (p->n_packets > p->capacity / 4096)
		return img_fail(err, -EBADMSG, "state: pipe %u: too many packets", p->id);
	for (size_t i = 0; i < p->n_packets; i++) {
		if (p->packets[i] == 0 || p->packets[i] > 4096)
			return img_fail(err, -EBADMSG, "state: pipe %u: bad packet", p->id);
		sum += p->packets[i];
	}
	if (p->n_packets && sum != p->data.len)
		return img_fail(err, -EBADMSG, "state: pipe %u: packets do not match the data",
				p->id);
	return 0;
}

/* epoll (items naming other files), timerfd, signalfd, inotify, FIFO
 * (ckpt_event.c). */
static int check_event_file(const ImgState *s, const Cvisor__Ckpt__File *f, struct img_error *err)
{
	int found;

	switch (f->kind) {
	case CVISOR__CKPT__FILE__KIND__EPOLL:
		if (f->n_epoll_items > 65536)
			return img_fail(err, -EBADMSG, "state: file %u: too many epoll items",
					f->id);
		for (size_t i = 0; i < f->n_epoll_items; i++) {
			const Cvisor__Ckpt__EpollItem *it = f->epoll_items[i];

			if (it->fd < 0 || it->fd >= 1 << 20 || it->file_id == f->id)
				return img_fail(err, -EBADMSG, "state: file %u: bad epoll item",
						f->id);
			HAS_ID(s->files, s->n_files, it->file_id, found);
			if (!found)
				return img_fail(err, -EBADMSG,
						"state: file %u: epoll item on no file %u", f->id,
						it->file_id);
		}
		return 0;
	case CVISOR__CKPT__FILE__KIND__TIMERFD:
		if (!f->timerfd ||
		    (f->timerfd->clock != 0 && f->timerfd->clock != 1 && f->timerfd->clock != 7) ||
		    f->timerfd->ticks >= (1ULL << 62))
			return img_fail(err, -EBADMSG, "state: file %u: bad timerfd", f->id);
		return 0;
	case CVISOR__CKPT__FILE__KIND__SIGNALFD:
		return 0; /* any mask: SIGKILL and SIGSTOP are dropped on restore */
	case CVISOR__CKPT__FILE__KIND__INOTIFY:
		/* the queue's records are parsed by the Sentry */
		if (f->n_inotify_watches > 8192 || f->inotify_next_wd <= 0 ||
		    f->inotify_events.len > (8u << 20))
			return img_fail(err, -EBADMSG, "state: file %u: bad inotify", f->id);
		for (size_t i = 0; i < f->n_inotify_watches; i++) {
			const Cvisor__Ckpt__InotifyWatch *w = f->inotify_watches[i];

			if (w->wd <= 0 || w->path[0] != '/' || strlen(w->path) >= 4096)
				return img_fail(err, -EBADMSG, "state: file %u: bad inotify watch",
						f->id);
		}
		return 0;
	default: /* FIFO */
		if (f->path[0] != '/' || strlen(f->path) >= 4096)
			return img_fail(err, -EBADMSG, "state: file %u: bad path", f->id);
		HAS_ID(s->pipes, s->n_pipes, f->pipe_id, found);
		if (!found)
			return img_fail(err, -EBADMSG, "state: file %u: no pipe %u", f->id,
					f->pipe_id);
		return 0;
	}
}

int img_state_check_files(const ImgState *s, uint64_t files_size, struct img_error *err)
{
	for (size_t i = 0; i < s->n_fs_entries; i++) {
		const Cvisor__Ckpt__FsEntry *e = s->fs_entries[i];

		if (e->data_len > files_size || e->data_offset > files_size - e->data_len)
			return img_fail(
			    err, -EBADMSG,
			    "state: fs entry %zu: data outside files.img (truncated image?)", i);
	}
	return 0;
}

int img_state_check(const ImgState *s, uint64_t pages_size, struct img_error *err)
{
	uint64_t npages = pages_size / IMG_PAGE;
	int found, r;

	if (s->n_groups == 0)
		return img_fail(err, -EBADMSG, "state: no processes");
	if (s->n_groups > 4096 || s->n_mms > 4096 || s->n_files > 65536 || s->n_pipes > 65536 ||
	    s->n_fd_tables > 65536 || s->n_fs_contexts > 65536)
		return img_fail(err, -EBADMSG, "state: too many objects");
	if (s->next_tid < 0 || s->next_tid >= IMG_PID_MAX || s->init_tgid < 0 ||
	    s->init_tgid >= IMG_PID_MAX || strlen(s->hostname) > 64)
		return img_fail(err, -EBADMSG, "state: bad kernel fields");
	for (size_t i = 0; i < s->n_mms; i++) {
		const Cvisor__Ckpt__Mm *m = s->mms[i];
		uint64_t prev = 0;

		for (size_t j = 0; j < i; j++)
			if (s->mms[j]->id == m->id)
				return img_fail(err, -EBADMSG, "state: mm %u twice", m->id);
		if (m->n_vmas > 65536)
			return img_fail(err, -EBADMSG, "state: mm %u: too many VMAs", m->id);
		for (size_t j = 0; j < m->n_vmas; j++) {
			const Cvisor__Ckpt__Vma *v = m->vmas[j];

			if (v->start % IMG_PAGE || v->end % IMG_PAGE || v->start >= v->end ||
			    v->start < APP_MIN || v->end > APP_LIMIT || v->start < prev ||
			    (v->prot & ~7) || strlen(v->name) > 255)
				return img_fail(err, -EBADMSG, "state: mm %u: bad VMA %zu", m->id,
						j);
			/* MM_VMA_SHARED (1): read-only file maps (MM_VMA_FILE 2,
			 * MM_VMA_NOWRITE 32) by path, or anonymous shared memory
			 * (shm_id: img_shm_check) */
			if ((v->kind & 1) && !v->shm_id &&
			    ((v->kind & 34) != 34 || (v->prot & 2) || v->name[0] != '/' ||
			     v->off % IMG_PAGE))
				return img_fail(err, -EBADMSG, "state: mm %u: bad shared VMA %zu",
						m->id, j);
			prev = v->end;
		}
		for (size_t j = 0; j < m->n_runs; j++) {
			const Cvisor__Ckpt__PageRun *pr = m->runs[j];
			uint64_t len = pr->npages * IMG_PAGE;
			int inside = 0;

			if (!pr->npages || pr->npages > npages ||
			    pr->page_index > npages - pr->npages || pr->addr % IMG_PAGE)
				return img_fail(err, -EBADMSG,
						"state: mm %u: page run %zu outside pages.img "
						"(truncated image?)",
						m->id, j);
			for (size_t k = 0; k < m->n_vmas; k++)
				if (pr->addr >= m->vmas[k]->start && pr->addr < m->vmas[k]->end &&
				    len <= m->vmas[k]->end - pr->addr)
					inside = 1;
			for (size_t k = 0; k < m->n_vmas; k++)
				if ((m->vmas[k]->kind & 1) && pr->addr < m->vmas[k]->end &&
				    pr->addr + len > m->vmas[k]->start)
					inside = 0; /* shared maps have no saved pages */
			if (!inside)
				return img_fail(err, -EBADMSG,
						"state: mm %u: page run %zu outside its VMA", m->id,
						j);
		}
	}
	if ((r = img_check_sysv_ipc(s, err)) < 0)
		return r;
	if ((r = img_shm_check(s, npages, err)) < 0)
		return r;
	for (size_t i = 0; i < s->n_pipes; i++) {
		if (s->pipes[i]->data.len > s->pipes[i]->capacity ||
		    s->pipes[i]->capacity > (1u << 20) || s->pipes[i]->capacity < 4096)
			return img_fail(err, -EBADMSG, "state: pipe %u: bad buffer",
					s->pipes[i]->id);
		r = check_packets(s->pipes[i], err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < s->n_files; i++) {
		const Cvisor__Ckpt__File *f = s->files[i];

		for (size_t j = 0; j < i; j++)
			if (s->files[j]->id == f->id)
				return img_fail(err, -EBADMSG, "state: file %u twice", f->id);
		switch (f->kind) {
		case CVISOR__CKPT__FILE__KIND__REGULAR:
		case CVISOR__CKPT__FILE__KIND__DIRECTORY:
		case CVISOR__CKPT__FILE__KIND__DEVICE:
			if (f->path[0] != '/' || strlen(f->path) >= 4096)
				return img_fail(err, -EBADMSG, "state: file %u: bad path", f->id);
			break;
		case CVISOR__CKPT__FILE__KIND__PIPE:
			HAS_ID(s->pipes, s->n_pipes, f->pipe_id, found);
			if (!found)
				return img_fail(err, -EBADMSG, "state: file %u: no pipe %u", f->id,
						f->pipe_id);
			break;
		case CVISOR__CKPT__FILE__KIND__EVENTFD:
			if (f->counter >= UINT64_MAX - 1 || (f->flags & O_ACCMODE) != O_RDWR)
				return img_fail(err, -EBADMSG, "state: file %u: bad eventfd",
						f->id);
			break;
		case CVISOR__CKPT__FILE__KIND__STDIO:
			if (f->stdio_slot < 0 || f->stdio_slot > 2)
				return img_fail(err, -EBADMSG, "state: file %u: bad stdio slot",
						f->id);
			break;
		case CVISOR__CKPT__FILE__KIND__EPOLL:
		case CVISOR__CKPT__FILE__KIND__TIMERFD:
		case CVISOR__CKPT__FILE__KIND__SIGNALFD:
		case CVISOR__CKPT__FILE__KIND__FIFO:
		case CVISOR__CKPT__FILE__KIND__INOTIFY:
			r = check_event_file(s, f, err);
			if (r < 0)
				return r;
			break;
		case CVISOR__CKPT__FILE__KIND__UNIX_SOCKET: /* img_check_unix_sockets */
		case CVISOR__CKPT__FILE__KIND__INET_SOCKET: /* img_check_inet_sockets */
			break;
		default:
			return img_fail(err, -EBADMSG, "state: file %u: unknown kind %d", f->id,
					f->kind);
		}
	}
	for (size_t i = 0; i < s->n_fd_tables; i++) {
		const Cvisor__Ckpt__FdTable *t = s->fd_tables[i];

		if (t->n_fds > 65536)
			return img_fail(err, -EBADMSG, "state: fd table %u: too many fds", t->id);
		for (size_t j = 0; j < t->n_fds; j++) {
			if (t->fds[j]->fd < 0 || t->fds[j]->fd >= 1 << 20 ||
			    (j > 0 && t->fds[j]->fd <= t->fds[j - 1]->fd))
				return img_fail(err, -EBADMSG, "state: fd table %u: bad fd", t->id);
			HAS_ID(s->files, s->n_files, t->fds[j]->file_id, found);
			if (!found)
				return img_fail(err, -EBADMSG, "state: fd table %u: no file %u",
						t->id, t->fds[j]->file_id);
		}
	}
	r = check_fs_entries(s, err);
	if (r == 0)
		r = img_check_unix_sockets(s, err);
	if (r == 0)
		r = img_check_inet_sockets(s, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->n_fs_contexts; i++)
		if (s->fs_contexts[i]->cwd[0] != '/' || s->fs_contexts[i]->root[0] != '/' ||
		    strlen(s->fs_contexts[i]->cwd) >= 4096 ||
		    strlen(s->fs_contexts[i]->root) >= 4096)
			return img_fail(err, -EBADMSG, "state: fs context %u: bad path",
					s->fs_contexts[i]->id);
	for (size_t i = 0; i < s->n_groups; i++) {
		const Cvisor__Ckpt__ThreadGroup *g = s->groups[i];
		int parent_found = g->parent_tgid == 0;

		if (g->tgid <= 0 || g->tgid >= IMG_PID_MAX || g->pgid <= 0 ||
		    g->pgid >= IMG_PID_MAX || g->sid <= 0 || g->sid >= IMG_PID_MAX ||
		    g->parent_tgid < 0 || g->exit_signal < 0 || g->exit_signal > 64)
			return img_fail(err, -EBADMSG, "state: process %d: bad ids", g->tgid);
		for (size_t j = 0; j < i; j++) {
			if (s->groups[j]->tgid == g->tgid)
				return img_fail(err, -EBADMSG, "state: process %d twice", g->tgid);
			if (s->groups[j]->tgid == g->parent_tgid)
				parent_found = 1;
		}
		if (!parent_found)
			return img_fail(err, -EBADMSG, "state: process %d: parent %d not before it",
					g->tgid, g->parent_tgid);
		if ((r = img_check_posix_timers(g, err)) < 0)
			return r;
		if (g->zombie) {
			if (g->n_tasks || !g->parent_tgid || strlen(g->comm) > 15)
				return img_fail(err, -EBADMSG, "state: zombie %d: bad fields",
						g->tgid);
			continue;
		}
		HAS_ID(s->mms, s->n_mms, g->mm_id, found);
		if (!found)
			return img_fail(err, -EBADMSG, "state: process %d: no mm %u", g->tgid,
					g->mm_id);
		if (g->n_rlimits != 16 || g->n_actions != 64 || g->n_auxv > 48 ||
		    strlen(g->comm) > 15 || strlen(g->exe) >= 4096 || g->cmdline.len > (1u << 20) ||
		    g->environ.len > (1u << 20))
			return img_fail(err, -EBADMSG, "state: process %d: bad fields", g->tgid);
		for (size_t j = 0; j < 64; j++)
			if (!g->actions[j])
				return img_fail(err, -EBADMSG, "state: process %d: bad action",
						g->tgid);
		for (size_t j = 0; j < 16; j++)
			if (!g->rlimits[j] || g->rlimits[j]->cur > g->rlimits[j]->max)
				return img_fail(err, -EBADMSG, "state: process %d: bad rlimit",
						g->tgid);
		if ((r = check_pending(g->shared_pending, "process", g->tgid, err)) < 0)
			return r;
		if (g->n_tasks == 0 || g->n_tasks > 4096)
			return img_fail(err, -EBADMSG, "state: process %d: no threads", g->tgid);
		for (size_t j = 0; j < g->n_tasks; j++) {
			const Cvisor__Ckpt__Task *t = g->tasks[j];

			if (t->tid <= 0 || t->tid >= IMG_PID_MAX || (j == 0 && t->tid != g->tgid))
				return img_fail(err, -EBADMSG, "state: process %d: bad thread id",
						g->tgid);
			for (size_t a = 0; a < i; a++)
				for (size_t b = 0; b < s->groups[a]->n_tasks; b++)
					if (s->groups[a]->tasks[b]->tid == t->tid)
						return img_fail(err, -EBADMSG,
								"state: tid %d twice", t->tid);
			for (size_t b = 0; b < j; b++)
				if (g->tasks[b]->tid == t->tid)
					return img_fail(err, -EBADMSG, "state: tid %d twice",
							t->tid);
			if (!t->creds || t->creds->n_groups > 64 || t->regs.len != IMG_REGS_SIZE ||
			    t->fpstate.len > IMG_FP_MAX ||
			    (t->fpstate.len && t->fpstate.len < 512) || t->n_affinity > 16 ||
			    t->nice < -20 || t->nice > 19)
				return img_fail(err, -EBADMSG, "state: thread %d: bad fields",
						t->tid);
			if (t->syscall_restart &&
			    (t->syscall_restart < -516 || t->syscall_restart > -512 ||
			     t->syscall_restart == -515))
				return img_fail(err, -EBADMSG, "state: thread %d: bad restart code",
						t->tid);
			if ((r = check_pending(t->pending, "thread", t->tid, err)) < 0)
				return r;
			HAS_ID(s->fd_tables, s->n_fd_tables, t->fd_table_id, found);
			if (!found)
				return img_fail(err, -EBADMSG, "state: thread %d: no fd table",
						t->tid);
			HAS_ID(s->fs_contexts, s->n_fs_contexts, t->fs_id, found);
			if (!found)
				return img_fail(err, -EBADMSG, "state: thread %d: no fs context",
						t->tid);
		}
	}
	if (s->init_tgid) {
		int ok = 0;

		for (size_t i = 0; i < s->n_groups; i++)
			ok |= s->groups[i]->tgid == s->init_tgid;
		if (!ok)
			return img_fail(err, -EBADMSG, "state: pid 1 missing");
	}
	return 0;
}

int img_state_parse(const void *buf, size_t len, uint64_t pages_size, ImgState **ret,
		    struct img_error *err)
{
	ImgState *s;
	int r;

	if (len > IMG_STATE_MAX)
		return img_fail(err, -EFBIG, "state.pb: too large");
	s = cvisor__ckpt__image__unpack(NULL, len, buf);
	if (!s)
		return img_fail(err, -EBADMSG, "state.pb: not a valid Image message (corrupt)");
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

/* Describe the uncompressed part @name of @dfd (hash all of it); a
 * missing one is created empty when @create. */
static int part_stat(int dfd, const char *name, bool create, struct img_part *ret)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct img_part p = {.compress = IMG_COMPRESS_NONE};
	struct stat st;
	int r;

	if (fd < 0 && errno == ENOENT && create)
		fd = openat(dfd, name, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	p.size = p.raw = (uint64_t)st.st_size;
	r = img_hash_fd(fd, p.size, &p.hash);
	if (r < 0)
		return r;
	*ret = p;
	return 0;
}

int img_part_compress(int dfd, const char *name, int src_fd, uint64_t raw, int level,
		      struct img_part *ret, struct img_error *err)
{
	_cleanup_close_ int fd = -EBADF;
	ZSTD_CCtx *cc = NULL;
	XXH3_state_t *st = NULL;
	size_t outsz = ZSTD_CStreamOutSize(), chunk = 8u << 20;
	uint8_t *out = NULL, *src = MAP_FAILED;
	struct img_part p = {.raw = raw, .compress = IMG_COMPRESS_ZSTD};
	uint64_t off = 0;
	int r = 0;

	if (raw > IMG_RAW_MAX)
		return img_fail(err, -EFBIG, "%s: too large to compress", name);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return img_fail(err, -errno, "%s: %s", name, strerror(errno));
	cc = ZSTD_createCCtx();
	st = XXH3_createState();
	out = malloc(outsz);
	if (!cc || !st || !out) {
		r = img_fail(err, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	XXH3_64bits_reset(st);
	(void)ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
	(void)ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	(void)ZSTD_CCtx_setParameter(cc, ZSTD_c_nbWorkers, 2); /* ignored without MT */
	(void)ZSTD_CCtx_setPledgedSrcSize(cc, raw);
	if (raw) {
		src = mmap(NULL, (size_t)raw, PROT_READ, MAP_SHARED, src_fd, 0);
		if (src == MAP_FAILED) {
			r = img_fail(err, -errno, "%s: %s", name, strerror(errno));
			goto out;
		}
		(void)madvise(src, (size_t)raw, MADV_SEQUENTIAL);
	}
	for (;;) {
		size_t n = (size_t)MIN((uint64_t)chunk, raw - off);
		ZSTD_EndDirective mode = off + n == raw ? ZSTD_e_end : ZSTD_e_continue;
		ZSTD_inBuffer in = {raw ? src + off : NULL, n, 0};
		size_t left;

		do {
			ZSTD_outBuffer o = {out, outsz, 0};

			left = ZSTD_compressStream2(cc, &o, &in, mode);
			if (ZSTD_isError(left)) {
				r = img_fail(err, -EIO, "%s: zstd: %s", name,
					     ZSTD_getErrorName(left));
				goto out;
			}
			r = write_all(fd, out, o.pos);
			if (r < 0) {
				img_fail(err, r, "%s: %s", name, strerror(-r));
				goto out;
			}
			XXH3_64bits_update(st, out, o.pos);
			p.size += o.pos;
		} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
		off += n;
		if (mode == ZSTD_e_end)
			break;
	}
	if (fsync(fd) < 0) {
		r = img_fail(err, -errno, "%s: %s", name, strerror(errno));
		goto out;
	}
	p.hash = XXH3_64bits_digest(st);
	*ret = p;
out:
	if (src != MAP_FAILED)
		munmap(src, (size_t)raw);
	ZSTD_freeCCtx(cc);
	XXH3_freeState(st);
	free(out);
	return r;
}

int img_write_parts(const char *dir, const void *state, size_t state_len, uint64_t xfeatures,
		    const struct img_part *pages, const struct img_part *files,
		    struct img_error *err)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	struct img_manifest m = {.version = IMG_FORMAT_VERSION, .xfeatures = xfeatures};
	struct img_part empty = {.hash = img_hash("", 0)};
	size_t tlen;
	int r;

	if (dfd < 0)
		return img_fail(err, -errno, "%s: %s", dir, strerror(errno));
	if (!files) {
		_cleanup_close_ int fd = openat(
		    dfd, IMG_FILES, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0)
			return img_fail(err, -errno, "%s/" IMG_FILES ": %s", dir, strerror(errno));
		files = &empty;
	}
	snprintf(m.arch, sizeof(m.arch), "%s", IMG_ARCH);
	m.created = (uint64_t)time(NULL);
	m.pages_size = pages->size, m.pages_hash = pages->hash;
	m.pages_raw = pages->raw, m.pages_compress = pages->compress;
	m.has_files = true;
	m.files_size = files->size, m.files_hash = files->hash;
	m.files_raw = files->raw, m.files_compress = files->compress;
	m.state_size = state_len;
	m.state_hash = img_hash(state, state_len);
	r = write_file_at(dfd, IMG_STATE, state, state_len);
	if (r < 0)
		return img_fail(err, r, "%s/" IMG_STATE ": %s", dir, strerror(-r));
	r = img_manifest_format(&m, &text, &tlen);
	if (r < 0)
		return img_fail(err, r, "manifest: %s", strerror(-r));
	r = write_file_at(dfd, IMG_MANIFEST ".tmp", text, tlen);
	if (r == 0 && renameat(dfd, IMG_MANIFEST ".tmp", dfd, IMG_MANIFEST) < 0)
		r = -errno;
	if (r < 0)
		return img_fail(err, r, "%s/" IMG_MANIFEST ": %s", dir, strerror(-r));
	return 0;
}

int img_write(const char *dir, const void *state, size_t state_len, uint64_t xfeatures,
	      struct img_error *err)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct img_part pages, files;
	int r;

	if (dfd < 0)
		return img_fail(err, -errno, "%s: %s", dir, strerror(errno));
	r = part_stat(dfd, IMG_PAGES, false, &pages);
	if (r < 0)
		return img_fail(err, r, "%s/" IMG_PAGES ": %s", dir, strerror(-r));
	r = part_stat(dfd, IMG_FILES, true, &files);
	if (r < 0)
		return img_fail(err, r, "%s/" IMG_FILES ": %s", dir, strerror(-r));
	return img_write_parts(dir, state, state_len, xfeatures, &pages, &files, err);
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

/* Decompress the stored part @fd (@size bytes, zstd, XXH3 @hash) into a
 * new sealed memfd of @raw bytes: the hash and the zstd frame checksum
 * are both checked, and the data must be exactly @raw bytes. */
static int part_decompress(int fd, const char *name, uint64_t size, uint64_t hash, uint64_t raw,
			   int *ret_fd, struct img_error *err)
{
	_cleanup_close_ int mfd = -EBADF;
	ZSTD_DCtx *dc = NULL;
	XXH3_state_t *st = NULL;
	size_t insz = 1u << 20;
	uint8_t *in = NULL, *dst = MAP_FAILED;
	uint64_t off = 0, produced = 0;
	size_t last = 1;
	int r = 0;

	if (raw > IMG_RAW_MAX)
		return img_fail(err, -EFBIG, "%s: too large", name);
	mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, (off_t)raw) < 0)
		return img_fail(err, -errno, "%s: memfd: %s", name, strerror(errno));
	dc = ZSTD_createDCtx();
	st = XXH3_createState();
	in = malloc(insz);
	if (!dc || !st || !in) {
		r = img_fail(err, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (raw) {
		dst = mmap(NULL, (size_t)raw, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
		if (dst == MAP_FAILED) {
			r = img_fail(err, -errno, "%s: %s", name, strerror(errno));
			goto out;
		}
		/* A child forked meanwhile by another thread (a server booting
		 * sandboxes) would keep a writable mapping until it execs, and
		 * F_SEAL_WRITE fails with EBUSY while one exists. */
		(void)madvise(dst, (size_t)raw, MADV_DONTFORK);
	}
	XXH3_64bits_reset(st);
	while (off < size) {
		ssize_t n = pread(fd, in, (size_t)MIN((uint64_t)insz, size - off), (off_t)off);
		ZSTD_inBuffer ib;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = img_fail(err, n < 0 ? -errno : -EIO, "%s: read error", name);
			goto out;
		}
		XXH3_64bits_update(st, in, (size_t)n);
		off += (uint64_t)n;
		ib = (ZSTD_inBuffer){in, (size_t)n, 0};
		while (ib.pos < ib.size) {
			ZSTD_outBuffer ob = {raw ? dst + produced : NULL, (size_t)(raw - produced),
					     0};

			last = ZSTD_decompressStream(dc, &ob, &ib);
			if (ZSTD_isError(last)) {
				r = img_fail(err, -EBADMSG, "%s: corrupt compressed data (%s)",
					     name, ZSTD_getErrorName(last));
				goto out;
			}
			produced += ob.pos;
			if (ob.pos == 0 && ib.pos < ib.size && produced == raw) {
				r = img_fail(err, -EBADMSG, "%s: more data than the manifest says",
					     name);
				goto out;
			}
		}
	}
	if (XXH3_64bits_digest(st) != hash) {
		r = img_fail(err, -EBADMSG, "%s: checksum mismatch (corrupt)", name);
		goto out;
	}
	if (last != 0 || produced != raw) {
		r = img_fail(err, -EBADMSG,
			     "%s: compressed data truncated (%" PRIu64 " of %" PRIu64 " bytes)",
			     name, produced, raw);
		goto out;
	}
	if (dst != MAP_FAILED) /* no writable mapping may remain for F_SEAL_WRITE */
		munmap(dst, (size_t)raw);
	dst = MAP_FAILED;
	/* EBUSY: a child forked between mmap and madvise still maps it; it
	 * drops the mapping when it execs, so wait a little (2 s at most). */
	for (int i = 0;; i++) {
		if (fcntl(mfd, F_ADD_SEALS,
			  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0)
			break;
		if (errno != EBUSY || i == 200) {
			r = img_fail(err, -errno, "%s: seal: %s", name, strerror(errno));
			goto out;
		}
		usleep(10000);
	}
	*ret_fd = TAKE_FD(mfd);
out:
	if (dst != MAP_FAILED)
		munmap(dst, (size_t)raw);
	ZSTD_freeDCtx(dc);
	XXH3_freeState(st);
	free(in);
	return r;
}

/* Open part @name (@size bytes as stored, XXH3 @hash): the file itself,
 * hashed if @verify, or a memfd of its decompressed bytes. */
static int part_open(int dfd, const char *name, uint64_t size, uint64_t hash, uint64_t raw,
		     unsigned compress, bool verify, int *ret_fd, struct img_error *err)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	uint64_t h;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0)
		return img_fail(err, -errno, "%s: %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return img_fail(err, -EINVAL, "%s: not a regular file", name);
	if ((uint64_t)st.st_size != size)
		return img_fail(err, -EBADMSG,
				"%s: %" PRIu64 " bytes, the manifest says %" PRIu64 " (truncated?)",
				name, (uint64_t)st.st_size, size);
	if (compress == IMG_COMPRESS_ZSTD)
		return part_decompress(fd, name, size, hash, raw, ret_fd, err);
	if (verify) {
		r = img_hash_fd(fd, size, &h);
		if (r < 0)
			return img_fail(err, r, "%s: %s", name, strerror(-r));
		if (h != hash)
			return img_fail(err, -EBADMSG, "%s: checksum mismatch (corrupt)", name);
	}
	*ret_fd = TAKE_FD(fd);
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
	if (im->files_fd >= 0)
		close(im->files_fd);
	free(im);
}

/* A compressed part decompresses into memory: no more than its state
 * uses (the writer stores exactly that), so a hostile image cannot make
 * img_open fill memory the restore would not map anyway. */
static int check_raw_sizes(const struct img *im, struct img_error *err)
{
	const ImgState *s = im->state;
	uint64_t pages = 0, files = 0;

	for (size_t i = 0; i < s->n_mms; i++)
		for (size_t j = 0; j < s->mms[i]->n_runs; j++)
			pages = MAX(pages,
				    (s->mms[i]->runs[j]->page_index + s->mms[i]->runs[j]->npages) *
					IMG_PAGE);
	for (size_t i = 0; i < s->n_fs_entries; i++)
		files = MAX(files, s->fs_entries[i]->data_offset + s->fs_entries[i]->data_len);
	if (im->m.pages_compress && im->m.pages_raw > pages)
		return img_fail(err, -EBADMSG,
				IMG_PAGES ": %" PRIu64 " bytes uncompressed, its state "
					  "uses %" PRIu64,
				im->m.pages_raw, pages);
	if (im->m.files_compress && im->m.files_raw > files)
		return img_fail(err, -EBADMSG,
				IMG_FILES ": %" PRIu64 " bytes uncompressed, its state "
					  "uses %" PRIu64,
				im->m.files_raw, files);
	return 0;
}

int img_open(const char *dir, unsigned flags, struct img **ret, struct img_error *err)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	struct img *im = NULL;
	size_t tlen;
	int r;

	if (dfd < 0)
		return img_fail(err, -errno, "%s: %s", dir, strerror(errno));
	r = read_file_at(dfd, IMG_MANIFEST, IMG_MANIFEST_MAX, (void **)&text, &tlen);
	if (r < 0)
		return img_fail(err, r, "%s/" IMG_MANIFEST ": %s", dir,
				r == -ENOENT ? "missing (not an image, or an incomplete one)"
					     : strerror(-r));
	im = calloc(1, sizeof(*im));
	if (!im)
		return -ENOMEM;
	im->pages_fd = -1;
	im->files_fd = -1;
	r = img_manifest_parse(text, tlen, &im->m, err);
	if (r == 0)
		r = img_check_host(&im->m, err);
	if (r < 0)
		goto fail;
	r = read_file_at(dfd, IMG_STATE, IMG_STATE_MAX, &im->state_buf, &im->state_len);
	if (r < 0) {
		img_fail(err, r, "%s/" IMG_STATE ": %s", dir, strerror(-r));
		goto fail;
	}
	if (im->state_len != im->m.state_size) {
		r = img_fail(err, -EBADMSG,
			     IMG_STATE ": %zu bytes, the manifest says %" PRIu64 " (truncated?)",
			     im->state_len, im->m.state_size);
		goto fail;
	}
	if (img_hash(im->state_buf, im->state_len) != im->m.state_hash) {
		r = img_fail(err, -EBADMSG, IMG_STATE ": checksum mismatch (corrupt)");
		goto fail;
	}
	/* the state first: cheap, and it bounds nothing decompression needs */
	r = img_state_parse(im->state_buf, im->state_len, im->m.pages_raw, &im->state, err);
	if (r == 0)
		r = img_state_check_files(im->state, im->m.has_files ? im->m.files_raw : 0, err);
	if (r == 0)
		r = check_raw_sizes(im, err);
	if (r < 0)
		goto fail;
	r = part_open(dfd, IMG_PAGES, im->m.pages_size, im->m.pages_hash, im->m.pages_raw,
		      im->m.pages_compress, flags & IMG_VERIFY_PAGES, &im->pages_fd, err);
	if (r == 0 && im->m.has_files)
		r = part_open(dfd, IMG_FILES, im->m.files_size, im->m.files_hash, im->m.files_raw,
			      im->m.files_compress, true, &im->files_fd, err);
	if (r < 0)
		goto fail;
	*ret = im;
	return 0;
fail:
	img_close(im);
	return r;
}
