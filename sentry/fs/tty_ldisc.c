/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The line discipline (N_TTY) of the Sentry's terminals: input processing
 * and canonical editing, echo, output processing.  Every function here runs
 * with tty.lock held and only moves bytes between the terminal's buffers.
 */
#include "tty.h"

#include <ctype.h>
#include <signal.h>
#include <string.h>
#include <termios.h>

#include "lib/macro.h"
#include "sentry/kernel/signal.h"

#define CC(tty, i) ((tty)->tio.c_cc[i])
#define IFL(tty, f) (((tty)->tio.c_iflag & (f)) != 0)
#define OFL(tty, f) (((tty)->tio.c_oflag & (f)) != 0)
#define LFL(tty, f) (((tty)->tio.c_lflag & (f)) != 0)

/* Is @c the special character cc[@i]?  A 0 entry is disabled. */
static int is_cc(const struct tty *tty, int i, uint8_t c)
{
	return CC(tty, i) != 0 && CC(tty, i) == c;
}

size_t tty_ring_put(struct tty_ring *r, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len && r->len < TTY_BUF) {
		size_t tail = (r->head + r->len) % TTY_BUF;
		size_t n = MIN(len - done, MIN(TTY_BUF - r->len, TTY_BUF - tail));

		memcpy(r->buf + tail, buf + done, n);
		r->len += n;
		done += n;
	}
	return done;
}

size_t tty_ring_take(struct tty_ring *r, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len && r->len > 0) {
		size_t n = MIN(len - done, MIN(r->len, TTY_BUF - r->head));

		if (buf)
			memcpy(buf + done, r->buf + r->head, n);
		r->head = (r->head + n) % TTY_BUF;
		r->len -= n;
		done += n;
	}
	return done;
}

/* ---- output ---- */

static int utf8_cont(const struct tty *tty, uint8_t c)
{
	return IFL(tty, IUTF8) && (c & 0xc0) == 0x80;
}

/* Output-process one character into the out ring: 1 if it went in
 * (possibly as several bytes), 0 if the ring has no room for it. */
static int out_char(struct tty *tty, uint8_t c)
{
	uint8_t b[8];
	size_t n = 0;

	if (!OFL(tty, OPOST)) {
		if (tty->out.len >= TTY_BUF)
			return 0;
		tty_ring_put(&tty->out, &c, 1);
		return 1;
	}
	switch (c) {
	case '\n':
		if (OFL(tty, ONLRET))
			tty->column = 0;
		if (OFL(tty, ONLCR)) {
			b[n++] = '\r';
			tty->column = 0;
		}
		b[n++] = '\n';
		break;
	case '\r':
		if (OFL(tty, ONOCR) && tty->column == 0)
			return 1;
		if (OFL(tty, OCRNL)) {
			c = '\n';
			if (OFL(tty, ONLRET))
				tty->column = 0;
		} else {
			tty->column = 0;
		}
		b[n++] = c;
		break;
	case '\t': {
		int spaces = 8 - (tty->column & 7);

		if ((tty->tio.c_oflag & TABDLY) == XTABS) {
			while (spaces-- > 0)
				b[n++] = ' ';
			tty->column = (tty->column | 7) + 1;
			break;
		}
		tty->column += spaces;
		b[n++] = c;
		break;
	}
	case '\b':
		if (tty->column > 0)
			tty->column--;
		b[n++] = c;
		break;
	default:
		if (!iscntrl(c)) {
			if (OFL(tty, OLCUC))
				c = (uint8_t)toupper(c);
			if (!utf8_cont(tty, c))
				tty->column++;
		}
		b[n++] = c;
	}
	if (TTY_BUF - tty->out.len < n)
		return 0;
	tty_ring_put(&tty->out, b, n);
	return 1;
}

size_t tty_ldisc_output_locked(struct tty *tty, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!out_char(tty, buf[i]))
			break;
	return i;
}

/* Echo bytes written without output processing (^X, erase sequences). */
static void echo_raw(struct tty *tty, const char *s, size_t n)
{
	if (TTY_BUF - tty->out.len >= n)
		tty_ring_put(&tty->out, (const uint8_t *)s, n);
}

/* Echo of a typed character: ^X for control characters under ECHOCTL. */
static void echo_char(struct tty *tty, uint8_t c)
{
	if (LFL(tty, ECHOCTL) && iscntrl(c) && c != '\t' && c != '\n') {
		char b[2] = { '^', (char)(c ^ 0100) };

		echo_raw(tty, b, 2);
		tty->column += 2;
		return;
	}
	out_char(tty, c);
}

