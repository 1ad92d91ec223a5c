/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pseudo-terminals: /dev/ptmx opens a new master, devpts (devpts.c)
 * shows its slave as /dev/pts/<n>.  The Sentry implements both ends and
 * the line discipline between them (tty.h); nothing reaches a host pty.
 */
#ifndef CVISOR_SENTRY_FS_PTY_H
#define CVISOR_SENTRY_FS_PTY_H

#include <stdint.h>

struct file;
struct kernel;
struct mount;
struct path;
struct task;
struct tty;
struct vnode;

#define DEVPTS_MAX 256 /* ptys per sandbox */

/* The devpts root of @k (one instance per kernel, recorded in k->devpts). */
struct vnode *devpts_create_root(struct kernel *k);
/* Where it is mounted (paths of TIOCGPTPEER descriptions). */
void devpts_set_mount(struct kernel *k, struct mount *m);
/* A free index with @tty's node /dev/pts/<index> (-ENOSPC when full). */
int devpts_add(struct kernel *k, struct tty *tty, struct task *t);
/* The master closed: /dev/pts/<index> disappears (the index stays taken
 * until the tty is freed). */
void devpts_remove(struct tty *tty);
/* The path of @tty's slave node (a reference), -ENOENT once removed. */
int devpts_slave_path(struct tty *tty, struct path *ret);

/* Open /dev/ptmx: a new master. */
int pty_open_master(struct kernel *k, unsigned flags, struct file **ret);
/* Open @tty's slave side (@flags as for open(2); O_NOCTTY honoured). */
int pty_open_slave(struct tty *tty, unsigned flags, struct file **ret);

#endif
