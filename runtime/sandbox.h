/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sandbox seen from outside: one Gofer + one Sentry (`cvisor boot`)
 * launched by sandbox_boot(), driven over the Sentry's control socket.
 * The OCI verbs (runtime/cli/) and the pool manager (pool/) use only this.
 *
 * Control socket: a listening AF_UNIX stream socket bound by the launcher at
 * opts->control_path before the Sentry confines itself (it keeps only the
 * listening fd).  Any process allowed by the path's permissions may connect:
 * that is how `cvisor exec`/`kill`/`ps` reach a sandbox they did not start.
 * Frames: a little-endian u32 length, then a protobuf-c message of
 * api/control.proto (ControlRequest from the client, ControlResponse and
 * ControlEvent from the Sentry); host fds (stdio) ride on the frame as
 * SCM_RIGHTS.  Every frame is validated: the Sentry treats the socket as
 * hostile input (bad frame -> error response or connection closed).
 *
 * Processes: sandbox_spawn() creates a process in the sandbox's kernel.
 * With @init it is pid 1 (the OCI container process; its exit means the
 * container stopped); otherwise it gets the next pid and no parent inside the
 * sandbox (ppid 0, like runsc exec); its zombie is kept until
 * sandbox_wait() collects it, or the connection that spawned it closes.
 * Orphans are reparented to pid 1, or reaped by the kernel when there is none.
 *
 * All functions return 0 or a negative errno; out-params are written on
 * success only.  Errors reported by the Sentry come back as their errno.
 * One struct sandbox is one connection: not thread-safe; open more
 * connections with sandbox_attach() for concurrent calls.
 */
#ifndef CVISOR_RUNTIME_SANDBOX_H
#define CVISOR_RUNTIME_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/platform.h"

struct sandbox;

/* A host directory bind-mounted into the sandbox, served by its Gofer. */
struct sandbox_bind {
	const char *src;  /* host directory (resolved with realpath; no ':'),
			   * NULL for a tmpfs (@tmpfs) */
	const char *dest; /* absolute path in the sandbox (created if missing) */
	bool ro;          /* read-only: EROFS in the Sentry and in the Gofer */
	bool nosuid, nodev, noexec; /* mount flags in the Sentry (noexec: execve
				     * of its files is EACCES) */
	bool tmpfs;       /* a fresh Sentry tmpfs at @dest (mode 1777), no
			   * host directory: OCI "type": "tmpfs" mounts */
};
#define SANDBOX_BINDS_MAX 48
/* The sandbox's network (docs/oci.md "Network"): NONE, the default, is the
 * Sentry's own loopback-only stack in an empty host network namespace;
 * HOST gives the application host sockets that the Sentry creates and
 * owns for it (sentry/net/hostinet.c), in the host's network namespace. */
enum sandbox_network {
	SANDBOX_NET_NONE = 0,
	SANDBOX_NET_HOST = 1,
};

/* "none" / "host"; -EINVAL for anything else (*ret untouched). */
int sandbox_network_from_string(const char *s, enum sandbox_network *ret);
const char *sandbox_network_name(enum sandbox_network n);

struct sandbox_opts {
	const char *rootfs;       /* host directory the Gofer serves, read-only */
	const struct sandbox_bind *binds; /* mounted in this order */
	size_t nbinds;
	const char *control_path; /* where to bind the control socket (required) */
	enum plat_kind platform;
	const char *hostname;     /* NULL: "cvisor" */
	bool no_overlay;          /* read-only root instead of the memory overlay */
	enum sandbox_network network; /* zero: SANDBOX_NET_NONE */
	bool no_confine;          /* debugging only */
	int log_fd;               /* the Sentry's and Gofer's stderr; -1 or 0 (a
				   * zeroed struct) inherit, -2: /dev/null
				   * (stdin/stdout are always /dev/null).  A
				   * detached sandbox keeps it open while it
				   * runs: give `cvisor create` a log file or -2 */
	const char *cvisor_path;  /* the cvisor binary; NULL: $CVISOR_BIN, else
				   * /proc/self/exe (when the caller is cvisor) */
	bool strace;              /* log the application's syscalls to log_fd */
	bool die_with_caller;     /* the sandbox is SIGKILLed when the calling
				   * thread exits (PR_SET_PDEATHSIG): tests, pools */
	/* cgroup.procs files (oci_cgroup_procs_fds) the launcher writes itself
	 * into before it execs, so that every host process of the sandbox
	 * (Sentry, stubs, Gofer) is in that cgroup from the start; the caller
	 * keeps them.  A failed write fails the boot. */
	const int *cgroup_fds;
	size_t ncgroup_fds;
};

