/* SPDX-License-Identifier: Apache-2.0 */
#include "kernel.h"
#include "ipc.h"
#include "timer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mount.h>
#include "sentry/vfs/file.h"

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/fs/devfs.h"
#include "sentry/fs/goferfs.h"
#include "sentry/fs/overlay.h"
#include "sentry/fs/procfs.h"
#include "sentry/fs/pty.h"
#include "sentry/fs/tty.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/net/netfiles.h"
#include "sentry/net/netif.h"
#include "sentry/vfs/vfs.h"

/*
 * The root file system until the Gofer serves one (issue 4): a tmpfs with
 * /dev (devices), /tmp and /proc (empty, procfs comes later).
 */
/* Mount @root (reference taken) on the directory @name of @at (whose path
 * is @at_path: "" for the root), if there is one.  Returns 0 when there is
 * nothing to mount on (-ENOENT is fine). */
static int mount_on_at(struct kernel *k, struct path at, const char *at_path, const char *name,
		       struct vnode *root, unsigned flags, const char *source, const char *fstype)
{
	struct vnode *point = NULL;
	struct path p;
	char target[64];
	int r;

	if (k->nmounts >= (int)ARRAY_SIZE(k->mounts)) {
		vnode_put(root);
		return -ENOSPC;
	}
	r = at.v->ops->lookup ? at.v->ops->lookup(at.v, name, &point) : -ENOENT;
	if (r < 0 || !S_ISDIR(point->mode)) {
		vnode_put(point);
		vnode_put(root);
		return r == -ENOENT || r == 0 ? 0 : r;
	}
	p = (struct path){ at.mnt, point };
	snprintf(target, sizeof(target), "%s/%s", at_path, name);
	r = vfs_mount(&p, root, flags, source, fstype, target, &k->mounts[k->nmounts]);
	if (r == 0)
		k->nmounts++;
	else
		vnode_put(root);
	vnode_put(point);
	return r;
}

static int mount_on(struct kernel *k, struct path at, const char *name, struct vnode *root,
		    unsigned flags, const char *source, const char *fstype)
{
	return mount_on_at(k, at, "", name, root, flags, source, fstype);
}

/*
 * The root file system: the Gofer's export under an overlay with a tmpfs
 * upper (or read-only, --overlay=none) or, without a Gofer, a tmpfs; then a tmpfs /tmp (Gofer root
 * only), device nodes in /dev, procfs in /proc, a minimal sysfs in /sys.
 */
