/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host terminal as the sandbox's stdio.  The Sentry puts the host
 * terminal in raw mode once (its own TCSETS) and runs its own line
 * discipline on it, exactly as for a pty whose master is the host
 * terminal: a pump thread reads the keyboard into the tty's input (so ^C,
 * ^Z and ^\ become signals for the sandbox's foreground process group and
 * never signal the Sentry's host process), and what the application writes
 * is output-processed and written to the host by the writer.  The host's
 * window size is polled and turned into SIGWINCH.  When the last
 * description closes the host termios is restored.
 *
 * Host calls made here: read, write, poll, ioctl(TCGETS, TCSETS,
 * TIOCGWINSZ), close, and tgkill(SIGURG) to wake the pump out of its poll
 * when the last description closes: see docs/security.md.
 */
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/kernel/signal.h"
#include "sentry/vfs/notify.h"

struct tty_host {
	int fd;                     /* the host terminal (owned) */
	struct tty_termios saved;   /* its termios before the sandbox */
	struct tty_termios raw;     /* what the Sentry set */
	struct tty_winsize ws;      /* the host's size last seen (pump only) */
	pthread_mutex_t out_lock;   /* orders writers to the host */
	int stop;                   /* atomic: the pump must end */
	pthread_mutex_t wake_lock;  /* protects the two below */
	pid_t pump_tid;             /* the pump's host thread, while alive */
	int pump_alive;
};

/* SIGURG interrupts the pump's poll (no SA_RESTART): a closed terminal
 * lets go of the host fd at once instead of at the next 50 ms tick. */
static void wake_handler(int sig)
{
	(void)sig;
}

static void wake_install(void)
{
	struct sigaction sa = { .sa_handler = wake_handler };

	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGURG, &sa, NULL);
}

static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void pump_wake(struct tty_host *h)
{
	pthread_mutex_lock(&h->wake_lock);
	if (h->pump_alive)
		(void)syscall(SYS_tgkill, getpid(), h->pump_tid, SIGURG);
	pthread_mutex_unlock(&h->wake_lock);
}

static int live_pumps; /* atomic: pumps running (tty_host_wait_all) */
static int stop_all;   /* atomic: tty_host_wait_all wants every pump gone */

/*
 * Put the host terminal back as it was, unless someone else changed it
 * since the Sentry made it raw: two sandboxes sharing a terminal (tests
 * run in parallel) must not leave it raw whatever order they end in.
 */
