/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the 9P2000.L codec (gofer/p9.c), the first thing a
 * hostile client's bytes reach in the Gofer.
 *
 * Properties checked on every input:
 *  - p9_decode never reads out of bounds (ASan) nor invokes UB (UBSan), for
 *    the raw bytes and for a copy whose size field is patched to the length
 *    (so that most inputs get past framing and exercise the bodies);
 *  - a decoded message re-encodes to exactly the same bytes (except Tfsync
 *    without datasync, which is re-encoded in the longer Linux form), and
 *    that encoding decodes again;
 *  - the directory entry parser and the name check survive any data blob.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gofer/p9.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[P9_MSIZE_MAX / 16];
static uint8_t copy[P9_MSIZE_MAX / 16];

static void check(const uint8_t *buf, size_t len, uint32_t msize)
{
	struct p9_msg m, m2;
	ssize_t n;

	if (p9_decode(buf, len, msize, &m) < 0)
		return;
	if (m.type == P9_TWALK)
		for (unsigned i = 0; i < m.u.walk.nwname; i++)
			(void)p9_name_valid(&m.u.walk.wname[i]);
	if (m.type == P9_RREADDIR) {
		struct p9_dirent d;
		size_t pos = 0;

		while (p9_dirent_next(m.u.io.data, m.u.io.count, &pos, &d) == 1)
			(void)p9_name_valid(&d.name);
	}
	n = p9_encode(&m, out, sizeof(out));
	if (n < 0)
		abort(); /* what decoded must encode into a buffer as large */
	if (m.type != P9_TFSYNC && ((size_t)n != len || memcmp(out, buf, len)))
		abort();
	if (p9_decode(out, (size_t)n, P9_MSIZE_MAX, &m2) < 0 || m2.type != m.type ||
	    m2.tag != m.tag)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > sizeof(copy))
		return 0;
	check(data, size, P9_MSIZE_MAX);
	check(data, size, 8192);
	if (size >= P9_HDRSZ) {
		memcpy(copy, data, size);
		copy[0] = (uint8_t)size;
		copy[1] = (uint8_t)(size >> 8);
		copy[2] = (uint8_t)(size >> 16);
		copy[3] = (uint8_t)(size >> 24);
		check(copy, size, P9_MSIZE_MAX);
	}
	return 0;
}
