/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the control socket of a booted sandbox (`cvisor boot`,
 * runtime/control/) asks of the kernel: processes started from outside,
 * waited for, signalled and listed; freezing every task; statistics; files
 * through the VFS as root.  No protocol here: plain calls on the kernel.
 *
 * Processes: kernel_ctl_spawn() creates a process with no parent inside the
 * sandbox (ppid 0, its own session and process group), pid 1 when
 * @init.  Its zombie is kept until kernel_ctl_wait() collects it or its
 * @owner is released (kernel_ctl_release(), when a connection closes);
 * pid 1's zombie stays until the kernel goes (its status is the
 * container's).  Orphans go to pid 1 or, without one, are reaped at once.
 *
 * All calls take kernel.lock themselves; 0 or negative errno.
 */
#ifndef CVISOR_SENTRY_KERNEL_CONTROL_H
#define CVISOR_SENTRY_KERNEL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel;

struct kernel_spawn {
	const char *const *argv;  /* argv[0] looked up in PATH if it has no '/' */
	const char *const *env;   /* NULL: PATH, HOME=/, TERM=xterm */
	const char *cwd;          /* NULL: "/" */
	uint32_t uid, gid;
	const uint32_t *groups;
	size_t ngroups;
	int stdio[3];             /* host fds, taken over in every case; -1: /dev/null */
	bool init;                /* pid 1 */
	bool terminal;            /* stdio on one host tty: the Sentry's terminal
				   * and the process's controlling tty
				   * (task_set_stdio_tty) */
	bool paused;              /* not started until kernel_ctl_start() */
	const void *owner;        /* the connection: see above */
	const struct kernel_rlimit {
		int resource;      /* RLIMIT_*, < 16 */
		uint64_t soft, hard; /* soft <= hard; UINT64_MAX: infinity */
	} *rlimits;
	size_t nrlimits;
	bool no_new_privs;
	bool has_umask;
	uint32_t umask;
};

/* -ENOENT/-EACCES/-ENOEXEC... as execve for the program. */
int kernel_ctl_spawn(struct kernel *k, const struct kernel_spawn *s, int32_t *ret_pid);
/* Start a process spawned paused; -ESRCH if none, -EALREADY if running. */
int kernel_ctl_start(struct kernel *k, int32_t pid);
/* Wait for control process @pid to exit (@timeout_ms < 0: forever):
 * *ret_status is its wait status; collected (freed) if @reap, else left
 * for a later wait (WNOWAIT).  -ETIMEDOUT, -ECHILD if @pid is not a
 * control process (or already collected). */
int kernel_ctl_wait(struct kernel *k, int32_t pid, int timeout_ms, bool reap, int *ret_status);
/* Wait for any process spawned by @owner but pid 1 (wait(2) for a
 * connection): -ECHILD when it has none left. */
int kernel_ctl_wait_any(struct kernel *k, const void *owner, int timeout_ms, bool reap,
			int32_t *ret_pid, int *ret_status);
/* @sig (0: check only) to process @pid, or to every process if @pid is 0. */
int kernel_ctl_kill(struct kernel *k, int32_t pid, int sig);
/* Forget @owner: its zombies are freed, its live processes will be. */
void kernel_ctl_release(struct kernel *k, const void *owner);

struct kernel_ps {
	int32_t pid, ppid;
	uint32_t uid;
	char state;
	char comm[16];
	char *cmdline; /* malloc'd, argv joined by spaces */
};
int kernel_ctl_ps(struct kernel *k, struct kernel_ps **ret, size_t *ret_n);
void kernel_ctl_ps_free(struct kernel_ps *v, size_t n);

/* Freeze / thaw every task (no application code runs while frozen). */
void kernel_ctl_pause(struct kernel *k);
void kernel_ctl_resume(struct kernel *k);

struct kernel_stats {
	uint32_t nprocs, nthreads;
	uint64_t mem_bytes;
	uint64_t cpu_user_ns, cpu_sys_ns;
	bool paused, has_init, init_started, init_exited;
	int init_status;
};
void kernel_ctl_stats(struct kernel *k, struct kernel_stats *ret);

/* SIGKILL to everything, no new processes, thaw, start the paused ones so
 * that they die; returns once every task has exited or after @timeout_ms
 * (-ETIMEDOUT). */
int kernel_ctl_shutdown(struct kernel *k, int timeout_ms);

/* Files, as root with the kernel's root as / (control_files.c).  Regular
 * files only (-EINVAL for FIFOs, devices, sockets; -EISDIR).  At most
 * KERNEL_FILE_CHUNK bytes per call.
 * Write: create (@mode) or truncate, or with @append add at the end. */
#define KERNEL_FILE_CHUNK (8u << 20)
int kernel_file_write(struct kernel *k, const char *path, const void *data, size_t len,
		      uint32_t mode, bool append);
/* Create the missing directories above @path (0755, `mkdir -p` of its
 * dirname; a symlink on the way is -ENOTDIR, never followed; a "." or ".."
 * component is -EINVAL). */
int kernel_make_parents(struct kernel *k, const char *path);
/* Read from @offset: the rest of the file if at most @max bytes (else
 * -EFBIG), or with @partial the first @max bytes of it.  *ret_data is
 * malloc'd (NULL when *ret_len is 0). */
int kernel_file_read(struct kernel *k, const char *path, uint64_t offset, size_t max,
		     bool partial, void **ret_data, size_t *ret_len);
struct kernel_dirent {
	char *name;
	uint32_t mode;
	uint64_t size;
};
int kernel_file_list(struct kernel *k, const char *path, struct kernel_dirent **ret,
		     size_t *ret_n);
void kernel_dirents_free(struct kernel_dirent *v, size_t n);
int kernel_file_remove(struct kernel *k, const char *path);

#endif
