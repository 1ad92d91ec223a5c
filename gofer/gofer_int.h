/* SPDX-License-Identifier: Apache-2.0 */
/* Internal structures of the Gofer server (not for other modules). */
#ifndef CVISOR_GOFER_GOFER_INT_H
#define CVISOR_GOFER_GOFER_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "gofer/gofer_server.h"
#include "gofer/p9.h"

/* Resolution flags for every openat2() of the Gofer. */
#define GOFER_RESOLVE                                                                              \
	(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV)

/* An export; immutable after gofer_server_new(). */
struct gofer_mount {
	char *name;  /* attach name, "/" for the rootfs */
	int root_fd; /* O_PATH directory fd of the export's root */
	bool ro;     /* refuse every modification with EROFS */
};

struct gofer_server {
	struct gofer_mount *mounts; /* mounts[0] is the rootfs */
	size_t n_mounts;
	uint32_t max_msize;
	unsigned workers, max_fids, max_conns;
	bool no_donate;
	pthread_mutex_t lock; /* protects n_conns */
	unsigned n_conns;
};

/*
 * A fid: a reference to a file beneath one mount.  @fd is an O_PATH fd
 * (O_NOFOLLOW: a symlink fid refers to the link), @path its path relative to
 * the mount root without "." or ".." components ("." for the root itself),
 * used for ".." and for the operations that need the parent (rename,
 * remove, reopen).  @dev/@ino identify the file so a reopen through @path
 * can check that it still reaches the same inode.
 */
struct gofer_fid {
	uint32_t fid;
	unsigned refs;		/* protected by conn->fid_lock */
	struct gofer_fid *next; /* hash chain, protected by conn->fid_lock */
	const struct gofer_mount *mnt;
	uint32_t uid; /* n_uname of the attach */
	int fd;
	dev_t dev;
	ino_t ino;
	mode_t fmt;	      /* S_IFMT bits */
	pthread_mutex_t lock; /* protects path, open_fd, open_flags */
	char *path;
	int open_fd; /* -EBADF until Tlopen/Tlcreate */
	int open_flags;
};

struct gofer_conn;

/* The context of one request being served by a worker. */
struct gofer_ctx {
	struct gofer_conn *conn;
	const struct p9_msg *t;
	struct p9_msg *r;   /* reply; r->type preset to t->type + 1 */
	uint8_t *rbuf;	    /* reply buffer of conn->msize bytes */
	int donate_fd;	    /* fd to attach to the reply, or -EBADF */
	char scratch[4097]; /* reply strings (readlink target) live here */
};

/* conn accessors used by the operations (gofer_conn.c). */
uint32_t gofer_conn_msize(const struct gofer_conn *c);
bool gofer_conn_ext(const struct gofer_conn *c);
const struct gofer_server *gofer_conn_server(const struct gofer_conn *c);
/* Lookup with a reference, or NULL. */
struct gofer_fid *gofer_fid_get(struct gofer_conn *c, uint32_t fid);
void gofer_fid_put(struct gofer_conn *c, struct gofer_fid *f);
/* Insert @f under @fid (refs becomes 1, owned by the table): -EEXIST, -EMFILE. */
int gofer_fid_insert(struct gofer_conn *c, struct gofer_fid *f);
/* Remove from the table and drop the table's reference; -EBADF if absent. */
int gofer_fid_remove(struct gofer_conn *c, uint32_t fid);

/* Fid objects (gofer_ops.c). */
struct gofer_fid *gofer_fid_new(const struct gofer_mount *mnt, int fd, const char *path,
				uint32_t uid);
void gofer_fid_free(struct gofer_fid *f);

/* Dispatch one decoded T message (never Tversion/Tflush); negative errno. */
int gofer_dispatch(struct gofer_ctx *ctx);

/* Operation groups. */
int gofer_op_attach(struct gofer_ctx *ctx);
int gofer_op_walk(struct gofer_ctx *ctx);
int gofer_op_getattr(struct gofer_ctx *ctx);
int gofer_op_setattr(struct gofer_ctx *ctx);
int gofer_op_lopen(struct gofer_ctx *ctx);
int gofer_op_read(struct gofer_ctx *ctx);
int gofer_op_write(struct gofer_ctx *ctx);
int gofer_op_clunk(struct gofer_ctx *ctx);
int gofer_op_remove(struct gofer_ctx *ctx);
int gofer_op_readlink(struct gofer_ctx *ctx);
int gofer_op_fsync(struct gofer_ctx *ctx);
int gofer_op_statfs(struct gofer_ctx *ctx);
int gofer_op_readdir(struct gofer_ctx *ctx);
int gofer_op_lcreate(struct gofer_ctx *ctx);
int gofer_op_mkdir(struct gofer_ctx *ctx);
int gofer_op_symlink(struct gofer_ctx *ctx);
int gofer_op_mknod(struct gofer_ctx *ctx);
int gofer_op_link(struct gofer_ctx *ctx);
int gofer_op_rename(struct gofer_ctx *ctx);
int gofer_op_renameat(struct gofer_ctx *ctx);
int gofer_op_unlinkat(struct gofer_ctx *ctx);
int gofer_op_lock(struct gofer_ctx *ctx);
int gofer_op_getlock(struct gofer_ctx *ctx);

/* Helpers shared by the op files (gofer_ops.c). */
int gofer_qid_of(int fd, struct p9_qid *ret_qid, struct stat *ret_st);
void gofer_qid_from_stat(const struct stat *st, struct p9_qid *ret);
/* Copy a validated name into a NUL-terminated buffer of 256 bytes. */
int gofer_name(const struct p9_str *s, char buf[256]);
/* openat2(@dirfd, @path) with O_NOFOLLOW|O_CLOEXEC|O_NOCTTY and GOFER_RESOLVE. */
int gofer_openat2(int dirfd, const char *path, int flags, mode_t mode);
/* Open the fid's file again with @flags, checking it is still the same inode. */
int gofer_reopen(struct gofer_fid *f, int flags);
/*
 * Open the parent directory of @f (O_PATH) and copy its last path component
 * into @base; the root of a mount has no parent (-EBUSY).  -ESTALE if the
 * recorded path no longer leads to @f.
 */
int gofer_open_parent(struct gofer_fid *f, char base[256]);
/* Validate Tlopen/Tlcreate flags for a file of type @fmt; returns host flags. */
int gofer_open_flags(const struct gofer_fid *f, uint32_t p9flags, mode_t fmt);
/* The open fd of a fid (stable while a reference is held), or -EBADF. */
int gofer_fid_open_fd(struct gofer_fid *f, int *ret_flags);
/* Give a newly created entry @name in @dirfd the attach uid and @gid (best effort). */
void gofer_chown_new(int dirfd, const char *name, uint32_t uid, uint32_t gid);
/* Join parent path and name ("." + "a" -> "a"); NULL on ENOMEM. */
char *gofer_path_join(const char *parent, const char *name);

#endif
