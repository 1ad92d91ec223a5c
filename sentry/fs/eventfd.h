/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event-notification files: eventfd (a 64-bit counter), timerfd (a timer
 * read as an expiration count), signalfd (pending signals read as records)
 * and epoll (readiness of a set of files).
 * All are anonymous files (no VFS path); their readiness changes are
 * published through sentry/vfs/notify.h so that poll and epoll wake.
 */
#ifndef CVISOR_SENTRY_FS_EVENTFD_H
#define CVISOR_SENTRY_FS_EVENTFD_H

#include <stdint.h>
#include <time.h>

struct file;
struct stat;
struct task;

/* fstat of an anonymous-inode file (eventfd, timerfd, epoll): mode 0600
 * without a file type, anon_inodefs' device, inode @ino. */
int anon_fstat(struct stat *st, uint64_t ino);

/* eventfd2: @flags EFD_SEMAPHORE | EFD_NONBLOCK (EFD_CLOEXEC is the
 * caller's). */
int eventfd_file_new(uint64_t initval, unsigned flags, struct file **ret);
/* Checkpoint (sentry/kernel/ckpt_*.c): the counter and EFD_SEMAPHORE of the
 * eventfd @f; -EINVAL if @f is no eventfd. */
int eventfd_ckpt_get(struct file *f, uint64_t *ret_count, int *ret_semaphore);

/* timerfd_create: @clock CLOCK_REALTIME, CLOCK_MONOTONIC or
 * CLOCK_BOOTTIME (the _ALARM ones as those); @flags TFD_NONBLOCK. */
int timerfd_file_new(clockid_t clock, unsigned flags, struct file **ret);
int timerfd_file_is(struct file *f);
/* -EINVAL for bad values (the caller checks the fd is a timerfd). */
int timerfd_file_settime(struct file *f, int flags, const struct itimerspec *new,
		    struct itimerspec *ret_old);
void timerfd_file_gettime(struct file *f, struct itimerspec *ret);

/* signalfd: @mask of signals (bit n-1 = signal n, SIGKILL and SIGSTOP
 * already removed); @flags SFD_NONBLOCK. */
int signalfd_file_new(uint64_t mask, unsigned flags, struct file **ret);
int signalfd_file_is(struct file *f);
void signalfd_file_set_mask(struct file *f, uint64_t mask);

/* epoll */
int epoll_file_new(struct file **ret);
int epoll_file_is(struct file *f);
/* EPOLL_CTL_*: @target is the file @fd refers to now. */
int epoll_file_ctl(struct file *ep, int op, int fd, struct file *target, uint32_t events,
	      uint64_t data);
/* Up to @max ready events into @out (struct epoll_event layout, packed);
 * @deadline_ns as poll's (0: do not block, UINT64_MAX: forever).  Returns
 * the count, or -EINTR / the interruption code from task_interrupted(). */
struct epoll_event;
int epoll_file_wait(struct file *ep, struct task *t, struct epoll_event *out, int max,
		      uint64_t deadline_ns);

/* Checkpoint (sentry/kernel/ckpt_event.c).  epoll: a malloc'd copy of the
 * interest list (each file referenced; epoll_ckpt_items_free), and an item
 * added back with EPOLL_CTL_ADD's checks.  timerfd: its clock, next expiry
 * (absolute on that clock, 0: disarmed), period and expirations not read;
 * set back on a new timerfd of that clock.  signalfd: its mask.  -EINVAL
 * when @f is not of that kind. */
struct epoll_ckpt_item {
	int fd;
	struct file *file;
	uint32_t events;
	uint64_t data;
	int disabled; /* EPOLLONESHOT fired */
};
int epoll_ckpt_items(struct file *ep, struct epoll_ckpt_item **ret, size_t *ret_n);
void epoll_ckpt_items_free(struct epoll_ckpt_item *v, size_t n);
int epoll_ckpt_add(struct file *ep, const struct epoll_ckpt_item *it);
int timerfd_ckpt_get(struct file *f, clockid_t *ret_clock, uint64_t *ret_next,
		     uint64_t *ret_interval, uint64_t *ret_ticks);
int timerfd_ckpt_set(struct file *f, uint64_t next, uint64_t interval, uint64_t ticks);
int signalfd_ckpt_get(struct file *f, uint64_t *ret_mask);

#endif
