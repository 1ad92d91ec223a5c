/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a control-socket frame (runtime/control/frame.c) as
 * the Sentry decodes it must never crash or leak, and what it accepts
 * must keep the checked invariants.  The first byte picks how many fds
 * the frame claims to carry; the rest is the frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/control/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CtlRequest *q = NULL;
	size_t nfds;

	if (size < 1)
		return 0;
	nfds = data[0] % (CTL_FRAME_MAX_FDS + 1);
	if (ctl_request_parse(data + 1, size - 1, nfds, &q) < 0)
		return 0;
	if (q->req_case == CVISOR__CONTROL__CONTROL_REQUEST__REQ_SPAWN) {
		const Cvisor__Control__Spawn *s = q->spawn;

		if (s->n_argv < 1 || !s->argv[0][0] || s->n_stdio_fds != 3)
			abort();
		for (size_t i = 0; i < 3; i++)
			if (s->stdio_fds[i] < -1 || s->stdio_fds[i] >= (int32_t)nfds)
				abort();
	}
	if (q->req_case == CVISOR__CONTROL__CONTROL_REQUEST__REQ_FILE_READ &&
	    q->file_read->path[0] != '/')
		abort();
	/* what was accepted packs again */
	(void)cvisor__control__control_request__get_packed_size(q);
	ctl_request_free(q);
	return 0;
}
