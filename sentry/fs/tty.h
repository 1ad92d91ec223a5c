/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Terminals: the state one terminal carries (termios, window size, the
 * line discipline's buffers, its session and foreground process group),
 * shared by the pseudo-terminals of devpts (pty.c) and the host terminal a
 * sandbox may be given as its stdio (hostfd.c).
 *
 * The line discipline (tty_ldisc.c) is the Sentry's own: bytes written to a
 * pty master go through input processing (ICRNL, canonical editing with
 * ERASE/KILL/WERASE/EOF, ISIG characters, echo) into the slave's input;
 * bytes the slave writes go through output processing (OPOST, ONLCR) to
 * the master.  Job control (tty.c): controlling terminals of sessions,
 * the foreground process group, SIGTTIN/SIGTTOU for background groups.
 *
 * Locking: tty.lock protects the buffers, termios and window size (a leaf
 * lock: never take kernel.lock under it).  sid and pgrp, and every
 * thread_group.ctty, are protected by kernel.lock.
 */
#ifndef CVISOR_SENTRY_FS_TTY_H
#define CVISOR_SENTRY_FS_TTY_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

struct file;
struct kernel;
struct task;
struct thread_group;
struct vnode;

#define TTY_BUF 4096
#define TTY_NCCS 19

/* The kernel's struct termios (36 bytes, TCGETS) followed by the speeds
 * of struct termios2 (44 bytes, TCGETS2). */
struct tty_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[TTY_NCCS];
	uint32_t c_ispeed, c_ospeed;
};

struct tty_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct tty_ring {
	uint8_t buf[TTY_BUF];
	size_t head, len;
};

struct tty {
	int refs;                 /* atomic */
	struct kernel *k;
	int index;                /* /dev/pts/<index>; -1: the host terminal */
	int host_fd;              /* the host terminal (tty_host.c), else -1 */
	void *host;               /* its state (tty_host.c), NULL for ptys */
	dev_t rdev;               /* what /proc/pid/stat reports as tty_nr */

	pthread_mutex_t lock;     /* protects the fields down to masters */
	pthread_cond_t cond;      /* buffers or state changed */
	struct tty_termios tio;
	struct tty_winsize ws;
	/* Slave input.  Raw mode: in holds the readable bytes.  Canonical
	 * mode: in holds completed lines whose lengths are lines[] (oldest at
	 * line_head; 0 = an end of file), edit the line being typed. */
	struct tty_ring in;
	uint16_t lines[TTY_BUF];
	size_t line_head, nlines;
	uint8_t edit[TTY_BUF];
	size_t edit_len;
	int lnext;                /* the next input character is literal */
	int column;               /* output column (echo of tabs, erase) */
	int canon_col;            /* column the edited line started at */
	uint64_t rx_ns;           /* CLOCK_MONOTONIC of the last input (VTIME) */
	/* Slave output and echoes, for the master to read. */
	struct tty_ring out;
	int stopped;              /* output stopped: ^S (IXON) or TCOOFF */
	int masters, slaves;      /* open descriptions of each side */
	int slave_closed;         /* every slave closed since one was open */
	int hungup;               /* the master closed: slaves are hung up */
	int locked;               /* TIOCSPTLCK: slave opens fail */

	/* kernel.lock: */
	int32_t sid;              /* session this is the controlling tty of, 0 = none */
	int32_t pgrp;             /* its foreground process group, 0 = none */

	struct vnode *node;       /* /dev/pts/<index> while the master is open (weak:
	                           * the node holds the tty), then NULL */
	void *pts;                /* the devpts root vnode (a reference), NULL: no index */
};

/* A new terminal with Linux's default pty termios, one reference. */
struct tty *tty_new(struct kernel *k, int index);
struct tty *tty_get(struct tty *tty);
void tty_put(struct tty *tty);

/* ---- line discipline (tty_ldisc.c), tty.lock held ---- */

/* Feed one input character (from the master or the host).  Returns the
 * signals it generates (SIG_BIT set) for the foreground group. */
