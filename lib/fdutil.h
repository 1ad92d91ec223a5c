/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File-descriptor helpers: passing fds over unix sockets (SCM_RIGHTS) and
 * small fd utilities.  All return negative errno on failure.
 */
#ifndef CVISOR_LIB_FDUTIL_H
#define CVISOR_LIB_FDUTIL_H

#include <stddef.h>
#include <sys/types.h>

#define FD_PASS_MAX 16

/*
 * Send @len bytes of @buf plus @nfds descriptors in one sendmsg().  @len must
 * be > 0 (a stream socket cannot carry ancillary data without payload).
 * Returns the number of bytes sent.
 */
ssize_t fd_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds);

/*
 * Receive up to @len bytes and up to @max_fds descriptors (O_CLOEXEC set).
 * On success *ret_nfds holds how many fds arrived; descriptors beyond
 * @max_fds or a truncated control message are closed and -EPROTO returned.
 * Returns the number of bytes received (0 on EOF).
 */
ssize_t fd_recv(int sock, void *buf, size_t len, int *fds, size_t max_fds, size_t *ret_nfds);

/* A connected AF_UNIX stream socket (close-on-exec) to the socket bound at
 * @path; -ENAMETOOLONG if @path does not fit sun_path. */
int fd_unix_connect(const char *path);

/* Set or clear O_NONBLOCK / FD_CLOEXEC. */
int fd_set_nonblock(int fd, int on);
int fd_set_cloexec(int fd, int on);

/* Number of open fds of this process (for leak tests). */
int fd_count_open(void);

#endif