/* Launch a Gofer and a Sentry; returns once the Sentry answers on its
 * control socket (the sandbox is booted, no process runs yet).  `cvisor
 * boot` runs in its own session with /dev/null as stdin and stdout; it is
 * the caller's child (reap it with sandbox_destroy, or let it be adopted).
 * -EADDRINUSE if something exists at control_path. */
int sandbox_boot(const struct sandbox_opts *opts, struct sandbox **ret);

/* Connect to a booted sandbox's control socket. */
int sandbox_attach(const char *control_path, struct sandbox **ret);

/* The host pid of the Sentry (its launcher when confined), 0 if attached. */
pid_t sandbox_host_pid(const struct sandbox *sb);

struct sandbox_process {
	const char *const *argv; /* argv[0] looked up in PATH of @env if bare */
	const char *const *env;  /* NULL: PATH, HOME=/, TERM=xterm */
	const char *cwd;         /* NULL: "/" */
	uint32_t uid, gid;
	const uint32_t *groups;
	size_t ngroups;
	int stdio[3];  /* host fds the process gets as 0, 1, 2 (the Sentry gets
			* copies; the caller keeps its own); -1: /dev/null */
	bool terminal; /* stdio[0] is a host tty: it becomes the controlling tty */
	bool init;     /* pid 1: the container's process */
	bool paused;   /* created but not started: sandbox_start() runs it */
	/* OCI process fields; zero values keep the defaults */
	const struct sandbox_rlimit {
		int resource;      /* RLIMIT_* */
		uint64_t soft, hard; /* UINT64_MAX: RLIM_INFINITY */
	} *rlimits;
	size_t nrlimits;
	bool no_new_privs;
	bool has_umask; /* else 022 */
	uint32_t umask;
};

int sandbox_spawn(struct sandbox *sb, const struct sandbox_process *p, int32_t *ret_pid);
int sandbox_start(struct sandbox *sb, int32_t pid);

/* Wait for @pid (a process spawned by sandbox_spawn) to exit: *ret_status
 * is a wait status (WIFEXITED/WIFSIGNALED).  @timeout_ms < 0 waits forever;
 * -ETIMEDOUT when it expires. */
int sandbox_wait(struct sandbox *sb, int32_t pid, int timeout_ms, int *ret_status);
/* Wait for any process spawned on this connection (but pid 1): wait(2)
 * for a connection.  -ECHILD when it has none left. */
int sandbox_wait_any(struct sandbox *sb, int timeout_ms, int32_t *ret_pid, int *ret_status);

/* Send @sig to @pid; pid 0: to every process of the sandbox. */
int sandbox_kill(struct sandbox *sb, int32_t pid, int sig);

/* Freeze / thaw every task of the sandbox (OCI pause/resume): paused tasks
 * run no application code and their timers keep running. */
int sandbox_pause(struct sandbox *sb);
int sandbox_resume(struct sandbox *sb);

struct sandbox_stats {
	uint32_t nprocs, nthreads;
	uint64_t mem_bytes;     /* application memory: writable private mappings
				 * (the overlay upper is not counted yet) */
	uint64_t cpu_user_ns, cpu_sys_ns;
	bool paused;
	bool has_init;          /* a pid 1 was spawned (OCI: created) */
	bool init_started;      /* ... and started (OCI: running, or stopped) */
	bool init_exited;       /* pid 1 existed and has exited */
	int init_status;        /* its wait status, when init_exited */
};
int sandbox_stats(struct sandbox *sb, struct sandbox_stats *ret);

