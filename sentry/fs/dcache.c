/* SPDX-License-Identifier: Apache-2.0 */
#include "dcache.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/vfs/vnode.h"

struct dentry {
	struct dentry *hnext;             /* hash chain */
	struct dentry *prev, *next;       /* LRU: head.next is the newest */
	struct vnode *dir;                /* the key, with name */
	struct vnode *child;              /* referenced; NULL: absent */
	char name[];
};

struct dcache {
	pthread_mutex_t lock; /* protects everything below */
	struct dentry **buckets;
	size_t nbuckets;      /* a power of two */
	size_t count, max;
	struct dentry lru;    /* sentinel of the LRU ring */
};

static uint64_t hash_key(const struct vnode *dir, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)dir;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ^ (h >> 29);
}

struct dcache *dcache_new(size_t max)
{
	struct dcache *c = calloc(1, sizeof(*c));
	size_t n = 64;

	if (!c)
		return NULL;
	while (n < max && n < ((size_t)1 << 20))
		n <<= 1;
	c->buckets = calloc(n, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->nbuckets = n;
	c->max = max ? max : 1;
	c->lru.prev = c->lru.next = &c->lru;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static struct dentry **slot_of(struct dcache *c, const struct vnode *dir, const char *name)
{
	struct dentry **pp = &c->buckets[hash_key(dir, name) & (c->nbuckets - 1)];

	while (*pp && !((*pp)->dir == dir && !strcmp((*pp)->name, name)))
		pp = &(*pp)->hnext;
	return pp;
}

static void lru_unlink(struct dentry *d)
{
	d->prev->next = d->next;
	d->next->prev = d->prev;
}

static void lru_push(struct dcache *c, struct dentry *d)
{
	d->next = c->lru.next;
	d->prev = &c->lru;
	c->lru.next->prev = d;
	c->lru.next = d;
}

/* Unhook @d (lock held); the caller puts its references after unlocking. */
static void unhook(struct dcache *c, struct dentry *d)
{
	struct dentry **pp = slot_of(c, d->dir, d->name);

	*pp = d->hnext;
	lru_unlink(d);
	c->count--;
}

static void drop(struct dentry *d)
{
	while (d) {
		struct dentry *next = d->hnext;

		if (d->child)
			vnode_put(d->child);
		else
			vnode_put(d->dir);
		free(d);
		d = next;
	}
}

int dcache_lookup(struct dcache *c, struct vnode *dir, const char *name, struct vnode **ret)
{
	struct dentry *d;

	pthread_mutex_lock(&c->lock);
	d = *slot_of(c, dir, name);
	if (!d) {
		pthread_mutex_unlock(&c->lock);
		return -ENOENT;
	}
	lru_unlink(d);
	lru_push(c, d);
	*ret = d->child ? vnode_get(d->child) : NULL;
	pthread_mutex_unlock(&c->lock);
	return *ret ? 1 : 0;
}

void dcache_insert(struct dcache *c, struct vnode *dir, const char *name, struct vnode *child)
{
	size_t len = strlen(name);
	struct dentry *d = malloc(sizeof(*d) + len + 1), *victims = NULL, **pp;

	if (!d)
		return;
	memcpy(d->name, name, len + 1);
	d->dir = dir;
	d->child = child ? vnode_get(child) : NULL;
	if (!child)
		vnode_get(dir);
	pthread_mutex_lock(&c->lock);
	pp = slot_of(c, dir, name);
	if (*pp) { /* raced with another lookup of the same name */
		pthread_mutex_unlock(&c->lock);
		d->hnext = NULL;
		drop(d);
		return;
	}
	d->hnext = NULL;
	*pp = d;
	lru_push(c, d);
	c->count++;
	while (c->count > c->max) {
		struct dentry *old = c->lru.prev;

		unhook(c, old);
		old->hnext = victims;
		victims = old;
	}
	pthread_mutex_unlock(&c->lock);
	drop(victims);
}

void dcache_clear(struct dcache *c)
{
	struct dentry *victims = NULL;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	while (c->lru.next != &c->lru) {
		struct dentry *d = c->lru.next;

		unhook(c, d);
		d->hnext = victims;
		victims = d;
	}
	pthread_mutex_unlock(&c->lock);
	/* Putting a child may release its parent, whose own entries are
	 * already gone from the table: no re-entry into the cache. */
	drop(victims);
}

void dcache_free(struct dcache *c)
{
	if (!c)
		return;
	dcache_clear(c);
	pthread_mutex_destroy(&c->lock);
	free(c->buckets);
	free(c);
}
