/* SPDX-License-Identifier: Apache-2.0 */
/* Internals of the sandbox client (sandbox.c, sandbox_calls.c). */
#ifndef CVISOR_RUNTIME_SANDBOX_IMPL_H
#define CVISOR_RUNTIME_SANDBOX_IMPL_H

#include <stdint.h>
#include <sys/types.h>

#include "runtime/control/frame.h"

struct sandbox {
	int fd;             /* the connection */
	uint64_t next_id;   /* of the next request */
	pid_t pid;          /* launched `cvisor boot`, 0 if attached */
	char *control_path; /* unlinked by sandbox_destroy when launched */
	char errmsg[512];   /* the Sentry's message with the last error (or "") */
};

/* One round trip: sets q->id, sends @q with @fds, receives the answer.
 * The Sentry's errno comes back negative; with 0, *ret (if non-NULL) is
 * the response, freed with sb_response_free. */
int sb_call(struct sandbox *sb, CtlRequest *q, const int *fds, size_t nfds, CtlResponse **ret);
void sb_response_free(CtlResponse *p);

#endif
