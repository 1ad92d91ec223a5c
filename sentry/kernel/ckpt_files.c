/* SPDX-License-Identifier: Apache-2.0 */
/*
 * files.img (docs/checkpoint.md): the data of the in-memory files, one
 * plain concatenation; FsEntry.data_offset/data_len say where each file's
 * bytes are.  Format version 1 carried them inside state.pb (FsEntry.data,
 * 12 MiB at most, one control frame); files.img lifts that to
 * IMG_FILES_MAX.
 */
#include "sentry/kernel/ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint/image.h"
#include "lib/macro.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

#define FILES_CHUNK (1u << 20)

static int pwrite_all(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int open_vnode(struct vnode *v, int flags, struct file **ret)
{
	int r = v->ops->open ? v->ops->open(v, flags, ret) : -EINVAL;

	if (r == 0)
		(*ret)->path.v = vnode_get(v); /* as vfs_open: the file keeps a reference */
	return r;
}

int ckpt_save_file_data(int fd, uint64_t *off, struct vnode *v, struct task *t,
			struct Cvisor__Ckpt__FsEntry *e, const char *path, char *err, size_t errlen)
{
	_cleanup_free_ uint8_t *buf = NULL;
	struct file *f = NULL;
	struct stat st;
	uint64_t size, done = 0;
	int64_t pos = 0;
	int r;

	vnode_stat(v, &st);
	size = (uint64_t)st.st_size;
	if (size > IMG_FILES_MAX || *off + size > IMG_FILES_MAX) {
		snprintf(err, errlen, "%s: the in-memory files exceed %llu GiB", path,
			 (unsigned long long)(IMG_FILES_MAX >> 30));
		return -EFBIG;
	}
	if (size == 0)
		return 0;
	buf = malloc(FILES_CHUNK);
	if (!buf)
		return -ENOMEM;
	r = open_vnode(v, O_RDONLY, &f);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot read it: %s", path, strerror(-r));
		return r;
	}
	while (done < size && r == 0) {
		size_t want = (size_t)MIN((uint64_t)FILES_CHUNK, size - done);
		ssize_t n = f->ops->read ? f->ops->read(f, t, buf, want, &pos) : -EINVAL;

		if (n <= 0) {
			r = n < 0 ? (int)n : -EIO;
			snprintf(err, errlen, "%s: cannot read it", path);
			break;
		}
		r = pwrite_all(fd, buf, (size_t)n, *off + done);
		if (r < 0)
			snprintf(err, errlen, "files.img: %s", strerror(-r));
		done += (uint64_t)n;
	}
	file_put(f);
	if (r < 0)
		return r;
	e->data_offset = *off;
	e->data_len = size;
	*off += size;
	return 0;
}

int ckpt_restore_file_data(struct vnode *v, struct task *t, int fd,
			   const struct Cvisor__Ckpt__FsEntry *e)
{
	_cleanup_free_ uint8_t *buf = NULL;
	const uint8_t *src = e->data_len ? NULL : e->data.data;
	uint64_t len = e->data_len ? e->data_len : e->data.len, done = 0;
	struct file *f = NULL;
	int64_t pos = 0;
	int r = v->ops->truncate ? v->ops->truncate(v, 0) : -EINVAL;

	if (r == 0 && e->data_len) {
		if (fd < 0)
			return -EIO; /* no files.img */
		buf = malloc(FILES_CHUNK);
		if (!buf)
			return -ENOMEM;
	}
	if (r == 0)
		r = open_vnode(v, O_WRONLY, &f);
	if (r < 0)
		return r;
	while (done < len && r == 0) {
		size_t want = (size_t)MIN((uint64_t)FILES_CHUNK, len - done), put = 0;
		const uint8_t *p = src ? src + done : buf;

		if (!src) {
			ssize_t n = pread(fd, buf, want, (off_t)(e->data_offset + done));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				r = n < 0 ? -errno : -EIO; /* files.img shorter than its entries */
				break;
			}
			want = (size_t)n;
		}
		while (put < want && r == 0) {
			ssize_t n = f->ops->write ? f->ops->write(f, t, p + put, want - put, &pos)
						  : -EINVAL;

			if (n <= 0)
				r = n < 0 ? (int)n : -EIO;
			else
				put += (size_t)n;
		}
		done += put;
	}
	file_put(f);
	return r;
}

int ckpt_check_files_fd(const struct Cvisor__Ckpt__Image *img, int fd, struct img_error *err)
{
	struct stat st = { 0 };

	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		snprintf(err->msg, sizeof(err->msg), "files.img: not a regular file");
		return -EINVAL;
	}
	return img_state_check_files(img, (uint64_t)st.st_size, err);
}
