/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the test_sandbox sources: the sandbox under test and helpers
 * (sb_harness.c).  Every helper fails the current cmocka test on error. */
#ifndef CVISOR_TESTS_SB_HARNESS_H
#define CVISOR_TESTS_SB_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/sandbox.h"

extern const char *cvisor_bin, *rootfs;
extern enum plat_kind platform;
extern char dir[64], ctl_path[100];
extern struct sandbox *sb; /* booted by the group setup ("sbmain") */

/* Spawn @argv with stdout+stderr on a pipe; returns the read end. */
int spawn_out(struct sandbox *s, const char *const *argv, int32_t *pid);
/* Everything until EOF (malloc'd, NUL-terminated); closes @fd. */
char *read_all(int fd);
/* Run @argv to completion: its output and wait status. */
char *run(struct sandbox *s, const char *const *argv, int *status);
/* sh -c @script in sb: exit code @code and, unless NULL, output @expect. */
void sh(const char *script, const char *expect, int code);
/* Host processes whose cmdline mentions @needle (the test's excluded). */
int count_procs(const char *needle);
/* Boot a sandbox with hostname @name at dir/@name.sock (sets ctl_path). */
struct sandbox *boot(const char *name);
/* Bytes readable on @fd within @ms (drained). */
size_t drain(int fd, int ms);
/* sb still answers and runs programs. */
void still_serving(void);

#endif