struct sandbox_ps_entry {
	int32_t pid, ppid;
	uint32_t uid;
	char state;      /* R S D T Z as in /proc/pid/stat */
	char comm[16];
	char *cmdline;   /* argv joined by spaces (freed by sandbox_ps_free) */
};
int sandbox_ps(struct sandbox *sb, struct sandbox_ps_entry **ret, size_t *ret_n);
void sandbox_ps_free(struct sandbox_ps_entry *v, size_t n);

/* Files through the Sentry's VFS (so overlay writes are what the app sees).
 * Paths are absolute inside the sandbox. */
int sandbox_file_write(struct sandbox *sb, const char *path, const void *data, size_t len,
		       uint32_t mode);
/* The same, creating the missing directories above @path first (0755). */
int sandbox_file_write_parents(struct sandbox *sb, const char *path, const void *data, size_t len,
			       uint32_t mode);
/* At most @max bytes; -EFBIG if the file is larger. *ret_data is malloc'd. */
int sandbox_file_read(struct sandbox *sb, const char *path, size_t max, void **ret_data,
		      size_t *ret_len);
struct sandbox_dirent {
	char *name;
	uint32_t mode; /* S_IF* | permissions */
	uint64_t size;
};
int sandbox_file_list(struct sandbox *sb, const char *path, struct sandbox_dirent **ret,
		      size_t *ret_n);
void sandbox_dirents_free(struct sandbox_dirent *v, size_t n);
int sandbox_file_remove(struct sandbox *sb, const char *path);

/* The Sentry's explanation of the last failed call ("" if none). */
const char *sandbox_error_message(const struct sandbox *sb);

/*
 * Checkpoint (docs/checkpoint.md): every task is stopped at a safe point
 * and saved into the image directory @dir (created if missing; an image
 * already there is replaced).  Without SANDBOX_CKPT_LEAVE_RUNNING in
 * @flags (true works too) the sandbox stays frozen afterwards (the caller
 * kills it).  SANDBOX_CKPT_COMPRESS stores pages.img and files.img
 * zstd-compressed (a restore then decompresses them into memory first).
 * On failure no manifest is left, so no reader takes the directory for an
 * image; @err (errlen bytes) says why.
 */
enum {
	SANDBOX_CKPT_LEAVE_RUNNING = 1u << 0,
	SANDBOX_CKPT_COMPRESS = 1u << 1,
};
int sandbox_checkpoint(struct sandbox *sb, const char *dir, unsigned flags, char *err,
		       size_t errlen);
/* Restore image @dir into @sb, freshly booted on the same root file
 * system, with no process yet.  The image is verified first (manifest,
 * checksums of every part, CPU features): a bad one is refused before
 * anything is created.  @stdio: host fds for the saved stdio (borrowed),
 * -1: /dev/null.  @flags: SANDBOX_RESTORE_TRUST_PAGES skips hashing all of
 * pages.img (its size is still checked): restore cost then does not grow
 * with memory size.  SANDBOX_RESTORE_VERIFY_ONCE hashes a pages.img only
 * if this process has not already verified (or written, with
 * sandbox_checkpoint) that very file unchanged: same device, inode, size,
 * mtime and ctime (for servers that restore their own snapshots many
 * times). */
enum {
	SANDBOX_RESTORE_TRUST_PAGES = 1u << 0,
	SANDBOX_RESTORE_VERIFY_ONCE = 1u << 1,
};
int sandbox_restore(struct sandbox *sb, const char *dir, const int stdio[3], unsigned flags,
		    char *err, size_t errlen);

/* Kill every process and stop the Sentry (a Shutdown request: attached
 * handles may send it too, as `cvisor delete` does); the Gofer exits when
 * its socket closes.  A launcher also reaps both.  Then free. */
int sandbox_destroy(struct sandbox *sb);
/* Close the connection only; a launched sandbox keeps running (detached). */
void sandbox_close(struct sandbox *sb);

#endif
