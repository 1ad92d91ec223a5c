/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The overlay's logic over a tmpfs lower layer: merged lookup and readdir,
 * copy-up, whiteouts, opaque directories, rename rules, and that the lower
 * layer is never modified.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sentry/fs/overlay.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vnode.h"

struct fixture {
	struct vnode *lower, *ov;
};

static struct vnode *look(struct vnode *dir, const char *name)
{
	struct vnode *v = NULL;

	assert_int_equal(dir->ops->lookup(dir, name, &v), 0);
	return v;
}

static int lookup_err(struct vnode *dir, const char *name)
{
	struct vnode *v = NULL;
	int r = dir->ops->lookup(dir, name, &v);

	vnode_put(v);
	return r;
}

static struct file *open_v(struct vnode *v, unsigned flags)
{
	struct file *f = NULL;

	assert_int_equal(v->ops->open(v, flags, &f), 0);
	f->path.v = vnode_get(v);
	return f;
}

static void put_file(struct vnode *dir, const char *name, const char *text)
{
	struct vnode *v = NULL;
	struct file *f;
	int64_t off = 0;

	assert_int_equal(dir->ops->create(dir, name, S_IFREG | 0644, 0, NULL, &v), 0);
	f = open_v(v, O_WRONLY);
	assert_int_equal(f->ops->write(f, NULL, text, strlen(text), &off), (ssize_t)strlen(text));
	file_put(f);
	vnode_put(v);
}

static void read_file(struct vnode *dir, const char *name, char *buf, size_t len)
{
	struct vnode *v = look(dir, name);
	struct file *f = open_v(v, O_RDONLY);
	int64_t off = 0;
	ssize_t n = f->ops->read(f, NULL, buf, len - 1, &off);

	assert_true(n >= 0);
	buf[n] = 0;
	file_put(f);
	vnode_put(v);
}

static void mkdir_in(struct vnode *dir, const char *name)
{
	assert_int_equal(dir->ops->create(dir, name, S_IFDIR | 0755, 0, NULL, NULL), 0);
}

/* lower: /etc/passwd, /etc/group, /data/{a,b,sub/c}, /bin/sh -> busybox */
static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct vnode *etc, *data, *sub, *bin;

	fx->lower = tmpfs_create_root(0755);
	mkdir_in(fx->lower, "etc");
	mkdir_in(fx->lower, "data");
	mkdir_in(fx->lower, "bin");
	etc = look(fx->lower, "etc");
	data = look(fx->lower, "data");
	bin = look(fx->lower, "bin");
	put_file(etc, "passwd", "root:x:0:0\n");
	put_file(etc, "group", "root:x:0\n");
	put_file(data, "a", "A");
	put_file(data, "b", "B");
	mkdir_in(data, "sub");
	sub = look(data, "sub");
	put_file(sub, "c", "C");
	assert_int_equal(bin->ops->symlink(bin, "sh", "busybox", NULL), 0);
	vnode_put(etc);
	vnode_put(data);
	vnode_put(sub);
	vnode_put(bin);
	assert_int_equal(overlay_create(vnode_get(fx->lower), &fx->ov), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	vnode_put(fx->ov);
	vnode_put(fx->lower);
	free(fx);
	return 0;
}

struct names {
	char buf[4096];
	uint64_t cookies[64];
	int n;
};

static int names_cb(void *ctx, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct names *s = ctx;

	(void)ino;
	(void)type;
	strcat(s->buf, name);
	strcat(s->buf, " ");
	s->cookies[s->n++] = next;
	return s->n == 64;
}

