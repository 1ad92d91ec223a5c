/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/unit/gofer/gofer_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

const char *h_path(const char *dir, const char *rel)
{
	static char ring[8][600];
	static unsigned n;
	char *p = ring[n++ % 8];

	snprintf(p, sizeof(ring[0]), "%s/%s", dir, rel);
	return p;
}

const char *h_read_real(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

void h_setup(struct harness *h, unsigned max_fids)
{
	struct gofer_export ex[3];
	struct gofer_opts o = {.exports = ex,
			       .n_exports = 3,
			       .max_fids = max_fids,
			       .detach_mounts = true,
			       .max_msize = 65536};

	memset(h, 0, sizeof(*h));
	snprintf(h->base, sizeof(h->base), "/tmp/cvisor-gofer-XXXXXX");
	assert_non_null(mkdtemp(h->base));
	snprintf(h->root, sizeof(h->root), "%s/root", h->base);
	snprintf(h->outside, sizeof(h->outside), "%s/outside", h->base);
	snprintf(h->ro, sizeof(h->ro), "%s/ro", h->base);
	snprintf(h->rw, sizeof(h->rw), "%s/rw", h->base);
	assert_int_equal(mkdir(h->root, 0755), 0);
	assert_int_equal(mkdir(h->outside, 0755), 0);
	assert_int_equal(mkdir(h->ro, 0755), 0);
	assert_int_equal(mkdir(h->rw, 0755), 0);
	assert_int_equal(mkdir(h_path(h->root, "sub"), 0755), 0);
	assert_int_equal(mkdir(h_path(h->root, "sub/deep"), 0755), 0);
	assert_int_equal(mkdir(h_path(h->root, "mnt"), 0755), 0);
	write_file(h_path(h->root, "a.txt"), "hello gofer\n");
	write_file(h_path(h->root, "sub/b.txt"), "bee\n");
	write_file(h_path(h->root, "sub/deep/c.txt"), "sea\n");
	write_file(h_path(h->outside, "secret.txt"), H_SECRET);
	write_file(h_path(h->ro, "r.txt"), "readonly\n");
	assert_int_equal(link(h_path(h->root, "a.txt"), h_path(h->root, "hard")), 0);
	assert_int_equal(symlink("a.txt", h_path(h->root, "link_in")), 0);
	assert_int_equal(symlink(h_path(h->outside, "secret.txt"), h_path(h->root, "link_abs")), 0);
	assert_int_equal(symlink("../outside/secret.txt", h_path(h->root, "link_rel")), 0);
	assert_int_equal(symlink("../outside", h_path(h->root, "dirlink")), 0);

	ex[0] = (struct gofer_export){.src = h->root, .dst = "/"};
	ex[1] = (struct gofer_export){.src = h->ro, .dst = "/ro", .ro = true};
	ex[2] = (struct gofer_export){.src = h->rw, .dst = "/rw"};
	assert_int_equal(gofer_server_new(&o, &h->srv), 0);
}

struct conn_start {
	struct gofer_server *srv;
	int sock;
};

static void *conn_thread(void *p)
{
	struct conn_start cs = *(struct conn_start *)p;

	free(p);
	(void)gofer_serve_conn(cs.srv, cs.sock);
	return NULL;
}

int h_connect(struct harness *h)
{
	int sv[2];
	struct conn_start *cs = malloc(sizeof(*cs));

	assert_non_null(cs);
	assert_true(h->n_conns < 8);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	cs->srv = h->srv;
	cs->sock = sv[1];
	assert_int_equal(pthread_create(&h->conns[h->n_conns].th, NULL, conn_thread, cs), 0);
	/* A dup to shut the connection down in teardown even if a failed test leaked its client. */
	h->conns[h->n_conns].srv_sock = fcntl(sv[1], F_DUPFD_CLOEXEC, 3);
	h->n_conns++;
	return sv[0];
}

struct p9_client *h_client(struct harness *h, bool ext, const char *aname)
{
	struct p9_client *c = NULL;
	int s = h_connect(h);

	assert_int_equal(p9_client_new(s, 65536, ext, &c), 0);
	assert_int_equal(c->ext, ext);
	assert_int_equal(p9_client_attach(c, 0, aname, 0, NULL), 0);
	return c;
}

void h_join(struct harness *h, unsigned i)
{
	if (h->conns[i].srv_sock >= 0) {
		shutdown(h->conns[i].srv_sock, SHUT_RDWR);
		pthread_join(h->conns[i].th, NULL);
		close(h->conns[i].srv_sock);
		h->conns[i].srv_sock = -1;
	}
}

void h_teardown(struct harness *h)
{
	char cmd[700];

	for (unsigned i = 0; i < h->n_conns; i++)
		h_join(h, i);
	gofer_server_free(h->srv);
	snprintf(cmd, sizeof(cmd), "umount -l %s/root/mnt 2>/dev/null; rm -rf %s", h->base,
		 h->base);
	assert_int_equal(system(cmd), 0);
}

int h_read_9p(struct p9_client *c, const char *path, char *buf, size_t cap)
{
	size_t got = 0;
	int r;

	r = p9_client_walk(c, 0, 900, path, NULL);
	if (r < 0)
		return r;
	r = p9_client_lopen(c, 900, O_RDONLY, NULL, NULL);
	while (r >= 0 && got + 1 < cap) {
		ssize_t n = p9_client_read(c, 900, got, buf + got, (uint32_t)(cap - 1 - got));

		if (n <= 0) {
			r = (int)n;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	p9_client_clunk(c, 900);
	return r < 0 ? r : (int)got;
}
