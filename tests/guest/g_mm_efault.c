/* SPDX-License-Identifier: Apache-2.0 */
/* Bad user pointers: EFAULT from copy-in/out, partial copies at a boundary. */
#include "common.h"
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>

#define PG 4096ul

int main(void)
{
	static char big[2 * PG];
	char *p;
	int fd, pfd[2];
	struct iovec iov[2];

	g_start();
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(big, 'x', sizeof(big));
	write(fd, big, sizeof(big));
	lseek(fd, 0, SEEK_SET);

	t_err("read into bad buffer", read(fd, G_BADPTR, 10), EFAULT);
	t_err("write from bad buffer", write(fd, G_BADPTR, 10), EFAULT);
	t_err("open bad path", syscall(SYS_open, G_BADPTR, O_RDONLY), EFAULT);
	t_err("stat bad path", syscall(SYS_stat, G_BADPTR, big), EFAULT);
	t_err("stat bad statbuf", syscall(SYS_stat, "f", G_BADPTR), EFAULT);
	t_err("pipe bad array", syscall(SYS_pipe, G_BADPTR), EFAULT);
	t_err("clock_gettime bad ts", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, G_BADPTR), EFAULT);
	t_err("uname bad buf", syscall(SYS_uname, G_BADPTR), EFAULT);
	t_err("rt_sigaction bad act", syscall(SYS_rt_sigaction, SIGUSR1, G_BADPTR, NULL, 8), EFAULT);
	t_err("getcwd bad buf", syscall(SYS_getcwd, G_BADPTR, 100), EFAULT);
	t_err("nanosleep bad req", syscall(SYS_nanosleep, G_BADPTR, NULL), EFAULT);
	iov[0].iov_base = big;
	iov[0].iov_len = 4;
	t_err("readv bad iovec array", readv(fd, G_BADPTR, 1), EFAULT);

	/* a buffer whose second page is inaccessible */
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(p + PG, PG, PROT_NONE);
	lseek(fd, 0, SEEK_SET);
	t_eq("file read across boundary is short", read(fd, p + PG - 100, 200), 100);
	t_eq("file offset advanced by the short count", lseek(fd, 0, SEEK_CUR), 100);
	t_err("read fully in bad page", read(fd, p + PG, 10), EFAULT);
	t_eq("offset unchanged by EFAULT", lseek(fd, 0, SEEK_CUR), 100);

	/* readv: second iovec bad, first fills */
	lseek(fd, 0, SEEK_SET);
	iov[0].iov_base = big;
	iov[0].iov_len = 8;
	iov[1].iov_base = G_BADPTR;
	iov[1].iov_len = 8;
	t_eq("readv with bad 2nd iovec is short", readv(fd, iov, 2), 8);

	/* pipe: write from a bad buffer */
	pipe(pfd);
	t_err("pipe write bad buffer", write(pfd[1], G_BADPTR, 5), EFAULT);
	write(pfd[1], "abc", 3);
	t_err("pipe read into bad buffer", read(pfd[0], G_BADPTR, 3), EFAULT);
	munmap(p, 2 * PG);
	close(fd);
	return g_finish();
}