static void restore(struct tty_host *h)
{
	struct tty_termios cur;

	if (ioctl(h->fd, TCGETS, &cur) == 0 && memcmp(&cur, &h->raw, 36) == 0)
		(void)ioctl(h->fd, TCSETS, &h->saved);
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void tty_host_flush(struct tty *tty)
{
	struct tty_host *h = tty->host;
	uint8_t buf[1024];

	if (!h)
		return;
	pthread_mutex_lock(&h->out_lock);
	for (;;) {
		size_t n, off = 0;

		pthread_mutex_lock(&tty->lock);
		n = tty_ring_take(&tty->out, buf, sizeof(buf));
		if (n) {
			pthread_cond_broadcast(&tty->cond);
			vfs_notify();
		}
		pthread_mutex_unlock(&tty->lock);
		if (!n)
			break;
		while (off < n) {
			ssize_t w = write(h->fd, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && errno == EAGAIN) {
				struct pollfd p = { .fd = h->fd, .events = POLLOUT };

				poll(&p, 1, 50);
				continue;
			}
			if (w <= 0)
				break; /* the terminal is gone: drop the output */
			off += (size_t)w;
		}
	}
	pthread_mutex_unlock(&h->out_lock);
}

static void *pump(void *arg)
{
	struct tty *tty = arg;
	struct tty_host *h = tty->host;
	struct tty_winsize ws;
	uint8_t buf[256];
	sigset_t urg;

	sigemptyset(&urg);
	sigaddset(&urg, SIGURG);
	pthread_sigmask(SIG_UNBLOCK, &urg, NULL);
	pthread_mutex_lock(&h->wake_lock);
	h->pump_tid = (pid_t)syscall(SYS_gettid);
	h->pump_alive = 1;
	pthread_mutex_unlock(&h->wake_lock);
	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&stop_all, __ATOMIC_ACQUIRE)) {
		struct pollfd p = { .fd = h->fd };
		uint64_t sigs = 0;
		int can, changed;
		ssize_t n;

		pthread_mutex_lock(&tty->lock);
		can = tty_ldisc_can_receive_locked(tty) && !tty->hungup;
		pthread_mutex_unlock(&tty->lock);
		p.events = can ? POLLIN : 0;
		if (poll(&p, 1, 50) < 0 && errno != EINTR)
			break;
		/* the window size: SIGWINCH to the foreground on a change */
		/* only the host's own changes: TIOCSWINSZ in the sandbox
		 * sets the Sentry's size, which stays until the host's moves */
		if (ioctl(h->fd, TIOCGWINSZ, &ws) == 0 && memcmp(&ws, &h->ws, sizeof(ws))) {
			h->ws = ws;
			pthread_mutex_lock(&tty->lock);
			changed = memcmp(&ws, &tty->ws, sizeof(ws)) != 0;
			tty->ws = ws;
			pthread_mutex_unlock(&tty->lock);
			if (changed)
				tty_signal_fg(tty, SIG_BIT(SIGWINCH));
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(h->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			/* the host terminal hung up */
			pthread_mutex_lock(&tty->lock);
			tty->hungup = 1;
			pthread_cond_broadcast(&tty->cond);
			pthread_mutex_unlock(&tty->lock);
			vfs_notify();
			tty_hangup(tty);
			break;
		}
		pthread_mutex_lock(&tty->lock);
		if (tty->hungup) {
			pthread_mutex_unlock(&tty->lock);
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			sigs |= tty_ldisc_receive_locked(tty, buf[i]);
		tty->rx_ns = mono_now();
		pthread_cond_broadcast(&tty->cond);
		pthread_mutex_unlock(&tty->lock);
		vfs_notify();
		tty_signal_fg(tty, sigs);
		tty_host_flush(tty); /* echoes */
	}
	pthread_mutex_lock(&h->wake_lock);
	h->pump_alive = 0;
	pthread_mutex_unlock(&h->wake_lock);
	restore(h); /* whatever ended the pump */
	__atomic_sub_fetch(&live_pumps, 1, __ATOMIC_ACQ_REL);
	tty_put(tty);
	return NULL;
}

int tty_host_create(struct kernel *k, int fd, struct tty **ret)
{
	struct tty_host *h;
	struct tty_termios raw;
	struct tty *tty;
	pthread_attr_t attr;
	pthread_t th;
	int r;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	if (ioctl(fd, TCGETS, &h->saved) < 0) {
		free(h);
		return -ENOTTY;
	}
	tty = tty_new(k, -1);
	if (!tty) {
		free(h);
		return -ENOMEM;
	}
	pthread_once(&wake_once, wake_install);
	h->fd = fd;
	pthread_mutex_init(&h->out_lock, NULL);
	pthread_mutex_init(&h->wake_lock, NULL);
	tty->host = h;
	tty->host_fd = fd;
	memcpy(&tty->tio, &h->saved, 36); /* the user's settings; speeds as a pty's */
	if (ioctl(fd, TIOCGWINSZ, &h->ws) == 0)
		tty->ws = h->ws;
	raw = h->saved;
	raw.c_iflag &= ~(uint32_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_oflag &= ~(uint32_t)OPOST;
	raw.c_lflag &= ~(uint32_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(uint32_t)(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (ioctl(fd, TCSETS, &raw) < 0 || ioctl(fd, TCGETS, &h->raw) < 0) {
		(void)ioctl(fd, TCSETS, &h->saved);
		tty->host = NULL;
		tty->host_fd = -1;
		tty_put(tty);
		pthread_mutex_destroy(&h->out_lock);
		free(h);
		return -EIO;
	}
	tty->slaves = 0;
	__atomic_add_fetch(&live_pumps, 1, __ATOMIC_ACQ_REL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&th, &attr, pump, tty_get(tty));
	pthread_attr_destroy(&attr);
	if (r != 0) {
		__atomic_sub_fetch(&live_pumps, 1, __ATOMIC_ACQ_REL);
		restore(h);
		tty->host = NULL;
		tty->host_fd = -1;
		tty_put(tty);
		tty_put(tty);
		pthread_mutex_destroy(&h->out_lock);
		free(h);
		return -r;
	}
	*ret = tty;
	return 0;
}

void tty_host_close(struct tty *tty)
{
	struct tty_host *h = tty->host;

	if (!h || __atomic_exchange_n(&h->stop, 1, __ATOMIC_ACQ_REL))
		return;
	tty_host_flush(tty);
	restore(h);
	pump_wake(h);
}

void tty_host_free(struct tty *tty)
{
	struct tty_host *h = tty->host;

	if (!h)
		return;
	restore(h); /* in case nobody closed it */
	close(h->fd);
	pthread_mutex_destroy(&h->out_lock);
	pthread_mutex_destroy(&h->wake_lock);
	free(h);
	tty->host = NULL;
}

void tty_host_wait_all(void)
{
	/* Normally every description is closed by now and the pumps are
	 * ending; a description still held (in flight in a socket, say) must
	 * not keep the kernel alive. */
	__atomic_store_n(&stop_all, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&live_pumps, __ATOMIC_ACQUIRE) > 0)
		usleep(5000);
	__atomic_store_n(&stop_all, 0, __ATOMIC_RELEASE);
}