uint64_t tty_ldisc_receive_locked(struct tty *tty, uint8_t c);
/* Can one more input character be taken now? */
int tty_ldisc_can_receive_locked(const struct tty *tty);
/* Bytes a slave read would return now (FIONREAD), and whether a read
 * would not block (canonical: a line or an EOF is ready). */
size_t tty_ldisc_inq_locked(const struct tty *tty);
int tty_ldisc_readable_locked(const struct tty *tty);
/* Take up to @len input bytes (canonical: from one line).  Returns the
 * count, 0 for an end of file line. */
size_t tty_ldisc_take_locked(struct tty *tty, uint8_t *buf, size_t len);
/* Output processing of @len bytes into the out ring; returns the bytes of
 * @buf consumed (fewer when the ring fills). */
size_t tty_ldisc_output_locked(struct tty *tty, const uint8_t *buf, size_t len);
/* New termios: moves the buffers between canonical and raw mode. */
void tty_ldisc_set_termios_locked(struct tty *tty, const struct tty_termios *tio);
/* Flush the input (TCIFLUSH) and/or the output side. */
void tty_ldisc_flush_locked(struct tty *tty, int input, int output);
size_t tty_ring_put(struct tty_ring *r, const uint8_t *buf, size_t len);
size_t tty_ring_take(struct tty_ring *r, uint8_t *buf, size_t len);

/* ---- job control (tty.c) ---- */

/* Send @sigs (a SIG_BIT set) to @tty's foreground process group. */
void tty_signal_fg(struct tty *tty, uint64_t sigs);

/*
 * May @t read (@sig SIGTTIN) or change/write (@sig SIGTTOU) @tty?  0 if
 * so; -EIO (orphaned background group, or SIGTTIN ignored);
 * -ERESTARTSYS after sending @sig to @t's process group.
 */
int tty_job_check(struct task *t, struct tty *tty, int sig);

/* Opening @tty by a session leader without a controlling terminal makes
 * it one (unless @noctty or it already has a session). */
void tty_open_ctty(struct task *t, struct tty *tty, int noctty);

/*
 * The ioctls every terminal answers alike (termios, window size, job
 * control, TCFLSH, TCXONC, FIONREAD/TIOCOUTQ of the slave side).
 * @master: called on a pty master (no controlling-tty checks for the
 * queries; reads see the master's side); @readable: the description was
 * opened for reading (TIOCSCTTY).  -ENOIOCTLCMD when not a terminal ioctl.
 */
#define TTY_ENOIOCTLCMD 515
int64_t tty_ioctl(struct tty *tty, struct task *t, unsigned cmd, uint64_t arg, int master,
		  int readable);

/* The master closed: hang up the session (SIGHUP + SIGCONT to its leader)
 * and forget it. */
void tty_hangup(struct tty *tty);

/* Called by process.c with kernel.lock held. */
/* @tg's last task is gone: a session leader's exit detaches its terminal
 * (SIGHUP to the foreground group); the reference is dropped. */
void tty_tg_exit_locked(struct thread_group *tg);
/* setsid(): @tg leaves its terminal. */
void tty_tg_setsid_locked(struct thread_group *tg);
/* fork(): the child shares the parent's controlling terminal. */
void tty_tg_fork_locked(struct thread_group *parent, struct thread_group *child);
/* /proc/pid/stat: tty_nr (Linux encoding) and tpgid (-1 without one). */
void tty_tg_stat_locked(struct thread_group *tg, unsigned *tty_nr, int32_t *tpgid);

/* ---- the host terminal as stdio (tty_host.c) ---- */

/* A terminal on host terminal @fd (taken over): the host is put in raw
 * mode, the Sentry's line discipline serves the application. */
int tty_host_create(struct kernel *k, int fd, struct tty **ret);
/* Write what the out ring holds to the host terminal. */
void tty_host_flush(struct tty *tty);
/* The last description closed: restore the host's termios, stop the pump. */
void tty_host_close(struct tty *tty);
/* From tty_put(): close the host fd. */
void tty_host_free(struct tty *tty);
/* Stop every pump thread and wait until they have ended (kernel_destroy). */
void tty_host_wait_all(void);

/* The controlling terminal of @t with a reference, or NULL (/dev/tty). */
struct tty *tty_current(struct task *t);

#endif
