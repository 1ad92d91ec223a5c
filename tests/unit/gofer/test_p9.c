/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the 9P2000.L codec (gofer/p9.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "gofer/p9.h"
#include "tests/unit/gofer/p9_samples.h"

static uint8_t buf[65536], buf2[65536];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Every sample encodes, decodes to the same fields and re-encodes to the same bytes. */
static void test_roundtrip_all(void **state)
{
	(void)state;
	assert_true(p9_sample_count() >= 56);
	for (size_t i = 0; i < p9_sample_count(); i++) {
		struct p9_msg m, d;
		ssize_t n, n2;

		p9_sample(i, &m);
		n = p9_encode(&m, buf, sizeof(buf));
		assert_true(n >= (ssize_t)P9_HDRSZ);
		assert_int_equal(p9_decode(buf, (size_t)n, P9_MSIZE_MAX, &d), 0);
		assert_int_equal(d.type, m.type);
		assert_int_equal(d.tag, m.tag);
		n2 = p9_encode(&d, buf2, sizeof(buf2));
		assert_int_equal(n2, n);
		assert_memory_equal(buf, buf2, (size_t)n);
		assert_string_not_equal(p9_type_name(m.type), "T?");
	}
}

/* The wire bytes diod's client sends for Tversion (seen in a diod -d 1 trace). */
static void test_golden_tversion(void **state)
{
	static const uint8_t want[] = {0x15, 0, 0,   0,	  100, 0xff, 0xff, 0x00, 0x00, 0x01, 0x00,
				       8,    0, '9', 'P', '2', '0',  '0',  '0',	 '.',  'L'};
	struct p9_msg m = {.type = P9_TVERSION, .tag = P9_NOTAG};
	struct p9_msg d;

	(void)state;
	m.u.version.msize = 65536;
	p9_str_from(P9_VERSION_L, &m.u.version.version);
	assert_int_equal(p9_encode(&m, buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(p9_decode(want, sizeof(want), P9_MSIZE_MAX, &d), 0);
	assert_int_equal(d.u.version.msize, 65536);
	assert_int_equal(d.u.version.version.len, 8);
	assert_memory_equal(d.u.version.version.s, "9P2000.L", 8);
}

static void test_fields(void **state)
{
	struct p9_msg m, d;
	ssize_t n;

	(void)state;
	for (size_t i = 0; i < p9_sample_count(); i++) {
		p9_sample(i, &m);
		if (m.type != P9_RGETATTR)
			continue;
		n = p9_encode(&m, buf, sizeof(buf));
		assert_int_equal(n, 7 + 8 + 13 + 3 * 4 + 15 * 8);
		assert_int_equal(p9_decode(buf, (size_t)n, P9_MSIZE_MAX, &d), 0);
		assert_int_equal(d.u.getattr.attr.size, 12345);
		assert_int_equal(d.u.getattr.attr.qid.path, 0x1122334455667788ull);
		assert_int_equal(d.u.getattr.attr.data_version, 10);
	}
}

/* Every strict prefix (with the size field patched) and one extra byte fail. */
static void test_truncation(void **state)
{
	(void)state;
	for (size_t i = 0; i < p9_sample_count(); i++) {
		struct p9_msg m, d;
		ssize_t n;

		p9_sample(i, &m);
		n = p9_encode(&m, buf, sizeof(buf));
		for (size_t len = 0; len < (size_t)n; len++) {
			int r;

			memcpy(buf2, buf, (size_t)n);
			if (len >= 4)
				put32(buf2, (uint32_t)len);
			r = p9_decode(buf2, len, P9_MSIZE_MAX, &d);
			/* Tfsync without datasync is the one valid shorter form. */
			if (m.type == P9_TFSYNC && len == (size_t)n - 4) {
				assert_int_equal(r, 0);
				assert_int_equal(d.u.fsync.datasync, 0);
				continue;
			}
			assert_int_equal(r, -EBADMSG);
		}
		memcpy(buf2, buf, (size_t)n);
		buf2[n] = 0;
		put32(buf2, (uint32_t)n + 1);
		assert_int_equal(p9_decode(buf2, (size_t)n + 1, P9_MSIZE_MAX, &d), -EBADMSG);
		/* size field disagreeing with the buffer */
		put32(buf2, (uint32_t)n - 1);
		assert_int_equal(p9_decode(buf2, (size_t)n, P9_MSIZE_MAX, &d), -EBADMSG);
	}
}

/* Encoding into every too-small buffer fails cleanly and never overflows. */
static void test_encode_small(void **state)
{
	(void)state;
	for (size_t i = 0; i < p9_sample_count(); i++) {
		struct p9_msg m;
		ssize_t n;

		p9_sample(i, &m);
		n = p9_encode(&m, buf, sizeof(buf));
		for (size_t cap = 0; cap < (size_t)n; cap++) {
			memset(buf2, 0xa5, sizeof(buf2));
			assert_int_equal(p9_encode(&m, buf2, cap), -EMSGSIZE);
			assert_int_equal(buf2[cap], 0xa5);
		}
	}
}

static void test_limits(void **state)
{
	struct p9_msg m = {.type = P9_TWALK}, d;
	ssize_t n;

	(void)state;
	/* more than 16 walk names */
	m.u.walk.nwname = P9_MAXWELEM + 1;
	assert_int_equal(p9_encode(&m, buf, sizeof(buf)), -EINVAL);
	m.u.walk.nwname = P9_MAXWELEM;
	for (unsigned i = 0; i < P9_MAXWELEM; i++)
		p9_str_from("x", &m.u.walk.wname[i]);
	n = p9_encode(&m, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(p9_decode(buf, (size_t)n, P9_MSIZE_MAX, &d), 0);
	buf[15] = P9_MAXWELEM + 1; /* nwname field after size,type,tag,fid,newfid */
	assert_int_equal(p9_decode(buf, (size_t)n, P9_MSIZE_MAX, &d), -EBADMSG);

	/* msize honoured */
	assert_int_equal(p9_decode(buf, (size_t)n, (uint32_t)n - 1, &d), -EMSGSIZE);

	/* unknown types and R messages of T-only type numbers */
	memcpy(buf2, buf, (size_t)n);
	buf2[4] = 99;
	assert_int_equal(p9_decode(buf2, (size_t)n, P9_MSIZE_MAX, &d), -EPROTONOSUPPORT);
	assert_false(p9_is_tmsg(P9_RWALK));
	assert_false(p9_is_tmsg(P9_TLERROR));
	assert_true(p9_is_tmsg(P9_TWALK));

	/* Twrite whose count claims more than the frame holds */
	struct p9_msg w = {.type = P9_TWRITE};
	w.u.io.count = 4;
	w.u.io.data = (const uint8_t *)"abcd";
	n = p9_encode(&w, buf, sizeof(buf));
	assert_int_equal(n, P9_TWRITE_HDRSZ + 4);
	put32(buf + 19, 0xffffffffu);
	assert_int_equal(p9_decode(buf, (size_t)n, P9_MSIZE_MAX, &d), -EBADMSG);
	w.u.io.data = NULL;
	assert_int_equal(p9_encode(&w, buf, sizeof(buf)), -EINVAL);

	/* a string longer than the frame */
	struct p9_msg a = {.type = P9_TATTACH};
	p9_str_from("abc", &a.u.attach.aname);
	n = p9_encode(&a, buf, sizeof(buf));
	buf[17] = 0xff; /* aname length low byte (after fid, afid, uname "") */
	assert_int_equal(p9_decode(buf, (size_t)n, P9_MSIZE_MAX, &d), -EBADMSG);

	/* short header */
	assert_int_equal(p9_decode(buf, 6, P9_MSIZE_MAX, &d), -EBADMSG);
	assert_int_equal(p9_peek_header(buf, 3, NULL, NULL, NULL), -EBADMSG);
}

static void test_names(void **state)
{
	struct p9_str s;
	char longname[300];

	(void)state;
	p9_str_from("ok.txt", &s);
	assert_true(p9_name_valid(&s));
	p9_str_from("", &s);
	assert_false(p9_name_valid(&s));
	p9_str_from(".", &s);
	assert_false(p9_name_valid(&s));
	p9_str_from("..", &s);
	assert_false(p9_name_valid(&s));
	p9_str_from("...", &s);
	assert_true(p9_name_valid(&s));
	p9_str_from("a/b", &s);
	assert_false(p9_name_valid(&s));
	s.s = "a\0b";
	s.len = 3;
	assert_false(p9_name_valid(&s));
	memset(longname, 'x', sizeof(longname));
	longname[255] = '\0';
	p9_str_from(longname, &s);
	assert_true(p9_name_valid(&s));
	longname[255] = 'x';
	longname[256] = '\0';
	p9_str_from(longname, &s);
	assert_false(p9_name_valid(&s));
}

static void test_dirents(void **state)
{
	struct p9_dirent d = {.qid = {P9_QTDIR, 0, 42}, .offset = 7, .type = 4}, o;
	size_t pos = 0, rpos = 0;
	int n = 0;

	(void)state;
	p9_str_from("entry", &d.name);
	while (p9_dirent_put(buf, 100, &pos, &d) == 0)
		n++;
	assert_int_equal(n, 100 / (13 + 8 + 1 + 2 + 5));
	for (int i = 0; i < n; i++) {
		assert_int_equal(p9_dirent_next(buf, pos, &rpos, &o), 1);
		assert_int_equal(o.qid.path, 42);
		assert_int_equal(o.offset, 7);
		assert_int_equal(o.name.len, 5);
	}
	assert_int_equal(p9_dirent_next(buf, pos, &rpos, &o), 0);
	rpos = 0;
	assert_int_equal(p9_dirent_next(buf, 10, &rpos, &o), -EBADMSG);
	assert_int_equal(rpos, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_all), cmocka_unit_test(test_golden_tversion),
	    cmocka_unit_test(test_fields),	  cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_encode_small),  cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_names),	  cmocka_unit_test(test_dirents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