/* ---- input ---- */

static int canon(const struct tty *tty)
{
	return LFL(tty, ICANON);
}

int tty_ldisc_can_receive_locked(const struct tty *tty)
{
	if (tty->nlines >= TTY_BUF - 1)
		return 0; /* a line (or an end of file) per slot */
	if (!canon(tty))
		return tty->in.len < TTY_BUF;
	/* The reader can make room; a full line with nothing to read takes
	 * only its terminator (the rest is dropped, as Linux does). */
	return tty->in.len + tty->edit_len < TTY_BUF - 1 || tty->in.len == 0;
}

static void push_line(struct tty *tty)
{
	size_t n = tty_ring_put(&tty->in, tty->edit, tty->edit_len);

	tty->lines[(tty->line_head + tty->nlines) % TTY_BUF] = (uint16_t)n;
	tty->nlines++;
	tty->edit_len = 0;
}

/* Erase one character (ERASE), a word (WERASE) or the line (KILL). */
static void erase(struct tty *tty, int kind)
{
	int echo = LFL(tty, ECHO);

	if (tty->edit_len == 0)
		return;
	if (kind == VKILL) {
		if (!echo) {
			tty->edit_len = 0;
			return;
		}
		if (!LFL(tty, ECHOK) || !LFL(tty, ECHOKE) || !LFL(tty, ECHOE)) {
			tty->edit_len = 0;
			echo_char(tty, CC(tty, VKILL));
			if (LFL(tty, ECHOK))
				out_char(tty, '\n');
			return;
		}
	}
	if (kind == VERASE && echo && !LFL(tty, ECHOE)) {
		tty->edit_len--;
		while (tty->edit_len > 0 && utf8_cont(tty, tty->edit[tty->edit_len]))
			tty->edit_len--;
		echo_char(tty, CC(tty, VERASE));
		return;
	}
	for (int seen_alnum = 0; tty->edit_len > 0;) {
		size_t end = tty->edit_len;
		uint8_t c;

		do
			c = tty->edit[--tty->edit_len];
		while (tty->edit_len > 0 && utf8_cont(tty, c));
		if (kind == VWERASE) {
			if (isalnum(c) || c == '_') {
				seen_alnum = 1;
			} else if (seen_alnum) {
				tty->edit_len = end; /* keep the separator */
				break;
			}
		}
		if (echo) {
			if (c == '\t') {
				/* back to the column the tab started at */
				int col = tty->canon_col;

				for (size_t i = 0; i < tty->edit_len; i++) {
					uint8_t d = tty->edit[i];

					if (d == '\t')
						col = (col | 7) + 1;
					else if (iscntrl(d))
						col += LFL(tty, ECHOCTL) ? 2 : 0;
					else if (!utf8_cont(tty, d))
						col++;
				}
				while (tty->column > col) {
					echo_raw(tty, "\b", 1);
					tty->column--;
				}
			} else {
				int n = iscntrl(c) ? (LFL(tty, ECHOCTL) ? 2 : 0) : 1;

				for (int i = 0; i < n; i++) {
					echo_raw(tty, "\b \b", 3);
					if (tty->column > 0)
						tty->column--;
				}
			}
		}
		if (kind == VERASE)
			break;
	}
}

static void put_raw(struct tty *tty, uint8_t c)
{
	tty_ring_put(&tty->in, &c, 1);
}

