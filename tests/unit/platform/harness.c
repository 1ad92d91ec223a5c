/* SPDX-License-Identifier: Apache-2.0 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

void h_setup(struct harness *h, const struct h_variant *v, const uint8_t *code, size_t len)
{
	struct plat_opts opts = { .use_sud = v->sud };
	uint64_t magic = H_DATA_MAGIC;

	memset(h, 0, sizeof(*h));
	h->cpu = calloc(1, sizeof(*h->cpu));
	assert_non_null(h->cpu);
	assert_int_equal(plat_open(v->kind, &opts, &h->p), 0);
	assert_int_equal(plat_as_create(h->p, &h->as), 0);
	assert_int_equal(plat_as_map(h->as, H_CODE, 4096, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE,
				     -1, 0),
			 0);
	assert_int_equal(plat_as_write(h->as, H_CODE, code, len), (ssize_t)len);
	assert_int_equal(plat_as_protect(h->as, H_CODE, 4096, PROT_READ | PROT_EXEC), 0);
	assert_int_equal(plat_as_map(h->as, H_DATA, 4096, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE,
				     -1, 0),
			 0);
	assert_int_equal(plat_as_write(h->as, H_DATA, &magic, sizeof(magic)), 8);
	assert_int_equal(plat_as_protect(h->as, H_DATA, 4096, PROT_READ), 0);
	assert_int_equal(plat_as_map(h->as, H_RW, 4096, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE,
				     -1, 0),
			 0);
	assert_int_equal(plat_ctx_create(h->as, &h->ctx), 0);
	plat_cpu_init(h->cpu, H_CODE, H_RW + 4096 - 64);
}

void h_teardown(struct harness *h)
{
	plat_ctx_destroy(h->ctx);
	plat_as_destroy(h->as);
	plat_close(h->p);
	free(h->cpu);
	memset(h, 0, sizeof(*h));
}

struct plat_exit h_switch(struct harness *h, enum plat_exit_reason want)
{
	struct plat_exit ex;

	assert_int_equal(plat_ctx_switch(h->ctx, h->cpu, &ex), 0);
	if (ex.reason != want)
		fail_msg("exit reason %d (signo %d code %d addr 0x%llx rip 0x%llx), want %d",
			 ex.reason, ex.signo, ex.code, (unsigned long long)ex.addr,
			 (unsigned long long)h->cpu->regs.rip, want);
	return ex;
}

int h_proc_status(int pid, const char *key, char *buf, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;
	int r = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			char *v = line + klen + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			v[strcspn(v, "\n")] = 0;
			snprintf(buf, len, "%s", v);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}
