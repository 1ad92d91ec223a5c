/* SPDX-License-Identifier: Apache-2.0 */
/* inotify: watches (descriptors, masks) on a /tmp directory and a root
 * file system file, an unread event in the queue, the next descriptor
 * (after a removed watch), and a thread blocked reading a second instance
 * across the checkpoint. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "zdtm.h"

static int in2;
static volatile ssize_t t_n = -2;
static char t_buf[256] __attribute__((aligned(8)));

static void *reader(void *arg)
{
	(void)arg;
	t_n = read(in2, t_buf, sizeof(t_buf)); /* across the checkpoint */
	return NULL;
}

/* One event of @fd: its wd, mask and name; -1 when there is none. */
static int one(int fd, uint32_t *mask, char *name)
{
	char buf[512] __attribute__((aligned(8)));
	struct inotify_event *e = (struct inotify_event *)buf;
	ssize_t n = read(fd, buf, sizeof(e[0]) + 32); /* room for one named event */

	if (n < (ssize_t)sizeof(*e))
		return -1;
	*mask = e->mask;
	name[0] = 0;
	if (e->len) {
		size_t l = strnlen(e->name, e->len);

		memcpy(name, e->name, l < 63 ? l : 63);
		name[l < 63 ? l : 63] = 0;
	}
	return e->wd;
}

int main(void)
{
	int in1, wd1, wd2, wd3, wd4, fd, w;
	uint32_t mask = 0;
	char name[64] = "";
	pthread_t th;
	struct inotify_event *e = (struct inotify_event *)t_buf;

	zd_init();
	zd_check(mkdir("/tmp/watched", 0755) == 0, "mkdir");
	in1 = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	in2 = inotify_init1(0);
	zd_check(in1 >= 0 && in2 >= 0, "inotify_init1");
	wd1 = inotify_add_watch(in1, "/tmp/watched", IN_CREATE | IN_DELETE);
	wd2 = inotify_add_watch(in1, "/data.txt", IN_OPEN);
	wd3 = inotify_add_watch(in1, "/tmp", IN_ATTRIB);
	zd_check(wd1 == 1 && wd2 == 2 && wd3 == 3, "wds %d %d %d", wd1, wd2, wd3);
	zd_check(inotify_rm_watch(in1, wd3) == 0, "rm wd3");
	zd_check(one(in1, &mask, name) == wd3 && mask == IN_IGNORED, "IN_IGNORED of wd3");
	fd = open("/tmp/watched/a", O_WRONLY | O_CREAT, 0600);
	zd_check(fd >= 0, "create a");
	close(fd);
	zd_check(inotify_add_watch(in2, "/tmp/watched", IN_DELETE) == 1, "in2 watch");
	zd_check(pthread_create(&th, NULL, reader, NULL) == 0, "thread");
	usleep(100 * 1000); /* the reader blocks */
	zd_ready();
	zd_wait_go();

	w = one(in1, &mask, name);
	zd_check(w == wd1 && mask == IN_CREATE && !strcmp(name, "a"),
		 "queued event: wd %d mask %x name '%s'", w, mask, name);
	zd_check(one(in1, &mask, name) == -1 && errno == EAGAIN, "queue drained");
	zd_check(fcntl(in1, F_GETFL) == (O_RDONLY | O_NONBLOCK) &&
			 fcntl(in1, F_GETFD) == FD_CLOEXEC, "in1 flags");
	fd = open("/tmp/watched/b", O_WRONLY | O_CREAT, 0600);
	zd_check(fd >= 0, "create b");
	close(fd);
	w = one(in1, &mask, name);
	zd_check(w == wd1 && mask == IN_CREATE && !strcmp(name, "b"),
		 "new event: wd %d mask %x name '%s'", w, mask, name);
	fd = open("/data.txt", O_RDONLY);
	close(fd);
	w = one(in1, &mask, name);
	zd_check(w == wd2 && mask == IN_OPEN, "open of /data.txt: wd %d mask %x", w, mask);
	zd_check(inotify_add_watch(in1, "/tmp/watched", IN_CREATE | IN_DELETE) == wd1,
		 "the watch is still wd1");
	wd4 = inotify_add_watch(in1, "/lower.txt", IN_OPEN);
	zd_check(wd4 == 4, "next watch descriptor %d", wd4);
	zd_check(unlink("/tmp/watched/a") == 0, "unlink a");
	w = one(in1, &mask, name);
	zd_check(w == wd1 && mask == IN_DELETE && !strcmp(name, "a"),
		 "delete: wd %d mask %x name '%s'", w, mask, name);
	pthread_join(th, NULL);
	zd_check(t_n >= (ssize_t)sizeof(*e) && e->wd == 1 && e->mask == IN_DELETE &&
			 !strcmp(e->name, "a"),
		 "blocked reader: %zd wd %d mask %x", t_n, e->wd, e->mask);
	return zd_finish();
}