uint64_t tty_ldisc_receive_locked(struct tty *tty, uint8_t c)
{
	int echo = LFL(tty, ECHO);

	if (IFL(tty, ISTRIP))
		c &= 0x7f;
	if (tty->lnext) {
		tty->lnext = 0;
		if (echo)
			echo_raw(tty, "\b", 1), echo_char(tty, c);
		goto normal;
	}
	if (LFL(tty, ISIG)) {
		int sig = is_cc(tty, VINTR, c) ? SIGINT : is_cc(tty, VQUIT, c) ? SIGQUIT
			: is_cc(tty, VSUSP, c) ? SIGTSTP : 0;

		if (sig) {
			if (!LFL(tty, NOFLSH))
				tty_ldisc_flush_locked(tty, 1, 1);
			tty->stopped = 0;
			if (echo)
				echo_char(tty, c);
			return SIG_BIT(sig);
		}
	}
	if (IFL(tty, IXON)) {
		if (is_cc(tty, VSTOP, c)) {
			tty->stopped = 1;
			return 0;
		}
		if (is_cc(tty, VSTART, c)) {
			tty->stopped = 0;
			return 0;
		}
	}
	if (c == '\r') {
		if (IFL(tty, IGNCR))
			return 0;
		if (IFL(tty, ICRNL))
			c = '\n';
	} else if (c == '\n' && IFL(tty, INLCR)) {
		c = '\r';
	}
	if (canon(tty)) {
		if (LFL(tty, IEXTEN) && is_cc(tty, VLNEXT, c)) {
			tty->lnext = 1;
			if (echo)
				echo_raw(tty, "^\b", 2);
			return 0;
		}
		if (is_cc(tty, VERASE, c) || is_cc(tty, VKILL, c) ||
		    (LFL(tty, IEXTEN) && is_cc(tty, VWERASE, c))) {
			erase(tty, is_cc(tty, VERASE, c) ? VERASE : is_cc(tty, VKILL, c) ? VKILL
										: VWERASE);
			return 0;
		}
		if (LFL(tty, IEXTEN) && is_cc(tty, VREPRINT, c) && echo) {
			echo_char(tty, c);
			out_char(tty, '\n');
			for (size_t i = 0; i < tty->edit_len; i++)
				echo_char(tty, tty->edit[i]);
			return 0;
		}
		if (c == '\n' || is_cc(tty, VEOL, c) || (LFL(tty, IEXTEN) && is_cc(tty, VEOL2, c))) {
			if (echo || (c == '\n' && LFL(tty, ECHONL)))
				c == '\n' ? (void)out_char(tty, c) : echo_char(tty, c);
			tty->edit[tty->edit_len++] = c;
			push_line(tty);
			return 0;
		}
		if (is_cc(tty, VEOF, c)) {
			push_line(tty);
			return 0;
		}
	}
	if (echo) {
		if (canon(tty) && tty->edit_len == 0)
			tty->canon_col = tty->column;
		c == '\n' ? (void)out_char(tty, c) : echo_char(tty, c);
	}
normal:
	if (!canon(tty)) {
		put_raw(tty, c);
	} else if (tty->edit_len < TTY_BUF - 2) {
		if (tty->edit_len == 0 && !echo)
			tty->canon_col = tty->column;
		tty->edit[tty->edit_len++] = c;
	}
	return 0;
}

size_t tty_ldisc_inq_locked(const struct tty *tty)
{
	if (!canon(tty))
		return tty->in.len;
	return tty->nlines ? tty->in.len : 0;
}

int tty_ldisc_readable_locked(const struct tty *tty)
{
	return canon(tty) ? tty->nlines > 0 : tty->in.len > 0;
}

size_t tty_ldisc_take_locked(struct tty *tty, uint8_t *buf, size_t len)
{
	size_t n;
	uint16_t *line;

	if (!canon(tty) || tty->nlines == 0)
		return tty_ring_take(&tty->in, buf, len);
	line = &tty->lines[tty->line_head];
	n = tty_ring_take(&tty->in, buf, MIN(len, (size_t)*line));
	*line = (uint16_t)(*line - n);
	if (*line == 0) {
		tty->line_head = (tty->line_head + 1) % TTY_BUF;
		tty->nlines--;
	}
	return n;
}

void tty_ldisc_flush_locked(struct tty *tty, int input, int output)
{
	if (input) {
		tty_ring_take(&tty->in, NULL, tty->in.len);
		tty->nlines = tty->line_head = 0;
		tty->edit_len = 0;
		tty->lnext = 0;
	}
	if (output)
		tty_ring_take(&tty->out, NULL, tty->out.len);
}

void tty_ldisc_set_termios_locked(struct tty *tty, const struct tty_termios *tio)
{
	int was_canon = canon(tty);

	tty->tio = *tio;
	if (was_canon && !canon(tty)) {
		/* the partial line becomes readable */
		tty_ring_put(&tty->in, tty->edit, tty->edit_len);
		tty->edit_len = 0;
		tty->nlines = tty->line_head = 0;
	} else if (!was_canon && canon(tty)) {
		/* raw bytes not read yet: one line */
		tty->nlines = tty->line_head = 0;
		if (tty->in.len)
			tty->lines[tty->nlines++] = (uint16_t)tty->in.len;
	}
	if (!IFL(tty, IXON))
		tty->stopped = 0;
}
