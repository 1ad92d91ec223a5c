/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checkpoint image (docs/checkpoint.md): a directory with
 *   state.pb   one cvisor.ckpt.Image message (api/checkpoint.proto)
 *   pages.img  page-aligned raw pages of private memory, only populated
 *              ones; mapped MAP_PRIVATE at the saved addresses on restore
 *   files.img  the in-memory files' data (FsEntry.data_offset/data_len)
 *   manifest   text: format version, architecture, the XSAVE features the
 *              saved FP states use, size and XXH3-64 of every part, and an
 *              XXH3-64 of the manifest itself.  Written last (rename), so an
 *              image without one is incomplete.
 *
 * The reader trusts nothing: a wrong version, foreign architecture, missing
 * CPU features, a size or checksum mismatch, or a state that breaks the
 * schema's invariants (img_state_check) is refused with a message in
 * struct img_error before any sandbox object is created.
 *
 * pages.img and files.img may be stored zstd-compressed (the manifest's
 * part line says so, with the uncompressed size; its checksum is that of
 * the stored bytes): img_open then decompresses them eagerly into sealed
 * memfds, which restore maps as it would the files.
 *
 * Library code: no printing.  0 or negative errno; out-params on success.
 */
#ifndef CVISOR_CHECKPOINT_IMAGE_H
#define CVISOR_CHECKPOINT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/checkpoint.pb-c.h"

#define IMG_FORMAT_VERSION 2 /* 1: no files.img, no compression (still read) */
#define IMG_ARCH "x86_64"
#define IMG_MANIFEST "manifest"
#define IMG_STATE "state.pb"
#define IMG_PAGES "pages.img"
#define IMG_FILES "files.img"
#define IMG_PAGE 4096ULL
/* In-memory file system contents (FsEntry): at most this many entries and
 * bytes of file data in state.pb. */
#define IMG_FS_ENTRIES_MAX 65536
#define IMG_FS_DATA_MAX (12ULL << 20) /* inline in state.pb (one 16 MiB control frame) */
#define IMG_FILES_MAX (4ULL << 30)    /* in files.img */
/* Uncompressed size of a compressed part (a bound on what img_open
 * decompresses into memory). */
#define IMG_RAW_MAX (64ULL << 30)
/* Bounds of what a reader accepts. */
#define IMG_STATE_MAX (256u << 20)
#define IMG_MANIFEST_MAX 4096
#define IMG_PID_MAX 32768
#define IMG_REGS_SIZE (27 * 8) /* struct plat_regs */
#define IMG_FP_MAX 4096

typedef Cvisor__Ckpt__Image ImgState;

struct img_error {
	char msg[256];
};
/* Write the message into @err (if not NULL) and return @r: the one way the
 * image readers (image.c, image_shm.c, image_sock.c) refuse. */