static int setup_rootfs(struct kernel *k)
{
	struct vnode *root = NULL, *dev = NULL;
	unsigned rootflags = 0;
	int r, n;

	if (k->opts.use_gofer) {
		r = goferfs_conn_new(k->opts.gofer_sock, &k->gofer);
		k->opts.gofer_sock = -1;
		if (r == 0)
			r = goferfs_attach(k->gofer, "/", true, &root);
		if (r < 0)
			return r;
		k->gofer_root = root;
		if (k->opts.no_overlay)
			rootflags = MS_RDONLY;
		/* A read-only root with bind mounts still gets the overlay,
		 * mounted read-only: mount points missing from the rootfs are
		 * made in its upper layer (runc makes them before it remounts
		 * the root read-only). */
		if (!k->opts.no_overlay || k->opts.nbinds) {
			r = overlay_create(root, &root);
			if (r < 0) {
				k->gofer_root = NULL; /* gone with the failure */
				return r;
			}
		}
	} else {
		root = tmpfs_create_root(0755);
		if (!root)
			return -ENOMEM;
	}
	if (!k->opts.use_gofer)
		r = vfs_mount(NULL, root, 0, "none", "tmpfs", "/", &k->mounts[0]);
	else if (root == k->gofer_root)
		r = vfs_mount(NULL, root, rootflags, "gofer", "9p", "/", &k->mounts[0]);
	else
		r = vfs_mount(NULL, root, rootflags, "overlay", "overlay", "/", &k->mounts[0]);
	if (r < 0) {
		vnode_put(root);
		return r;
	}
	k->nmounts = 1;
	k->root = (struct path){ k->mounts[0], root }; /* the mount's reference */

	if (!k->opts.use_gofer) {
		r = root->ops->create(root, "dev", S_IFDIR | 0755, 0, NULL, NULL);
		if (r == 0)
			r = root->ops->create(root, "tmp", S_IFDIR | 01777, 0, NULL, NULL);
		if (r == 0)
			r = root->ops->create(root, "proc", S_IFDIR | 0555, 0, NULL, NULL);
		if (r == 0)
			r = root->ops->create(root, "sys", S_IFDIR | 0555, 0, NULL, NULL);
		if (r < 0)
			return r;
	} else {
		struct vnode *tmp = tmpfs_create_root(01777);

		r = tmp ? mount_on(k, k->root, "tmp", tmp, MS_NOSUID | MS_NODEV, "tmpfs", "tmpfs")
			: -ENOMEM;
		if (r < 0)
			return r;
	}
	/* /dev: a small tmpfs with the device nodes */
	dev = tmpfs_create_root(0755);
	if (!dev)
		return -ENOMEM;
	r = devfs_populate(dev);
	if (r < 0) {
		vnode_put(dev);
		return r;
	}
	/* /dev/shm: POSIX shared memory and semaphores (sem_open); /dev/pts */
	r = dev->ops->create(dev, "shm", S_IFDIR | 01777, 0, NULL, NULL);
	if (r == 0)
		r = dev->ops->create(dev, "pts", S_IFDIR | 0755, 0, NULL, NULL);
	if (r < 0) {
		vnode_put(dev);
		return r;
	}
	vnode_get(dev); /* mount_on takes one reference, /dev/shm needs it after */
	n = k->nmounts;
	r = mount_on(k, k->root, "dev", dev, MS_NOSUID | MS_NOEXEC, "devtmpfs", "devtmpfs");
	if (r == 0 && k->nmounts > n) { /* mounted (the rootfs has a /dev) */
		struct vnode *shm = tmpfs_create_root(01777);
		struct path at = { k->mounts[k->nmounts - 1], dev };

		r = shm ? mount_on_at(k, at, "/dev", "shm", shm, MS_NOSUID | MS_NODEV, "shm", "tmpfs")
			: -ENOMEM;
		if (r == 0) {
			struct vnode *pts = devpts_create_root(k);

			n = k->nmounts;
			r = pts ? mount_on_at(k, at, "/dev", "pts", pts, MS_NOSUID | MS_NOEXEC,
					      "devpts", "devpts")
				: -ENOMEM;
			if (r == 0 && k->nmounts > n)
				devpts_set_mount(k, k->mounts[k->nmounts - 1]);
			else
				k->devpts = NULL; /* not mounted: freed */
		}
	}
	vnode_put(dev);
	if (r < 0)
		return r;
	{
		struct vnode *proc = procfs_create_root(k);

		r = proc ? mount_on(k, k->root, "proc", proc, MS_NOSUID | MS_NODEV | MS_NOEXEC,
				    "proc", "proc")
			 : -ENOMEM;
	}
	if (r == 0) { /* a minimal read-only sysfs (procfs.h), if the rootfs has /sys */
		struct vnode *sys = sysfs_create_root(k);

		r = sys ? mount_on(k, k->root, "sys", sys,
				   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "sysfs", "sysfs")
			: -ENOMEM;
	}
	return r;
}

static void free_mounts(struct kernel *k)
{
	/* The goferfs name cache holds vnodes of the tree: drop it first. */
	goferfs_unmount(k->gofer_root);
	k->gofer_root = NULL;
	for (int i = k->nmounts - 1; i >= 0; i--) {
		struct mount *m = k->mounts[i];

		vfs_forget_mount(m);
		vnode_put(m->root);
		vnode_put(m->point);
		free(m->source);
		free(m->fstype);
		free(m->target);
		free(m);
	}
	k->nmounts = 0;
	goferfs_conn_put(k->gofer); /* the trees still alive hold their own */
	k->gofer = NULL;
}

int kernel_create(struct plat *plat, const struct kernel_opts *opts, struct kernel **ret)
{
	struct kernel *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	k->plat = plat;
	if (opts)
		k->opts = *opts;
	snprintf(k->hostname, sizeof(k->hostname), "%s",
		 k->opts.hostname ? k->opts.hostname : "cvisor");
	k->opts.hostname = k->hostname;
	k->boot_ns = mono_ns();
	k->next_tid = 2; /* pid 1 is only ever init (task_create_process) */
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	int r = ktimer_base_create(&k->timers);
	if (r == 0)
		r = ipc_ns_new(&k->ipc);
	if (r == 0)
		r = setup_rootfs(k);
	if (r == 0)
		r = kernel_mount_binds(k);
	if (r == 0 && k->opts.net_mode == NET_HOST)
		(void)netif_load_host(); /* the host's interfaces (else lo's) */
	if (r == 0) /* /etc/hosts, hostname, resolv.conf: best effort */
		(void)netfiles_install(k);
	if (r < 0) {
		free_mounts(k);
		ipc_ns_free(k->ipc);
		ktimer_base_destroy(k->timers);
		free(k);
		return r;
	}
	*ret = k;
	return 0;
}

