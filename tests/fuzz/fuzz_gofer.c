/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the whole Gofer server (not only the codec): each
 * input is a stream of 9P frames sent on a fresh, already attached
 * connection (fid 0 = the read-write export "/", fid 1 = the read-only
 * export "/ro") of an in-process server.  Size fields that are out of range
 * are patched to the rest of the input so most frames reach the operations.
 *
 * Properties checked after every input:
 *  - no crash, no UB (ASan/UBSan), the connection ends at EOF;
 *  - no fd leaks: the process's sockets and files of the scratch tree are
 *    back to their baseline count;
 *  - nothing outside the exports changed: the sibling directory "outside"
 *    and its secret keep their size and mtime.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/gofer_server.h"
#include "gofer/p9.h"
#include "lib/fdutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MSIZE 8192u
#define FUZZ_MAX_INPUT 16384u

static struct gofer_server *srv;
static char base[64], outside[96], secret[128];
static struct stat outside_st, secret_st;
static int baseline_fds;

static void mk(const char *rel, const char *data)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs(data, f);
	fclose(f);
}

/*
 * Open fds that the server could leak: sockets and files of the scratch
 * tree.  (A plain count would also see libFuzzer's symbolizer pipes.)
 */
static int count_our_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		abort();
	while ((de = readdir(d))) {
		char link[256];
		ssize_t k = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);

		if (k <= 0 || atoi(de->d_name) == dirfd(d))
			continue;
		link[k] = '\0';
		n += !strncmp(link, "socket:", 7) || !strncmp(link, base, strlen(base));
	}
	closedir(d);
	return n;
}

static void remove_scratch(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	(void)!system(cmd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char root[96], ro[96], p[200];
	struct gofer_export ex[2];
	struct gofer_opts o = {
	    .exports = ex, .n_exports = 2, .max_msize = MSIZE, .workers = 2, .max_fids = 256};

	(void)argc;
	(void)argv;
	snprintf(base, sizeof(base), "/tmp/cvisor-fuzz-gofer-XXXXXX");
	if (!mkdtemp(base))
		abort();
	atexit(remove_scratch);
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(ro, sizeof(ro), "%s/ro", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	snprintf(secret, sizeof(secret), "%s/secret", outside);
	if (mkdir(root, 0755) || mkdir(ro, 0755) || mkdir(outside, 0755))
		abort();
	snprintf(p, sizeof(p), "%s/sub", root);
	if (mkdir(p, 0755))
		abort();
	mk("root/a", "hello\n");
	mk("root/sub/b", "bee\n");
	mk("ro/r", "readonly\n");
	mk("outside/secret", "SECRET");
	snprintf(p, sizeof(p), "%s/root/up", base);
	if (symlink("../outside/secret", p))
		abort();
	ex[0] = (struct gofer_export){.src = root, .dst = "/"};
	ex[1] = (struct gofer_export){.src = ro, .dst = "/ro", .ro = true};
	if (gofer_server_new(&o, &srv) < 0)
		abort();
	if (stat(outside, &outside_st) || stat(secret, &secret_st))
		abort();
	baseline_fds = count_our_fds();
	return 0;
}

static void *serve(void *p)
{
	(void)gofer_serve_conn(srv, (int)(intptr_t)p);
	return NULL;
}

/* Tversion + Tattach(0, "/") + Tattach(1, "/ro"), as one prefix. */
static size_t prologue(uint8_t *buf, size_t cap)
{
	struct p9_msg v = {.type = P9_TVERSION, .tag = P9_NOTAG}, a = {.type = P9_TATTACH};
	size_t n = 0;
	ssize_t k;

	v.u.version.msize = MSIZE;
	p9_str_from(P9_VERSION_L_CVISOR, &v.u.version.version);
	k = p9_encode(&v, buf, cap);
	n += (size_t)k;
	for (uint32_t fid = 0; fid < 2; fid++) {
		a.tag = (uint16_t)fid;
		a.u.attach.fid = fid;
		a.u.attach.afid = P9_NOFID;
		p9_str_from("", &a.u.attach.uname);
		p9_str_from(fid ? "/ro" : "/", &a.u.attach.aname);
		k = p9_encode(&a, buf + n, cap - n);
		n += (size_t)k;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[FUZZ_MAX_INPUT + 256], sink[65536];
	size_t len, pos, sent = 0;
	struct stat st;
	pthread_t th;
	int sv[2];
	bool eof = false;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	len = prologue(out, sizeof(out));
	pos = len;
	memcpy(out + len, data, size);
	len += size;
	/* Patch size fields that would not frame the rest of the input. */
	while (len - pos >= 4) {
		uint32_t fsz;

		p9_peek_header(out + pos, P9_HDRSZ, &fsz, NULL, NULL);
		if (fsz < P9_HDRSZ || fsz > len - pos || fsz > MSIZE) {
			fsz = (uint32_t)(len - pos);
			if (fsz > MSIZE)
				fsz = MSIZE;
			out[pos] = (uint8_t)fsz;
			out[pos + 1] = (uint8_t)(fsz >> 8);
			out[pos + 2] = (uint8_t)(fsz >> 16);
			out[pos + 3] = (uint8_t)(fsz >> 24);
		}
		pos += fsz;
	}

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	if (fd_set_nonblock(sv[0], 1) < 0 ||
	    pthread_create(&th, NULL, serve, (void *)(intptr_t)sv[1]) != 0)
		abort();
	while (!eof) {
		struct pollfd p = {.fd = sv[0], .events = POLLIN | (sent < len ? POLLOUT : 0)};

		int k = poll(&p, 1, 5000);

		if (k < 0 && errno == EINTR) /* libFuzzer's -timeout uses SIGALRM */
			continue;
		if (k <= 0)
			abort(); /* the server hung */
		if ((p.revents & POLLOUT) && sent < len) {
			ssize_t n = send(sv[0], out + sent, len - sent, MSG_NOSIGNAL);

			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				sent = len; /* the server closed: stop sending */
			if (sent == len)
				shutdown(sv[0], SHUT_WR);
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			int fds[FD_PASS_MAX];
			size_t nfds = 0;
			ssize_t n = fd_recv(sv[0], sink, sizeof(sink), fds, FD_PASS_MAX, &nfds);

			for (size_t i = 0; i < nfds; i++)
				close(fds[i]);
			if (n == 0 || (n < 0 && n != -EAGAIN))
				eof = true;
		}
	}
	pthread_join(th, NULL);
	close(sv[0]);

	if (count_our_fds() != baseline_fds)
		abort(); /* fd leak */
	if (stat(outside, &st) || st.st_mtim.tv_nsec != outside_st.st_mtim.tv_nsec ||
	    st.st_mtim.tv_sec != outside_st.st_mtim.tv_sec || st.st_nlink != outside_st.st_nlink)
		abort(); /* something was created or removed outside the export */
	if (stat(secret, &st) || st.st_size != secret_st.st_size ||
	    st.st_mtim.tv_sec != secret_st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != secret_st.st_mtim.tv_nsec)
		abort(); /* the secret was written */
	return 0;
}