int img_fail(struct img_error *err, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

enum img_compress {
	IMG_COMPRESS_NONE = 0,
	IMG_COMPRESS_ZSTD = 1,
};

struct img_manifest {
	uint32_t version;
	char arch[16];
	uint64_t xfeatures; /* XSAVE features used by the saved FP states */
	uint64_t created;   /* unix seconds */
	uint64_t state_size, state_hash;
	uint64_t pages_size, pages_hash; /* as stored */
	uint64_t pages_raw;		 /* uncompressed (== pages_size if not) */
	unsigned pages_compress;	 /* enum img_compress */
	bool has_files;			 /* version >= 2 */
	uint64_t files_size, files_hash, files_raw;
	unsigned files_compress;
};

/* XCR0 of this CPU (0 without XSAVE). */
uint64_t img_host_xfeatures(void);

/* Manifest text for @m (malloc'd, NUL-terminated). */
int img_manifest_format(const struct img_manifest *m, char **ret, size_t *ret_len);
/* Parse and check the manifest's own checksum, version and architecture.
 * Does not look at the host's CPU (img_check_host). */
int img_manifest_parse(const char *text, size_t len, struct img_manifest *ret,
		       struct img_error *err);
/* Can this host run the image (XSAVE features)? */
int img_check_host(const struct img_manifest *m, struct img_error *err);

/* The FsEntry data references of @s against files.img's uncompressed
 * size (@files_size): inside it, not overlapping each other's order. */
int img_state_check_files(const ImgState *s, uint64_t files_size, struct img_error *err);

/* Unpack @len bytes of state.pb and check its invariants (img_state_check);
 * free with img_state_free. */
int img_state_parse(const void *buf, size_t len, uint64_t pages_size, ImgState **ret,
		    struct img_error *err);
/* The schema's invariants: counts and sizes bounded, ids unique and
 * resolvable, VMAs page aligned, sorted, within the application range,
 * page runs inside their VMAs and inside pages.img (@pages_size). */
int img_state_check(const ImgState *s, uint64_t pages_size, struct img_error *err);
/* Its part for anonymous shared memory (image_shm.c): objects and the VMAs
 * that map them; @npages: pages in pages.img.  img_shm_find: by id, or NULL. */
int img_shm_check(const ImgState *s, uint64_t npages, struct img_error *err);
const Cvisor__Ckpt__ShmObject *img_shm_find(const ImgState *s, uint32_t id);
void img_state_free(ImgState *s);
/* The System V message queue and semaphore part of img_state_check
 * (image_ipc.c). */
int img_check_sysv_ipc(const ImgState *s, struct img_error *err);
/* The POSIX-timer part of img_state_check for one process (image_timers.c). */
int img_check_posix_timers(const Cvisor__Ckpt__ThreadGroup *g, struct img_error *err);
/* The AF_UNIX part of img_state_check (image_sock.c). */
int img_check_unix_sockets(const ImgState *s, struct img_error *err);
/* The loopback inet sockets (image_inet.c). */
int img_check_inet_sockets(const ImgState *s, struct img_error *err);

/* XXH3-64 of @len bytes / of a whole file (from offset 0, @size bytes:
 * -EIO if it is shorter). */
uint64_t img_hash(const void *buf, size_t len);
int img_hash_fd(int fd, uint64_t size, uint64_t *ret);

/*
 * Finish an image in @dir (which holds the pages.img and, if present, the
 * files.img the Sentry wrote, uncompressed): write state.pb, hash the
 * parts, write the manifest last.
 */
int img_write(const char *dir, const void *state, size_t state_len, uint64_t xfeatures,
	      struct img_error *err);

/* One stored part of an image (a manifest "part" line). */
struct img_part {
	uint64_t size, hash; /* as stored */
	uint64_t raw;	     /* uncompressed */
	unsigned compress;   /* enum img_compress */
};
/* Store the first @raw bytes of @src_fd (a file the Sentry wrote, e.g. a
 * memfd) as part @name of the image directory @dfd, zstd-compressed at
 * @level (1..19); describe it in @ret. */
int img_part_compress(int dfd, const char *name, int src_fd, uint64_t raw, int level,
		      struct img_part *ret, struct img_error *err);
/* img_write with parts described by the caller (@files NULL: none, a
 * version 2 image always has one, possibly empty: then it is created). */
int img_write_parts(const char *dir, const void *state, size_t state_len, uint64_t xfeatures,
		    const struct img_part *pages, const struct img_part *files,
		    struct img_error *err);

/* A read and verified image. */
struct img {
	struct img_manifest m;
	void *state_buf; /* state.pb bytes (to hand to a Sentry) */
	size_t state_len;
	ImgState *state; /* unpacked and checked */
	int pages_fd;	 /* pages.img, read-only (a memfd if it was compressed) */
	int files_fd;	 /* files.img, read-only (memfd if compressed); -1: none */
};
/* A compressed part is always verified (decompression reads all of it);
 * files.img is always verified (restore reads all of it). */
enum img_open_flags {
	IMG_VERIFY_PAGES = 1u << 0, /* hash pages.img too (reads all of it) */
};
int img_open(const char *dir, unsigned flags, struct img **ret, struct img_error *err);
void img_close(struct img *im);

#endif
