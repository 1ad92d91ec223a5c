/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pid 1 as cvisor-init (init.c, embedded): `cvisor demo --init` and
 * `cvisor do --init`, in the role of `docker run --init`.
 */
#ifndef CVISOR_RUNTIME_INIT_PID1_H
#define CVISOR_RUNTIME_INIT_PID1_H

struct kernel;
struct plat;
struct task;

/*
 * Create pid 1 of @k running cvisor-init with argv "/cvisor-init" @argv...
 * and environment @envp (passed on to the program); cvisor-init runs
 * @argv[0] (looked up in PATH when bare) as pid 2.  Not started: the caller
 * sets its cwd and stdio, then task_start()s it.
 */
int init_pid1_create(struct kernel *k, struct plat *p, const char *const *argv,
		     const char *const *envp, struct task **ret);

#endif
