/* SPDX-License-Identifier: Apache-2.0 */
/* /etc/hosts, /etc/hostname and /etc/resolv.conf of the sandbox. */
#include "netfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/kernel/control.h"
#include "sentry/kernel/kernel.h"
#include "sentry/vfs/vnode.h"

#define RESOLV_MAX 65536

static const char resolv_none[] =
	"# cvisor: --network=none, the sandbox has only its loopback interface.\n"
	"# Names resolve through /etc/hosts.\n";

/* Is @path on a mount other than the root's (a bind of /etc or of the
 * file itself)?  Then it is the bundle's, never written. */
static int on_other_mount(struct kernel *k, const char *path)
{
	for (int i = 1; i < k->nmounts; i++) {
		const char *t = k->mounts[i]->target;
		size_t n = t ? strlen(t) : 0;

		if (n && !strncmp(path, t, n) && (path[n] == '/' || path[n] == 0))
			return 1;
	}
	return 0;
}

static int put_file(struct kernel *k, const char *path, const char *text, size_t len);

/* The files, in the order of k->netfiles[]. */
static const char *const names[] = { "hosts", "hostname", "resolv.conf" };

/* Remember what @path now holds (for netfiles_unchanged). */
static void record(struct kernel *k, const char *path, const char *text, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(path + strlen("/etc/"), names[i]))
			continue;
		free(k->netfiles[i]);
		k->netfiles[i] = malloc(len ? len : 1);
		k->netfiles_len[i] = k->netfiles[i] ? len : 0;
		if (k->netfiles[i])
			memcpy(k->netfiles[i], text, len);
	}
}

/* Replace @path by a regular file holding @text; an image's symlink there
 * (resolv.conf -> ../run/...) is replaced too. */
static int put(struct kernel *k, const char *path, const char *text, size_t len)
{
	int r = put_file(k, path, text, len);

	if (r == 0)
		record(k, path, text, len);
	return r > 0 ? 0 : r;
}

static int put_file(struct kernel *k, const char *path, const char *text, size_t len)
{
	int r;

	if (on_other_mount(k, path))
		return 1; /* not written */
	r = kernel_file_write(k, path, text, len, 0644, false);

	if (r == -ENOENT || r == -EROFS)
		return 1; /* no /etc, or a read-only root: the image's files */
	if (r == -ELOOP && kernel_file_remove(k, path) == 0)
		r = kernel_file_write(k, path, text, len, 0644, false);
	return r;
}

/* The host's /etc/resolv.conf (read before the Sentry confines itself),
 * or NULL. */
static char *host_resolv(size_t *ret_len)
{
	_cleanup_close_ int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t len = 0;

	if (fd < 0)
		return NULL;
	buf = malloc(RESOLV_MAX);
	if (!buf)
		return NULL;
	while (len < RESOLV_MAX) {
		ssize_t n = read(fd, buf + len, RESOLV_MAX - len);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	*ret_len = len;
	return buf;
}

int netfiles_install_resolv(struct kernel *k)
{
	_cleanup_free_ char *host = NULL;
	size_t len = 0;

	/* -ENOENT (no /etc), -EROFS (--overlay=none): nothing to do */
	if (k->opts.net_mode == NET_HOST && (host = host_resolv(&len)))
		return put(k, "/etc/resolv.conf", host, len);
	return put(k, "/etc/resolv.conf", resolv_none, sizeof(resolv_none) - 1);
}

int netfiles_install(struct kernel *k)
{
	char hosts[512], hostname[80];
	int n, r, r2;

	n = snprintf(hosts, sizeof(hosts),
		     "127.0.0.1\tlocalhost\n"
		     "::1\tlocalhost ip6-localhost ip6-loopback\n"
		     "%s%s%s",
		     strcmp(k->hostname, "localhost") ? "127.0.1.1\t" : "",
		     strcmp(k->hostname, "localhost") ? k->hostname : "",
		     strcmp(k->hostname, "localhost") ? "\n" : "");
	r = put(k, "/etc/hosts", hosts, (size_t)n);
	n = snprintf(hostname, sizeof(hostname), "%s\n", k->hostname);
	r2 = put(k, "/etc/hostname", hostname, (size_t)n);
	if (r == 0)
		r = r2;
	r2 = netfiles_install_resolv(k);
	return r < 0 ? r : r2;
}

int netfiles_unchanged(struct kernel *k, const char *ret_names[4])
{
	size_t n = 0;
	int same = 1;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ void *data = NULL;
		char path[32];
		size_t len = 0;

		if (!k->netfiles[i])
			continue;
		ret_names[n++] = names[i];
		snprintf(path, sizeof(path), "/etc/%s", names[i]);
		if (kernel_file_read(k, path, 0, k->netfiles_len[i] + 1, true, &data, &len) < 0 ||
		    len != k->netfiles_len[i] || (len && memcmp(data, k->netfiles[i], len)))
			same = 0;
	}
	ret_names[n] = NULL;
	return same;
}

void netfiles_forget(struct kernel *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		free(k->netfiles[i]);
		k->netfiles[i] = NULL;
	}
}