void kernel_destroy(struct kernel *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	while (k->ntasks > 0)
		pthread_cond_wait(&k->cond, &k->lock);
	pthread_mutex_unlock(&k->lock);
	tty_host_wait_all(); /* host terminal pumps use the kernel */
	free_mounts(k);
	ipc_ns_free(k->ipc);
	netfiles_forget(k);
	ktimer_base_destroy(k->timers);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->cond);
	free(k);
}

int kernel_make_dir(struct kernel *k, const char *path)
{
	struct vnode *dir = vnode_get(k->root.v), *v;
	const char *p = path;
	char name[VFS_NAME_MAX + 1];
	int r = 0;

	if (*p != '/') {
		vnode_put(dir);
		return -EINVAL;
	}
	for (;;) {
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		n = strcspn(p, "/");
		if (n > VFS_NAME_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, n);
		name[n] = 0;
		p += n;
		r = dir->ops->lookup(dir, name, &v);
		if (r == -ENOENT)
			r = dir->ops->create(dir, name, S_IFDIR | 0755, 0, NULL, &v);
		if (r < 0)
			break;
		vnode_put(dir);
		dir = v;
		if (!S_ISDIR(dir->mode)) {
			r = -ENOTDIR;
			break;
		}
	}
	vnode_put(dir);
	return r;
}

int kernel_install_file(struct kernel *k, const char *path, const void *data, size_t len,
			mode_t mode)
{
	struct vnode *dir = vnode_get(k->root.v), *v = NULL;
	char name[VFS_NAME_MAX + 1];
	const char *p = path;
	struct file *f = NULL;
	int64_t off = 0;
	int r = 0;

	if (*p != '/') {
		vnode_put(dir);
		return -EINVAL;
	}
	for (;;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || n > VFS_NAME_MAX) {
			r = -EINVAL;
			break;
		}
		memcpy(name, p, n);
		name[n] = 0;
		p += n;
		if (*p == 0) {
			r = dir->ops->create(dir, name, S_IFREG | (mode & 07777), 0, NULL, &v);
			break;
		}
		r = dir->ops->lookup(dir, name, &v);
		if (r == -ENOENT)
			r = dir->ops->create(dir, name, S_IFDIR | 0755, 0, NULL, &v);
		if (r < 0)
			break;
		vnode_put(dir);
		dir = v;
		v = NULL;
	}
	vnode_put(dir);
	if (r == 0)
		r = v->ops->open(v, O_WRONLY, &f);
	if (r == 0) {
		f->path.v = v; /* the file owns the vnode reference now */
		v = NULL;
		if (f->ops->write(f, NULL, data, len, &off) != (ssize_t)len)
			r = -EIO;
		file_put(f);
	}
	vnode_put(v);
	return r;
}

int kernel_alloc_tid_locked(struct kernel *k, struct task *t, int32_t *ret)
{
	/* Linux hands out increasing pids and wraps; so do we. */
	for (int i = 0; i < KERNEL_PID_MAX - 1; i++) {
		int32_t tid = k->next_tid;

		k->next_tid = tid + 1 >= KERNEL_PID_MAX ? 2 : tid + 1;
		if (!k->tids[tid] && !k->tgs[tid]) {
			k->tids[tid] = t;
			*ret = tid;
			return 0;
		}
	}
	return -EAGAIN;
}

void kernel_free_tid_locked(struct kernel *k, int32_t tid)
{
	if (tid > 0 && tid < KERNEL_PID_MAX)
		k->tids[tid] = NULL;
}

void kernel_set_net_mode(struct kernel *k, enum net_mode mode)
{
	int changed = k->opts.net_mode != mode;

	k->opts.net_mode = mode;
	if (changed && mode == NET_HOST)
		(void)netif_load_host();
	if (changed)
		(void)netfiles_install_resolv(k); /* the mode's /etc/resolv.conf */
}

int kernel_wait_init(struct kernel *k)
{
	int status;

	pthread_mutex_lock(&k->lock);
	while (!k->init_exited)
		pthread_cond_wait(&k->cond, &k->lock);
	status = k->init_status;
	pthread_mutex_unlock(&k->lock);
	return status;
}
