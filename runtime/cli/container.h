/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the OCI verbs (cli/<verb>.c) share: the global flags, opening a
 * container (validate the id, lock, load, compute the live status), creating
 * one from a bundle (create, run), waiting for its pid 1 (run, wait, the
 * monitor), destroying it (delete, run).  These print their errors (they
 * are the CLI); they return a negative errno.
 *
 * The monitor: `create` and `run --detach` leave behind one small process
 * (forked from the CLI, stdio on /dev/null) that waits for pid 1 in the
 * sandbox and then exits with the same status (killed by the same signal).
 * Its pid is the container's pid (--pid-file, `state`), as runc's is the
 * container's init: a containerd shim, which reaps what the runtime leaves
 * behind, sees the container exit when it does.  The sandbox itself
 * (`cvisor boot`) lives on until `delete`.
 */
#ifndef CVISOR_RUNTIME_CLI_CONTAINER_H
#define CVISOR_RUNTIME_CLI_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "platform/platform.h"
#include "runtime/sandbox.h"

struct oci_state;
struct oci_process;
struct sandbox;

struct cli_globals {
	const char *root;      /* --root */
	const char *log_path;  /* --log */
	int log_fd;            /* its fd, -1 = stderr */
	bool log_json;         /* --log-format json */
	bool debug;            /* --debug */
	enum plat_kind platform; /* --platform (cvisor's own) */
	bool network_set;        /* --network given (cvisor's own) */
	enum sandbox_network network;
};
extern struct cli_globals cli;

/* Usage error: prints "cvisor VERB: MSG" and returns 2 (exit code). */
int cli_usage(const char *verb, const char *msg);

/* Exit code of a wait status: the code, or 128 + signal. */
int cli_exit_code(int wstatus);

/* "TERM", "SIGTERM", "15" -> 15; -EINVAL otherwise. */
int cli_parse_signal(const char *s);

/* Open container @id: *ret_lock holds its lock when @lock (else -1), and
 * the state's status is the live one (saved back when it changed and
 * @lock).  Prints "container ID does not exist" etc. */
int cli_open(const char *id, bool lock, struct oci_state **ret, int *ret_lock);

/* Recompute st->status from the sandbox (pid 1 exited, sandbox gone, OOM
 * kill, paused); true if anything changed. */
bool cli_refresh(struct oci_state *st);

/* Connect to the container's sandbox. */
int cli_attach(const struct oci_state *st, struct sandbox **ret);

/* `cvisor pause|resume ID`: freeze (@pause) a running container's
 * processes or thaw a paused one, and save the new status.  Exit code. */
int cli_freeze(int argc, char **argv, bool pause);

struct cli_create {
	const char *id;
	const char *bundle;         /* NULL: "." */
	const char *pid_file;
	const char *console_socket;
	bool start;                 /* run: pid 1 is not paused */
	bool foreground;            /* run without --detach: no monitor */
	const char *restore_image;  /* restore: the processes come from this image
				     * (docs/checkpoint.md) instead of process */
};
/* Create the container; on success *ret_st is saved (created, or running
 * with @start) and, for foreground runs, *ret_sb is the connection that
 * spawned pid 1 (else the connection is closed and *ret_sb NULL).  On
 * failure nothing is left behind. */
int cli_create_container(const struct cli_create *a, struct oci_state **ret_st,
			 struct sandbox **ret_sb);

/* Spawn a process (pid 1 with @init) from an OCI process object.  stdio is
 * the caller's 0-2, or, with process.terminal, a new pty whose master goes
 * to @console_socket (or, without one, the caller's own tty if stdin is
 * one). */
int cli_spawn(struct sandbox *sb, const struct oci_process *p, const char *console_socket,
	      bool init, bool paused, int32_t *ret_pid);

/* Wait for @pid (1: the container) on @sb; with @forward, SIGINT/TERM/HUP/
 * QUIT/USR1/USR2/WINCH received meanwhile are sent to it.  A memory-limit
 * kill of the sandbox (cgroup OOM) ends the wait with SIGKILL's status. */
int cli_wait_pid(const struct oci_state *st, struct sandbox *sb, int32_t pid, bool forward,
		 int *ret_status);

/* Kill the sandbox, remove its cgroup and the state directory (the caller
 * holds the lock). */
int cli_destroy(struct oci_state *st);

/* Run the hooks of @kind (enum oci_hook_kind) of @spec (NULL: none) with
 * @st's state on their stdin: createContainer/startContainer in the sandbox
 * @sb, the others on the host.  The first failure is returned (printed). */
struct oci_spec;
int cli_run_hooks(const struct oci_spec *spec, int kind, const struct oci_state *st,
		  struct sandbox *sb);

/* `start`: startContainer hooks, run pid 1, poststart hooks; st->status
 * becomes running.  @spec NULL: loaded from the bundle. */
int cli_start_container(struct oci_state *st, struct sandbox *sb, const struct oci_spec *spec);

/* Write @pid to @path atomically (tmp + rename), as runc. */
int cli_write_pid_file(const char *path, pid_t pid);

/* Run a verb on each container: `list` needs every state. */
void cli_log_ignored(char *const *ignored);

#endif
