/* SPDX-License-Identifier: Apache-2.0 */
/*
 * REST request bodies as cvisord parses them (server/exec.c, server/config.c):
 * exec/run bodies, pool bodies, and the UTF-8 repair of program output.
 * Every input must give a clean result or a clean error; what is accepted
 * must respect the limits.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/srv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srv_config c;
	struct srv_exec_req r;
	struct pool_config pc;
	const char *err = NULL;
	json_error_t je;
	json_t *j, *b;

	srv_config_defaults(&c);
	c.lim.max_argv = 4096;
	c.lim.max_stdin = 4096;
	b = srv_json_bytes((const char *)data, size);
	if (!b || json_string_length(b) < size)
		abort(); /* every byte is kept or replaced, never dropped */
	json_decref(b);

	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return 0;
	memset(&r, 0, sizeof(r));
	if (srv_exec_parse(j, &c.lim, &r, &err) == 0) {
		size_t bytes = 0;
		if (!r.argv || !r.argv[0] || !r.argv[0][0])
			abort();
		for (char **p = r.argv; *p; p++)
			bytes += strlen(*p) + 1;
		for (char **p = r.env; p && *p; p++) {
			if (!strchr(*p, '='))
				abort();
			bytes += strlen(*p) + 1;
		}
		if (bytes > c.lim.max_argv || r.stdin_len > c.lim.max_stdin ||
		    r.timeout_ms == 0 || r.timeout_ms > c.lim.max_exec_timeout_ms ||
		    (r.cwd && r.cwd[0] != '/'))
			abort();
		srv_exec_req_clear(&r);
	} else if (!err || r.argv) {
		abort();
	}
	if (srv_pool_from_json(j, PLAT_SYSTRAP, &pc, &err) == 0) {
		/* exactly one template: a rootfs path or a snapshot id */
		if (!pool_name_valid(pc.name) || !pc.rootfs == !pc.snapshot || pc.image ||
		    (pc.rootfs && pc.rootfs[0] != '/') ||
		    (pc.snapshot && (!pc.snapshot[0] || strlen(pc.snapshot) > POOL_SNAPSHOT_MAX)) ||
		    (pc.max_total && pc.min_ready > pc.max_total))
			abort();
		srv_pool_config_free(&pc);
	}
	json_decref(j);
	return 0;
}
