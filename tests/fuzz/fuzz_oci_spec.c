/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: config.json parsing must never crash, leak or accept
 * a spec that breaks its own invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_spec *s = NULL;
	char *err = NULL;

	if (oci_spec_parse((const char *)data, size, &s, &err) == 0) {
		if (!s->root_path || !s->oci_version)
			abort();
		if (s->has_process && (!s->process.args || !s->process.args[0] ||
				       !s->process.cwd || s->process.cwd[0] != '/'))
			abort();
		for (size_t i = 0; i < s->n_mounts; i++)
			if (s->mounts[i].destination[0] != '/')
				abort();
		oci_spec_free(s);
	}
	free(err);
	return 0;
}
