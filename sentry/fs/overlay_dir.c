/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay: directory operations (create, link, unlink, rename) and the
 * merged readdir.
 *
 * readdir lists ".", "..", then the upper entries (cookies: the upper
 * tmpfs's, which are stable and increasing), then the lower entries not
 * shadowed by an upper entry or whiteout (cookies: OVL_LOWER_COOKIE | the
 * lower file system's offset of that entry, resumed by exact match since
 * host offsets need not increase).  Whiteouts are never listed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "overlay_impl.h"
#include "lib/macro.h"

struct ent {
	char *name;
	uint64_t pos, next, ino;
	unsigned type;
	int hide;
};

struct list {
	struct ent *e;
	size_t n, cap;
	uint64_t lpos; /* lower: offset of the next entry */
	int err;
};

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].name);
	free(l->e);
}

static int add(struct list *l, const char *name, uint64_t pos, uint64_t next, uint64_t ino,
	       unsigned type)
{
	struct ent *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;

		e = realloc(l->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	e = &l->e[l->n];
	*e = (struct ent){ .name = strdup(name), .pos = pos, .next = next, .ino = ino,
			   .type = type };
	if (!e->name)
		return -ENOMEM;
	l->n++;
	return 0;
}

static int upper_cb(void *ctx, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct list *l = ctx;

	l->err = add(l, name, next - 1, next, ino, type);
	return l->err != 0;
}

static int lower_cb(void *ctx, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct list *l = ctx;

	l->err = add(l, name, l->lpos, next, ino, type);
	if (l->err == 0 && (!strcmp(name, ".") || !strcmp(name, "..")))
		l->e[l->n - 1].hide = 1;
	l->lpos = next;
	return l->err != 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hide the lower entries that an upper entry (or whiteout) shadows. */
static int shadow(const struct list *up, struct list *lo)
{
	_cleanup_free_ char **names = NULL;

	if (up->n == 0)
		return 0;
	names = malloc(up->n * sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < up->n; i++)
		names[i] = up->e[i].name;
	qsort(names, up->n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < lo->n; i++) {
		char *key = lo->e[i].name;

		if (!lo->e[i].hide && bsearch(&key, names, up->n, sizeof(*names), cmp_name))
			lo->e[i].hide = 1;
	}
	return 0;
}

/* The upper and (unless opaque) lower entries of @dir, sb lock held. */
static int collect(struct vnode *dir, struct list *up, struct list *lo)
{
	struct ovl_node *d = ovl_n(dir);
	int r = 0;

	if (d->upper) {
		r = d->upper->ops->readdir(d->upper, 2, upper_cb, up);
		if (r == 0)
			r = up->err;
		for (size_t i = 0; r == 0 && i < up->n; i++) {
			struct ent *e = &up->e[i];

			e->hide = e->type == DT_CHR && ovl_is_whiteout(d->sb, S_IFCHR, e->ino);
			e->ino = ovl_upper_entry_ino(d->sb, e->ino);
		}
	}
	if (r == 0 && d->lower && !ovl_is_opaque(d)) {
		r = d->lower->ops->readdir(d->lower, 0, lower_cb, lo);
		if (r == 0)
			r = lo->err;
		if (r == 0)
			r = shadow(up, lo);
	}
	return r;
}

int ovl_readdir(struct vnode *dir, uint64_t cookie, vfs_dirent_fn fn, void *ctx)
{
	struct ovl_node *d = ovl_n(dir);
	struct list up = { 0 }, lo = { 0 };
	size_t start = 0;
	int r;

	pthread_mutex_lock(&d->sb->lock);
	r = collect(dir, &up, &lo);
	if (r < 0)
		goto out;
	if (cookie == 0 && fn(ctx, ".", dir->ino, DT_DIR, 1))
		goto out;
	if (cookie <= 1 && fn(ctx, "..", d->oparent ? d->oparent->ino : dir->ino, DT_DIR, 2))
		goto out;
	if (!(cookie & OVL_LOWER_COOKIE)) {
		for (size_t i = 0; i < up.n; i++) {
			struct ent *e = &up.e[i];

			if (e->hide || e->pos < cookie)
				continue;
			if (fn(ctx, e->name, e->ino, e->type, e->next))
				goto out;
		}
	} else {
		for (start = 0; start < lo.n; start++)
			if (lo.e[start].pos == (cookie & ~OVL_LOWER_COOKIE))
				break;
	}
	for (size_t i = start; i < lo.n; i++) {
		struct ent *e = &lo.e[i];

		if (!e->hide && fn(ctx, e->name, e->ino, e->type, e->next | OVL_LOWER_COOKIE))
			break;
	}
out:
	pthread_mutex_unlock(&d->sb->lock);
	list_free(&up);
	list_free(&lo);
	return r;
}

/* Is the merged directory @v empty (whiteouts do not count)? */
static int union_empty(struct vnode *v)
{
	struct list up = { 0 }, lo = { 0 };
	int r = collect(v, &up, &lo);

	for (size_t i = 0; r == 0 && i < up.n; i++)
		if (!up.e[i].hide)
			r = -ENOTEMPTY;
	for (size_t i = 0; r == 0 && i < lo.n; i++)
		if (!lo.e[i].hide)
			r = -ENOTEMPTY;
	list_free(&up);
	list_free(&lo);
	return r;
}

/* Remove the whiteouts in the upper directory @u (before removing it). */
static int purge_whiteouts(struct ovl_sb *sb, struct vnode *u)
{
	struct list up = { 0 };
	int r = u->ops->readdir(u, 2, upper_cb, &up);

	if (r == 0)
		r = up.err;
	for (size_t i = 0; r == 0 && i < up.n; i++)
		if (up.e[i].type == DT_CHR && ovl_is_whiteout(sb, S_IFCHR, up.e[i].ino)) {
			r = u->ops->unlink(u, up.e[i].name, 0);
			if (r == 0)
				ovl_info_drop(sb, up.e[i].ino);
		}
	list_free(&up);
	return r;
}

/* Remove a whiteout at @name in upper @pu: 1 if there was one. */
static int drop_whiteout(struct ovl_sb *sb, struct vnode *pu, const char *name)
{
	struct vnode *w;
	int r, wh;

	if (pu->ops->lookup(pu, name, &w) < 0)
		return 0;
	wh = ovl_is_whiteout(sb, w->mode, w->ino);
	if (!wh) {
		vnode_put(w);
		return 0;
	}
	r = pu->ops->unlink(pu, name, 0);
	if (r == 0)
		ovl_info_drop(sb, w->ino);
	vnode_put(w);
	return r < 0 ? r : 1;
}

static int make_whiteout(struct ovl_sb *sb, struct vnode *pu, const char *name)
{
	struct ovl_info *i;
	struct vnode *w;
	int r = pu->ops->create(pu, name, S_IFCHR, 0, NULL, &w);

	if (r < 0)
		return r;
	i = ovl_info_get(sb, w->ino, 1);
	if (i)
		i->whiteout = 1;
	else
		(void)pu->ops->unlink(pu, name, 0);
	vnode_put(w);
	return i ? 0 : -ENOMEM;
}

static int mark_opaque(struct ovl_sb *sb, struct vnode *u)
{
	struct ovl_info *i = ovl_info_get(sb, u->ino, 1);

	if (!i)
		return -ENOMEM;
	i->opaque = 1;
	return 0;
}

/* Common start of every entry creation: @name must be free, @dir gets an
 * upper, a whiteout at @name goes (*ret_wh: there was one). */
static int prepare_new(struct vnode *dir, const char *name, int *ret_wh)
{
	struct vnode *v;
	int r;

	r = ovl_lookup_locked(dir, name, &v);
	if (r == 0) {
		vnode_put(v);
		return -EEXIST;
	}
	if (r != -ENOENT)
		return r;
	if (ovl_n(dir)->removed)
		return -ENOENT;
	r = ovl_copy_up(dir);
	if (r < 0)
		return r;
	r = drop_whiteout(ovl_n(dir)->sb, ovl_n(dir)->upper, name);
	if (r < 0)
		return r;
	*ret_wh = r;
	return 0;
}

int ovl_create(struct vnode *dir, const char *name, mode_t mode, dev_t rdev,
	       const struct creds *c, struct vnode **ret)
{
	struct ovl_sb *sb = ovl_n(dir)->sb;
	struct vnode *pu, *u = NULL;
	int r, wh = 0;

	pthread_mutex_lock(&sb->lock);
	r = prepare_new(dir, name, &wh);
	if (r < 0)
		goto out;
	pu = ovl_n(dir)->upper;
	r = pu->ops->create(pu, name, mode, rdev, c, &u);
	if (r < 0) {
		if (wh)
			(void)make_whiteout(sb, pu, name);
		goto out;
	}
	/* A directory where a lower name was removed must hide it. */
	if (S_ISDIR(mode) && wh)
		r = mark_opaque(sb, u);
	if (r == 0 && ret)
		r = ovl_make_node(dir, name, u, NULL, ret);
	vnode_put(u);
out:
	pthread_mutex_unlock(&sb->lock);
	return r;
}

int ovl_symlink(struct vnode *dir, const char *name, const char *target, const struct creds *c)
{
	struct ovl_sb *sb = ovl_n(dir)->sb;
	int r, wh = 0;

	pthread_mutex_lock(&sb->lock);
	r = prepare_new(dir, name, &wh);
	if (r == 0)
		r = ovl_n(dir)->upper->ops->symlink(ovl_n(dir)->upper, name, target, c);
	pthread_mutex_unlock(&sb->lock);
	return r;
}

int ovl_link(struct vnode *dir, const char *name, struct vnode *v)
{
	struct ovl_sb *sb = ovl_n(dir)->sb;
	int r, wh = 0;

	if (v->ops != &ovl_vops || ovl_n(v)->sb != sb)
		return -EXDEV;
	if (S_ISDIR(v->mode))
		return -EPERM;
	pthread_mutex_lock(&sb->lock);
	r = prepare_new(dir, name, &wh);
	if (r == 0)
		r = ovl_copy_up(v);
	if (r == 0)
		r = ovl_n(dir)->upper->ops->link(ovl_n(dir)->upper, name, ovl_n(v)->upper);
	if (r == 0)
		ovl_sync_attrs(v);
	pthread_mutex_unlock(&sb->lock);
	return r;
}

/* @v (child of @dir) is gone from the namespace. */
static void forget(struct vnode *v)
{
	ovl_uncache(ovl_n(v));
	ovl_n(v)->removed = 1;
	ovl_sync_attrs(v);
}

int ovl_unlink(struct vnode *dir, const char *name, int rmdir)
{
	struct ovl_sb *sb = ovl_n(dir)->sb;
	struct vnode *v = NULL, *pu;
	int r, wh;

	pthread_mutex_lock(&sb->lock);
	r = ovl_lookup_locked(dir, name, &v);
	if (r < 0)
		goto out;
	if (rmdir && !S_ISDIR(v->mode))
		r = -ENOTDIR;
	else if (!rmdir && S_ISDIR(v->mode))
		r = -EISDIR;
	else if (rmdir)
		r = union_empty(v);
	if (r == 0)
		r = ovl_copy_up(dir);
	if (r < 0)
		goto out;
	pu = ovl_n(dir)->upper;
	wh = ovl_lower_visible(dir, name);
	if (ovl_n(v)->upper) {
		if (rmdir)
			r = purge_whiteouts(sb, ovl_n(v)->upper);
		if (r == 0)
			r = pu->ops->unlink(pu, name, rmdir);
	}
	if (r == 0 && wh)
		r = make_whiteout(sb, pu, name);
	if (r == 0)
		forget(v);
out:
	vnode_put(v);
	pthread_mutex_unlock(&sb->lock);
	return r;
}

/* A directory whose contents still come (partly) from the lower layer. */
static int has_lower_dir(struct vnode *v)
{
	struct ovl_node *n = ovl_n(v);
	struct ovl_info *i;

	if (!S_ISDIR(v->mode) || ovl_is_opaque(n))
		return 0;
	if (n->lower)
		return 1;
	i = ovl_info_get(n->sb, n->upper->ino, 0);
	return i && i->has_origin;
}

/*
 * Copy up @v and everything visible under it, and make each directory
 * opaque: afterwards the tree no longer depends on the lower layer and can
 * move like a pure upper one.  (Linux without redirect_dir says EXDEV and
 * lets mv copy; this does the same copy, atomically for the application.)
 * Recursion follows the lower tree's depth, not the application's.
 */
static int copy_up_tree(struct vnode *v)
{
	struct list up = { 0 }, lo = { 0 };
	int r = ovl_copy_up(v);

	if (r < 0 || !has_lower_dir(v))
		return r;
	r = collect(v, &up, &lo);
	for (int pass = 0; pass < 2 && r == 0; pass++) {
		struct list *l = pass ? &lo : &up;

		for (size_t i = 0; i < l->n && r == 0; i++) {
			struct vnode *c;

			if (l->e[i].hide)
				continue;
			r = ovl_lookup_locked(v, l->e[i].name, &c);
			if (r < 0)
				break;
			if (!ovl_n(c)->upper || has_lower_dir(c))
				r = copy_up_tree(c);
			vnode_put(c);
		}
	}
	if (r == 0)
		r = mark_opaque(ovl_n(v)->sb, ovl_n(v)->upper);
	list_free(&up);
	list_free(&lo);
	return r;
}

static int is_ancestor(struct vnode *a, struct vnode *b)
{
	for (struct vnode *p = b; p; p = ovl_n(p)->oparent)
		if (p == a)
			return 1;
	return 0;
}

/* Move the cached node @v to @ndir/@nname. */
static int move_node(struct vnode *v, struct vnode *ndir, const char *nname)
{
	struct ovl_node *n = ovl_n(v);
	struct vnode *old = n->oparent;
	char *s = strdup(nname);

	ovl_uncache(n); /* without memory: left out of the cache, still correct */
	if (!s)
		return -ENOMEM;
	free(n->name);
	n->name = s;
	n->oparent = vnode_get(ndir);
	n->sibling = ovl_n(ndir)->kids;
	ovl_n(ndir)->kids = n;
	/* ".." readers (vfs go_up) take v->lock; the old parent stays
	 * referenced until they can no longer see it. */
	pthread_mutex_lock(&v->lock);
	v->parent = ndir;
	pthread_mutex_unlock(&v->lock);
	vnode_put(old);
	return 0;
}

static int do_rename(struct vnode *odir, const char *oname, struct vnode *ndir,
		     const char *nname, unsigned flags)
{
	struct ovl_sb *sb = ovl_n(odir)->sb;
	struct vnode *src = NULL, *tgt = NULL, *opu, *npu;
	int r, wh = 0, exchange = !!(flags & 2U);

	r = ovl_lookup_locked(odir, oname, &src);
	if (r < 0)
		return r;
	r = ovl_lookup_locked(ndir, nname, &tgt);
	if (r == -ENOENT && !exchange && !ovl_n(ndir)->removed)
		r = 0;
	if (r < 0)
		goto out;
	if (tgt == src)
		goto out; /* the same name: nothing to do */
	if (S_ISDIR(src->mode) && is_ancestor(src, ndir)) {
		r = -EINVAL;
		goto out;
	}
	if (exchange && S_ISDIR(tgt->mode) && is_ancestor(tgt, odir)) {
		r = -EINVAL;
		goto out;
	}
	if (tgt && !exchange) {
		if (flags & 1U)
			r = -EEXIST;
		else if (S_ISDIR(src->mode) && !S_ISDIR(tgt->mode))
			r = -ENOTDIR;
		else if (!S_ISDIR(src->mode) && S_ISDIR(tgt->mode))
			r = -EISDIR;
		else if (S_ISDIR(tgt->mode))
			r = union_empty(tgt);
		if (r < 0)
			goto out;
	}
	r = copy_up_tree(src);
	if (r == 0 && exchange)
		r = copy_up_tree(tgt);
	if (r == 0)
		r = ovl_copy_up(odir);
	if (r == 0)
		r = ovl_copy_up(ndir);
	if (r < 0)
		goto out;
	opu = ovl_n(odir)->upper;
	npu = ovl_n(ndir)->upper;
	if (!exchange) {
		if (tgt && ovl_n(tgt)->upper && S_ISDIR(tgt->mode))
			r = purge_whiteouts(sb, ovl_n(tgt)->upper);
		if (r == 0 && !tgt)
			r = drop_whiteout(sb, npu, nname);
		if (r < 0)
			goto out;
		r = 0;
		wh = ovl_lower_visible(odir, oname);
	}
	r = opu->ops->rename(opu, oname, npu, nname, exchange ? 2U : 0);
	if (r < 0)
		goto out;
	if (wh)
		r = make_whiteout(sb, opu, oname);
	/* A moved pure-upper directory must not merge with a lower one. */
	if (r == 0 && S_ISDIR(src->mode))
		r = mark_opaque(sb, ovl_n(src)->upper);
	if (r == 0 && exchange && S_ISDIR(tgt->mode))
		r = mark_opaque(sb, ovl_n(tgt)->upper);
	if (tgt && !exchange)
		forget(tgt);
	if (exchange)
		(void)move_node(tgt, odir, oname);
	(void)move_node(src, ndir, nname);
out:
	vnode_put(src);
	vnode_put(tgt);
	return r;
}

int ovl_rename(struct vnode *odir, const char *oname, struct vnode *ndir, const char *nname,
	       unsigned flags)
{
	struct ovl_sb *sb = ovl_n(odir)->sb;
	int r;

	if ((flags & ~3U) || (flags & 3U) == 3U)
		return -EINVAL;
	if (ndir->ops != &ovl_vops || ovl_n(ndir)->sb != sb)
		return -EXDEV;
	pthread_mutex_lock(&sb->lock);
	r = do_rename(odir, oname, ndir, nname, flags);
	pthread_mutex_unlock(&sb->lock);
	return r;
}
