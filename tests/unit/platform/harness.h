/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for platform tests: an address space with a code page holding
 * hand-assembled instructions, a read-only data page, and one context.
 */
#ifndef CVISOR_TESTS_PLATFORM_HARNESS_H
#define CVISOR_TESTS_PLATFORM_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

#define H_CODE 0x10000ULL  /* r-x */
#define H_DATA 0x20000ULL  /* r-- , first qword = H_DATA_MAGIC */
#define H_RW 0x30000ULL    /* rw- */
#define H_HOLE 0x50000ULL  /* never mapped */
#define H_DATA_MAGIC 0x1122334455667788ULL

/* Which platform a test runs on. */
struct h_variant {
	enum plat_kind kind;
	int sud; /* systrap: trap with syscall user dispatch too */
};

struct harness {
	struct plat *p;
	struct plat_as *as;
	struct plat_ctx *ctx;
	struct plat_cpu *cpu;
};

/* Open @kind, create an AS, map the pages, copy @code to H_CODE, create a
 * context whose CPU starts at H_CODE.  Fails the test on error. */
void h_setup(struct harness *h, const struct h_variant *v, const uint8_t *code, size_t len);
void h_teardown(struct harness *h);

/* Switch once and assert the exit reason; returns the exit. */
struct plat_exit h_switch(struct harness *h, enum plat_exit_reason want);

/* Read /proc/<pid>/status field @key ("Seccomp") into @buf. */
int h_proc_status(int pid, const char *key, char *buf, size_t len);

#endif
