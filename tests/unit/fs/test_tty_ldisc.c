/* SPDX-License-Identifier: Apache-2.0 */
/* The line discipline of sentry/fs/tty_ldisc.c on its own: canonical
 * editing, signals, bounds under hostile input (endless lines, endless
 * end-of-file characters, random bytes across mode switches) and the
 * invariant that canonical lines account for every buffered byte. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <cmocka.h>

#include "sentry/fs/tty.h"
#include "sentry/kernel/signal.h"

static void feed(struct tty *tty, const char *s)
{
	while (*s)
		tty_ldisc_receive_locked(tty, (uint8_t)*s++);
}

static size_t take_all(struct tty *tty, char *buf, size_t len)
{
	size_t n = tty_ldisc_take_locked(tty, (uint8_t *)buf, len - 1);

	buf[n] = 0;
	return n;
}

static void check_invariants(const struct tty *tty)
{
	size_t sum = 0;

	assert_true(tty->in.len <= TTY_BUF);
	assert_true(tty->out.len <= TTY_BUF);
	assert_true(tty->edit_len < TTY_BUF);
	assert_true(tty->nlines < TTY_BUF);
	if (tty->tio.c_lflag & ICANON) {
		for (size_t i = 0; i < tty->nlines; i++)
			sum += tty->lines[(tty->line_head + i) % TTY_BUF];
		assert_int_equal(sum, tty->in.len);
	} else {
		assert_int_equal(tty->nlines, 0);
	}
}

static void test_canonical_editing(void **state)
{
	struct tty *tty = tty_new(NULL, -1);
	char buf[64];

	(void)state;
	feed(tty, "ab\177c\n");
	assert_string_equal((take_all(tty, buf, sizeof(buf)), buf), "ac\n");
	feed(tty, "one two\027three\n");
	assert_string_equal((take_all(tty, buf, sizeof(buf)), buf), "one three\n");
	feed(tty, "gone\025kept\r");
	assert_string_equal((take_all(tty, buf, sizeof(buf)), buf), "kept\n");
	feed(tty, "\177\027\025"); /* erasing nothing */
	assert_int_equal(tty->edit_len, 0);
	feed(tty, "\026\177\n"); /* LNEXT: a literal DEL */
	assert_string_equal((take_all(tty, buf, sizeof(buf)), buf), "\177\n");
	feed(tty, "x\004\004");
	assert_int_equal(take_all(tty, buf, sizeof(buf)), 1);
	assert_int_equal(take_all(tty, buf, sizeof(buf)), 0); /* the EOF line */
	assert_false(tty_ldisc_readable_locked(tty));
	check_invariants(tty);
	tty_put(tty);
}

static void test_signals_flush(void **state)
{
	struct tty *tty = tty_new(NULL, -1);

	(void)state;
	feed(tty, "pending\nhalf");
	assert_int_equal(tty_ldisc_receive_locked(tty, 003), SIG_BIT(SIGINT));
	assert_int_equal(tty->in.len, 0);
	assert_int_equal(tty->edit_len, 0);
	assert_int_equal(tty_ldisc_receive_locked(tty, 034), SIG_BIT(SIGQUIT));
	assert_int_equal(tty_ldisc_receive_locked(tty, 032), SIG_BIT(SIGTSTP));
	tty->tio.c_lflag |= NOFLSH;
	feed(tty, "kept\n");
	assert_int_equal(tty_ldisc_receive_locked(tty, 003), SIG_BIT(SIGINT));
	assert_int_equal(tty->in.len, 5);
	tty->tio.c_lflag &= ~(uint32_t)ISIG;
	assert_int_equal(tty_ldisc_receive_locked(tty, 003), 0);
	check_invariants(tty);
	tty_put(tty);
}

static void test_bounds(void **state)
{
	struct tty *tty = tty_new(NULL, -1);
	int accepted = 0;

	(void)state;
	/* an endless line: everything past the limit is dropped */
	for (int i = 0; i < 3 * TTY_BUF; i++) {
		assert_true(tty_ldisc_can_receive_locked(tty));
		tty_ldisc_receive_locked(tty, 'a');
	}
	assert_true(tty->edit_len < TTY_BUF);
	tty_ldisc_receive_locked(tty, '\n');
	assert_int_equal(tty->nlines, 1);
	check_invariants(tty);
	tty_ldisc_flush_locked(tty, 1, 1);
	/* endless end-of-file characters: one slot each, then no room */
	for (int i = 0; i < 3 * TTY_BUF && tty_ldisc_can_receive_locked(tty); i++, accepted++)
		tty_ldisc_receive_locked(tty, 004);
	assert_true(accepted < TTY_BUF);
	assert_false(tty_ldisc_can_receive_locked(tty));
	check_invariants(tty);
	/* output: a full ring takes nothing more */
	for (int i = 0; i < TTY_BUF; i++)
		tty_ldisc_output_locked(tty, (const uint8_t *)"\n", 1);
	assert_int_equal(tty_ldisc_output_locked(tty, (const uint8_t *)"x", 1), 0);
	assert_true(tty->out.len <= TTY_BUF);
	tty_put(tty);
}

static void test_random_input(void **state)
{
	struct tty *tty = tty_new(NULL, -1);
	struct tty_termios canon = tty->tio, raw = tty->tio;
	uint32_t x = 12345;
	uint8_t buf[300];

	(void)state;
	raw.c_lflag &= ~(uint32_t)(ICANON | ECHO | ISIG);
	raw.c_oflag &= ~(uint32_t)OPOST;
	for (int i = 0; i < 200000; i++) {
		x = x * 1103515245u + 12345u;
		uint8_t c = (uint8_t)(x >> 16);

		switch ((x >> 8) % 64) {
		case 0:
			tty_ldisc_set_termios_locked(tty, (x & 0x10000000) ? &raw : &canon);
			break;
		case 1:
		case 2:
			tty_ldisc_take_locked(tty, buf, (x >> 20) % sizeof(buf));
			break;
		case 3:
			tty_ring_take(&tty->out, NULL, TTY_BUF);
			break;
		case 4:
			tty_ldisc_output_locked(tty, &c, 1);
			break;
		default:
			if (tty_ldisc_can_receive_locked(tty))
				tty_ldisc_receive_locked(tty, c);
			else
				tty_ldisc_take_locked(tty, buf, sizeof(buf));
		}
		check_invariants(tty);
	}
	tty_put(tty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_editing),
		cmocka_unit_test(test_signals_flush),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_random_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
