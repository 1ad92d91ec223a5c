/* SPDX-License-Identifier: Apache-2.0 */
/* Named pipes: a FIFO in /tmp open at both ends with buffered data, one
 * open only O_RDWR with data, one in the root overlay nobody holds open,
 * a reader blocked on an empty FIFO, an open() blocked waiting for a
 * writer; and a packet-mode (O_DIRECT) pipe
 * with two packets buffered.  All of it survives the restore. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

#include "zdtm.h"

static int blocked_rd;
static char blocked_buf[16];
static ssize_t blocked_n = -2;
static int blocked_err;

static volatile int opened_fd = -2, opened_err;

/* open(O_RDONLY) of a FIFO without a writer: blocks across the checkpoint */
static void *opener(void *arg)
{
	(void)arg;
	opened_fd = open("/tmp/fifo_open", O_RDONLY);
	opened_err = opened_fd < 0 ? errno : 0;
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	blocked_n = read(blocked_rd, blocked_buf, sizeof(blocked_buf)); /* across the checkpoint */
	blocked_err = blocked_n < 0 ? errno : 0;
	return NULL;
}

int main(void)
{
	int rd, wr, rw, pk[2], brw, bwr, w2;
	char buf[64];
	struct stat st;
	pthread_t th, th2;
	ssize_t n;

	zd_init();
	umask(0);
	zd_check(mkfifo("/tmp/fifo", 0640) == 0, "mkfifo /tmp/fifo");
	zd_check(mkfifo("/tmp/fifo_rw", 0600) == 0, "mkfifo /tmp/fifo_rw");
	zd_check(mkfifo("/tmp/fifo_blk", 0600) == 0, "mkfifo /tmp/fifo_blk");
	zd_check(mkfifo("/work/fifo_idle", 0604) == 0, "mkfifo /work/fifo_idle");
	zd_check(mkfifo("/tmp/fifo_open", 0600) == 0, "mkfifo /tmp/fifo_open");
	rd = open("/tmp/fifo", O_RDONLY | O_NONBLOCK);
	wr = open("/tmp/fifo", O_WRONLY);
	zd_check(rd >= 0 && wr >= 0, "open /tmp/fifo");
	zd_check(write(wr, "hello fifo", 10) == 10, "write /tmp/fifo");
	rw = open("/tmp/fifo_rw", O_RDWR);
	zd_check(rw >= 0 && write(rw, "rw data", 7) == 7, "fifo_rw");
	brw = open("/tmp/fifo_blk", O_RDWR); /* so the opens below do not wait */
	blocked_rd = open("/tmp/fifo_blk", O_RDONLY);
	bwr = open("/tmp/fifo_blk", O_WRONLY);
	zd_check(brw >= 0 && blocked_rd >= 0 && bwr >= 0, "open /tmp/fifo_blk");
	close(brw);
	zd_check(pthread_create(&th, NULL, reader, NULL) == 0, "thread");
	zd_check(pthread_create(&th2, NULL, opener, NULL) == 0, "opener thread");
	zd_check(pipe2(pk, O_DIRECT) == 0, "pipe2 O_DIRECT");
	zd_check(write(pk[1], "abc", 3) == 3 && write(pk[1], "defgh", 5) == 5, "packets");
	usleep(100 * 1000); /* the reader blocks */
	zd_ready();
	zd_wait_go();

	zd_check(stat("/tmp/fifo", &st) == 0 && S_ISFIFO(st.st_mode) &&
			 (st.st_mode & 07777) == 0640, "/tmp/fifo mode 0%o", (unsigned)st.st_mode);
	zd_check(stat("/work/fifo_idle", &st) == 0 && S_ISFIFO(st.st_mode) &&
			 (st.st_mode & 07777) == 0604, "/work/fifo_idle mode 0%o",
		 (unsigned)st.st_mode);
	zd_check(fstat(rd, &st) == 0 && S_ISFIFO(st.st_mode), "fstat of the reader");
	zd_check(fcntl(rd, F_GETFL) == (O_RDONLY | O_NONBLOCK), "reader flags 0%o",
		 (unsigned)fcntl(rd, F_GETFL));
	zd_check(fcntl(wr, F_GETFL) == O_WRONLY, "writer flags 0%o", (unsigned)fcntl(wr, F_GETFL));
	memset(buf, 0, sizeof(buf));
	n = read(rd, buf, sizeof(buf));
	zd_check(n == 10 && !memcmp(buf, "hello fifo", 10), "fifo data: %zd '%s'", n, buf);
	zd_check(read(rd, buf, sizeof(buf)) == -1 && errno == EAGAIN, "fifo now empty");
	zd_check(write(wr, "more", 4) == 4 && read(rd, buf, sizeof(buf)) == 4 &&
			 !memcmp(buf, "more", 4), "fifo after restore");
	close(wr);
	zd_check(read(rd, buf, sizeof(buf)) == 0, "EOF once the writer is closed");
	memset(buf, 0, sizeof(buf));
	n = read(rw, buf, sizeof(buf));
	zd_check(n == 7 && !memcmp(buf, "rw data", 7), "fifo_rw data: %zd '%s'", n, buf);

	zd_check(write(bwr, "wake", 4) == 4, "write fifo_blk");
	pthread_join(th, NULL);
	zd_check(blocked_n == 4 && !memcmp(blocked_buf, "wake", 4),
		 "blocked FIFO reader: %zd (errno %d)", blocked_n, blocked_err);

	zd_check(opened_fd == -2, "the blocked open returned early: errno %d", opened_err);
	w2 = open("/tmp/fifo_open", O_WRONLY); /* meets the restarted open */
	pthread_join(th2, NULL);
	zd_check(w2 >= 0 && opened_fd >= 0, "blocked open of a FIFO: %d errno %d", opened_fd,
		 opened_err);
	zd_check(write(w2, "o", 1) == 1 && read(opened_fd, buf, 1) == 1 && buf[0] == 'o',
		 "FIFO opened across the checkpoint");

	/* a FIFO nobody held: usable, open at both ends again */
	rw = open("/work/fifo_idle", O_RDWR);
	zd_check(rw >= 0 && write(rw, "x", 1) == 1 && read(rw, buf, 1) == 1 && buf[0] == 'x',
		 "/work/fifo_idle usable");

	zd_check(read(pk[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3), "packet 1");
	zd_check(read(pk[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "defgh", 5), "packet 2");
	zd_check(fcntl(pk[1], F_GETFL) & O_DIRECT, "O_DIRECT kept");
	zd_check(write(pk[1], "12", 2) == 2 && write(pk[1], "345", 3) == 3 &&
			 read(pk[0], buf, sizeof(buf)) == 2, "packet mode after restore");
	return zd_finish();
}