static void list(struct vnode *dir, uint64_t cookie, struct names *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(dir->ops->readdir(dir, cookie, names_cb, s), 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The listing of @dir with its names sorted (order is the fs's business). */
static void list_sorted(struct vnode *dir, char *out)
{
	struct names s;
	char *tok[64], *save = NULL;
	int n = 0;

	list(dir, 0, &s);
	for (char *t = strtok_r(s.buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	qsort(tok, (size_t)n, sizeof(*tok), cmp_str);
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		strcat(out, tok[i]);
		strcat(out, " ");
	}
}

static void test_lookup_and_read(void **state)
{
	struct fixture *fx = *state;
	struct vnode *etc = look(fx->ov, "etc"), *bin = look(fx->ov, "bin"), *sh;
	char buf[64];
	struct stat a, b;

	read_file(etc, "passwd", buf, sizeof(buf));
	assert_string_equal(buf, "root:x:0:0\n");
	sh = look(bin, "sh");
	assert_true(S_ISLNK(sh->mode));
	assert_int_equal(sh->ops->readlink(sh, buf, sizeof(buf)), 7);
	assert_int_equal(lookup_err(etc, "nope"), -ENOENT);
	/* one vnode per (dir, name) while it lives */
	vnode_stat(etc, &a);
	{
		struct vnode *again = look(fx->ov, "etc");

		assert_ptr_equal(again, etc);
		vnode_put(again);
	}
	vnode_stat(fx->ov, &b);
	assert_int_equal(a.st_dev, b.st_dev);
	vnode_put(sh);
	vnode_put(bin);
	vnode_put(etc);
}

static void test_copy_up_on_write(void **state)
{
	struct fixture *fx = *state;
	struct vnode *etc = look(fx->ov, "etc"), *pw = look(etc, "passwd");
	struct vnode *letc = look(fx->lower, "etc");
	struct stat before, after;
	struct file *f;
	int64_t off = 0;
	char buf[64];

	vnode_stat(pw, &before);
	f = open_v(pw, O_WRONLY | O_APPEND);
	assert_int_equal(f->ops->write(f, NULL, "x:y\n", 4, &off), 4);
	file_put(f);
	vnode_stat(pw, &after);
	assert_int_equal(before.st_ino, after.st_ino); /* stable across copy-up */
	assert_int_equal(after.st_size, 15);
	read_file(etc, "passwd", buf, sizeof(buf));
	assert_string_equal(buf, "root:x:0:0\nx:y\n");
	read_file(letc, "passwd", buf, sizeof(buf));
	assert_string_equal(buf, "root:x:0:0\n"); /* lower untouched */
	/* a fresh lookup after the vnode is gone finds the same object */
	vnode_put(pw);
	pw = look(etc, "passwd");
	vnode_stat(pw, &after);
	assert_int_equal(before.st_ino, after.st_ino);
	vnode_put(pw);
	vnode_put(letc);
	vnode_put(etc);
}

static void test_setattr_and_truncate(void **state)
{
	struct fixture *fx = *state;
	struct vnode *etc = look(fx->ov, "etc"), *g = look(etc, "group");
	struct vnode *letc = look(fx->lower, "etc"), *lg = look(letc, "group");
	struct vnode_attr a = { .mask = VA_MODE | VA_UID, .mode = 0600, .uid = 7 };
	struct stat st;

	assert_int_equal(vnode_setattr(g, &a), 0);
	vnode_stat(g, &st);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(lg->mode & 07777, 0644);
	assert_int_equal(lg->uid, 0);
	assert_int_equal(g->ops->truncate(g, 2), 0);
	vnode_stat(g, &st);
	assert_int_equal(st.st_size, 2);
	assert_int_equal(lg->size, 9);
	assert_int_equal(etc->ops->truncate(etc, 0), -EISDIR);
	{
		struct vnode *pw = look(etc, "passwd");
		char buf[64];

		assert_int_equal(pw->ops->truncate(pw, 0), 0); /* copy-up without data */
		vnode_stat(pw, &st);
		assert_int_equal(st.st_size, 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		read_file(letc, "passwd", buf, sizeof(buf));
		assert_string_equal(buf, "root:x:0:0\n");
		vnode_put(pw);
	}
	vnode_put(lg);
	vnode_put(letc);
	vnode_put(g);
	vnode_put(etc);
}

static void test_merged_readdir(void **state)
{
	struct fixture *fx = *state;
	struct vnode *data = look(fx->ov, "data");
	struct names s, t;

	put_file(data, "new", "N");
	assert_int_equal(data->ops->unlink(data, "a", 0), 0);
	list(data, 0, &s);
	assert_string_equal(s.buf, ". .. new b sub ");
	/* resuming from every cookie gives the rest of the same listing */
	for (int i = 0; i < s.n; i++) {
		const char *rest = s.buf;

		for (int k = 0; k <= i; k++)
			rest = strchr(rest, ' ') + 1;
		list(data, s.cookies[i], &t);
		assert_string_equal(t.buf, rest);
	}
	/* an entry removed between calls is not listed again */
	list(data, s.cookies[3], &t); /* after "b" */
	assert_int_equal(data->ops->unlink(data, "b", 0), 0);
	list(data, s.cookies[3], &t);
	assert_string_equal(t.buf, "sub ");
	vnode_put(data);
}

static void test_whiteout_and_opaque(void **state)
{
	struct fixture *fx = *state;
	struct vnode *data = look(fx->ov, "data"), *sub, *ldata = look(fx->lower, "data");
	struct names s;

	assert_int_equal(fx->ov->ops->unlink(fx->ov, "data", 1), -ENOTEMPTY);
	assert_int_equal(data->ops->unlink(data, "sub", 1), -ENOTEMPTY);
	assert_int_equal(data->ops->unlink(data, "sub", 0), -EISDIR);
	assert_int_equal(data->ops->unlink(data, "a", 1), -ENOTDIR);
	sub = look(data, "sub");
	assert_int_equal(sub->ops->unlink(sub, "c", 0), 0);
	assert_int_equal(data->ops->unlink(data, "sub", 1), 0);
	assert_int_equal(sub->nlink, 0);
	vnode_put(sub);
	assert_int_equal(lookup_err(data, "sub"), -ENOENT);
	assert_int_equal(data->ops->unlink(data, "a", 0), 0);
	assert_int_equal(data->ops->unlink(data, "b", 0), 0);
	assert_int_equal(data->ops->unlink(data, "a", 0), -ENOENT);
	list(data, 0, &s);
	assert_string_equal(s.buf, ". .. ");
	assert_int_equal(fx->ov->ops->unlink(fx->ov, "data", 1), 0);
	vnode_put(data);
	/* recreated: opaque, the lower contents stay hidden */
	mkdir_in(fx->ov, "data");
	data = look(fx->ov, "data");
	list(data, 0, &s);
	assert_string_equal(s.buf, ". .. ");
	assert_int_equal(lookup_err(data, "sub"), -ENOENT);
	vnode_put(data);
	/* the lower layer still has everything */
	list(ldata, 0, &s);
	assert_string_equal(s.buf, ". .. a b sub ");
	vnode_put(ldata);
	/* a file over a whiteout, and EEXIST for visible names */
	assert_int_equal(fx->ov->ops->create(fx->ov, "etc", S_IFREG | 0644, 0, NULL, NULL),
			 -EEXIST);
}

static void test_rename(void **state)
{
	struct fixture *fx = *state;
	struct vnode *data = look(fx->ov, "data"), *etc = look(fx->ov, "etc"), *sub;
	char buf[64];
	struct names s;

	/* files: copied up, the old name whited out */
	assert_int_equal(data->ops->rename(data, "a", etc, "a2", 0), 0);
	read_file(etc, "a2", buf, sizeof(buf));
	assert_string_equal(buf, "A");
	assert_int_equal(lookup_err(data, "a"), -ENOENT);
	assert_int_equal(data->ops->rename(data, "b", etc, "passwd", 1U), -EEXIST);
	assert_int_equal(data->ops->rename(data, "b", etc, "passwd", 0), 0);
	read_file(etc, "passwd", buf, sizeof(buf));
	assert_string_equal(buf, "B");
	assert_int_equal(data->ops->rename(data, "nope", etc, "x", 0), -ENOENT);
	assert_int_equal(data->ops->rename(data, "sub", etc, "x", 3U), -EINVAL);
	/* pure upper directories move, not into themselves */
	mkdir_in(fx->ov, "u");
	sub = look(fx->ov, "u");
	mkdir_in(sub, "in");
	assert_int_equal(fx->ov->ops->rename(fx->ov, "u", sub, "x", 0), -EINVAL);
	assert_int_equal(fx->ov->ops->rename(fx->ov, "u", etc, "u", 0), 0);
	vnode_put(sub);
	sub = look(etc, "u");
	list(sub, 0, &s);
	assert_string_equal(s.buf, ". .. in ");
	/* a file and a directory do not replace each other */
	assert_int_equal(etc->ops->rename(etc, "group", etc, "u", 0), -EISDIR);
	assert_int_equal(etc->ops->rename(etc, "u", etc, "group", 0), -ENOTDIR);
	vnode_put(sub);
	list(data, 0, &s);
	assert_string_equal(s.buf, ". .. sub ");
	vnode_put(etc);
	vnode_put(data);
}

static void test_rename_lower_dir(void **state)
{
	struct fixture *fx = *state;
	struct vnode *data = look(fx->ov, "data"), *sub = look(data, "sub"), *d2, *s2;
	struct stat before, after;
	char buf[64];
	struct names s;

	vnode_stat(sub, &before);
	assert_int_equal(sub->ops->unlink(sub, "c", 0), 0);
	put_file(sub, "c2", "C2");
	vnode_put(sub);
	/* the whole tree moves (copied up first); the old name is gone */
	assert_int_equal(fx->ov->ops->rename(fx->ov, "data", fx->ov, "d2", 0), 0);
	assert_int_equal(lookup_err(fx->ov, "data"), -ENOENT);
	d2 = look(fx->ov, "d2");
	list_sorted(d2, s.buf);
	assert_string_equal(s.buf, ". .. a b sub ");
	s2 = look(d2, "sub");
	list(s2, 0, &s);
	assert_string_equal(s.buf, ". .. c2 ");
	vnode_stat(s2, &after);
	assert_int_equal(before.st_ino, after.st_ino);
	read_file(d2, "a", buf, sizeof(buf));
	assert_string_equal(buf, "A");
	/* a new "data" does not see the lower one (the old name is whited out) */
	mkdir_in(fx->ov, "data");
	vnode_put(data);
	data = look(fx->ov, "data");
	list(data, 0, &s);
	assert_string_equal(s.buf, ". .. ");
	/* and back over the (empty) new one */
	assert_int_equal(fx->ov->ops->rename(fx->ov, "d2", fx->ov, "data", 0), 0);
	vnode_put(data);
	data = look(fx->ov, "data");
	list_sorted(data, s.buf);
	assert_string_equal(s.buf, ". .. a b sub ");
	/* the lower layer is untouched */
	vnode_put(s2);
	s2 = look(fx->lower, "data");
	list(s2, 0, &s);
	assert_string_equal(s.buf, ". .. a b sub ");
	vnode_put(s2);
	vnode_put(d2);
	vnode_put(data);
}

static void test_link_and_fifo(void **state)
{
	struct fixture *fx = *state;
	struct vnode *etc = look(fx->ov, "etc"), *pw = look(etc, "passwd"), *l;
	struct stat st;

	assert_int_equal(etc->ops->link(etc, "pw2", pw), 0);
	assert_int_equal(etc->ops->link(etc, "pw2", pw), -EEXIST);
	assert_int_equal(etc->ops->link(etc, "d", etc), -EPERM);
	assert_int_equal(etc->ops->link(etc, "x", fx->lower), -EXDEV);
	vnode_stat(pw, &st);
	assert_int_equal(st.st_nlink, 2);
	l = look(etc, "pw2");
	assert_true(S_ISREG(l->mode));
	vnode_put(l);
	/* a 0/0 device the application makes is a device, not a whiteout */
	assert_int_equal(etc->ops->create(etc, "cdev", S_IFCHR | 0600, 0, NULL, NULL), 0);
	l = look(etc, "cdev");
	assert_true(S_ISCHR(l->mode));
	vnode_put(l);
	assert_int_equal(etc->ops->create(etc, "fifo", S_IFIFO | 0600, 0, NULL, NULL), 0);
	l = look(etc, "fifo");
	assert_true(S_ISFIFO(l->mode));
	vnode_put(l);
	vnode_put(pw);
	vnode_put(etc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_up_on_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setattr_and_truncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merged_readdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whiteout_and_opaque, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_lower_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_and_fifo, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
