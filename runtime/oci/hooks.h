/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks that run on the host (prestart, createRuntime, poststart,
 * poststop): fork + execve of hook->path with hook->args and hook->env,
 * the container's state JSON on stdin, the caller's stderr, hook->timeout
 * seconds (0: none) before SIGKILL.  Library code: nothing is printed.
 */
#ifndef CVISOR_RUNTIME_OCI_HOOKS_H
#define CVISOR_RUNTIME_OCI_HOOKS_H

struct oci_hook;

/* 0 if the hook exited 0; -ETIMEDOUT; -ECANCELED (non-zero exit or killed,
 * *ret_status is its wait status); other -errno when it could not run. */
int oci_hook_run(const struct oci_hook *h, const char *state_json, int *ret_status);

#endif
