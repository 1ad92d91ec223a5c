/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_PREFIX "cvisor boot"
#include "runtime/control/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "lib/timeutil.h"
#include "runtime/control/frame.h"
#include "sentry/kernel/ckpt.h"
#include "sentry/kernel/control.h"

struct ctl_server {
	struct kernel *k;
	int listen_fd;
	int wake[2];   /* written once a Shutdown has been served */
	int nconns;    /* live connection threads; atomic */
	int shutdown;  /* atomic */
};

struct conn {
	struct ctl_server *s;
	int fd;
};

int ctl_server_new(struct kernel *k, int listen_fd, struct ctl_server **ret)
{
	struct ctl_server *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	if (pipe2(s->wake, O_CLOEXEC) < 0) {
		int r = neg_errno();

		free(s);
		return r;
	}
	s->k = k;
	s->listen_fd = listen_fd;
	*ret = s;
	return 0;
}

/* @fds: the frame's, checked against stdio_fds (ctl_request_check); the
 * ones handed to the process are set to -1. */
static void reply_spawn(struct ctl_server *s, const void *owner, const CtlRequest *q, int *fds,
			CtlResponse *p, Cvisor__Control__SpawnReply *sr)
{
	const Cvisor__Control__Spawn *m = q->spawn;
	struct kernel_spawn ks = { 0 };
	struct kernel_rlimit rl[16];
	int32_t pid;
	int r;

	ks.cwd = m->cwd;
	ks.uid = m->uid;
	ks.gid = m->gid;
	ks.groups = m->groups;
	ks.ngroups = m->n_groups;
	ks.init = m->init;
	ks.paused = m->paused;
	ks.terminal = m->terminal;
	ks.owner = owner;
	ks.no_new_privs = m->no_new_privs;
	ks.has_umask = m->has_umask;
	ks.umask = m->umask;
	ks.nrlimits = m->n_rlimits;
	for (size_t i = 0; i < m->n_rlimits && i < 16; i++)
		rl[i] = (struct kernel_rlimit){ (int)m->rlimits[i]->resource, m->rlimits[i]->soft,
						m->rlimits[i]->hard };
	ks.rlimits = rl;
	for (int i = 0; i < 3; i++) {
		int idx = m->stdio_fds[i];

		ks.stdio[i] = idx >= 0 ? fds[idx] : -1;
		if (idx >= 0)
			fds[idx] = -1; /* kernel_ctl_spawn takes it */
	}
	{
		/* argv/env arrays with a NULL end */
		const char **argv = calloc(m->n_argv + 1, sizeof(*argv));
		const char **env = m->n_env ? calloc(m->n_env + 1, sizeof(*env)) : NULL;

		if (!argv || (m->n_env && !env)) {
			for (int i = 0; i < 3; i++)
				if (ks.stdio[i] >= 0)
					close(ks.stdio[i]);
			r = -ENOMEM;
		} else {
			memcpy(argv, m->argv, m->n_argv * sizeof(*argv));
			if (env)
				memcpy(env, m->env, m->n_env * sizeof(*env));
			ks.argv = argv;
			ks.env = env;
			r = kernel_ctl_spawn(s->k, &ks, &pid);
		}
		free(argv);
		free(env);
	}
	if (r < 0) {
		p->error = -r;
		return;
	}
	sr->pid = pid;
	p->reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_SPAWN;
	p->spawn = sr;
}

/* The reply points into *@keep (freed by the caller after sending) and
 * into allocations that free_ps() releases. */
static int reply_ps(struct kernel *k, CtlResponse *p, struct kernel_ps **keep, size_t *keep_n)
{
	struct kernel_ps *v = NULL;
	size_t n = 0;
	Cvisor__Control__PsReply *pr;
	Cvisor__Control__PsEntry *e, **ep;
	char *states;
	int r = kernel_ctl_ps(k, &v, &n);

	if (r < 0)
		return r;
	pr = calloc(1, sizeof(*pr));
	e = calloc(n + 1, sizeof(*e));
	ep = calloc(n + 1, sizeof(*ep));
	states = calloc(n + 1, 2);
	if (!pr || !e || !ep || !states) {
		free(pr);
		free(e);
		free(ep);
		free(states);
		kernel_ctl_ps_free(v, n);
		return -ENOMEM;
	}
	cvisor__control__ps_reply__init(pr);
	for (size_t i = 0; i < n; i++) {
		cvisor__control__ps_entry__init(&e[i]);
		e[i].pid = v[i].pid;
		e[i].ppid = v[i].ppid;
		e[i].uid = v[i].uid;
		states[2 * i] = v[i].state;
		e[i].state = &states[2 * i];
		e[i].comm = v[i].comm;
		e[i].cmdline = v[i].cmdline;
		ep[i] = &e[i];
	}
	/* free_ps finds e and states through the spare last slot */
	ep[n] = e;
	e[n].state = states;
	pr->procs = ep;
	pr->n_procs = n;
	p->reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_PS;
	p->ps = pr;
	*keep = v;
	*keep_n = n;
	return 0;
}

static void free_ps(CtlResponse *p)
{
	Cvisor__Control__PsReply *pr = p->ps;
	Cvisor__Control__PsEntry *e = pr->procs[pr->n_procs];

	free(e[pr->n_procs].state);
	free(e);
	free(pr->procs);
	free(pr);
}

static int reply_list(struct kernel *k, const char *path, CtlResponse *p)
{
	struct kernel_dirent *v = NULL;
	size_t n = 0;
	Cvisor__Control__DirList *dl = calloc(1, sizeof(*dl));
	Cvisor__Control__Dirent *e = NULL, **ep = NULL;
	int r = dl ? kernel_file_list(k, path, &v, &n) : -ENOMEM;

	if (r == 0) {
		e = calloc(n ? n : 1, sizeof(*e));
		ep = calloc(n ? n : 1, sizeof(*ep));
		if (!e || !ep)
			r = -ENOMEM;
	}
	if (r < 0) {
		kernel_dirents_free(v, n);
		free(e);
		free(ep);
		free(dl);
		return r;
	}
	cvisor__control__dir_list__init(dl);
	for (size_t i = 0; i < n; i++) {
		cvisor__control__dirent__init(&e[i]);
		e[i].name = v[i].name; /* freed with the reply */
		e[i].mode = v[i].mode;
		e[i].size = v[i].size;
		ep[i] = &e[i];
	}
	free(v);
	if (n == 0)
		free(e);
	dl->entries = ep;
	dl->n_entries = n;
	p->reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_DIR;
	p->dir = dl;
	return 0;
}

static void free_list(CtlResponse *p)
{
	Cvisor__Control__DirList *dl = p->dir;

	if (!dl)
		return;
	for (size_t i = 0; i < dl->n_entries; i++)
		free(dl->entries[i]->name);
	if (dl->n_entries)
		free(dl->entries[0]);
	free(dl->entries);
	free(dl);
}

static int wait_watching(struct conn *c, int32_t *pid, int timeout_ms, int *status);

/* Serve one request; returns 1 after a Shutdown. */
static int serve(struct conn *c, const CtlRequest *q, int *fds)
{
	struct ctl_server *s = c->s;
	struct kernel *k = s->k;
	CtlResponse p = CVISOR__CONTROL__CONTROL_RESPONSE__INIT;
	Cvisor__Control__SpawnReply sr = CVISOR__CONTROL__SPAWN_REPLY__INIT;
	Cvisor__Control__WaitReply wr = CVISOR__CONTROL__WAIT_REPLY__INIT;
	Cvisor__Control__FileData fd = CVISOR__CONTROL__FILE_DATA__INIT;
	Cvisor__Control__StatsReply st = CVISOR__CONTROL__STATS_REPLY__INIT;
	Cvisor__Control__Pong pong = CVISOR__CONTROL__PONG__INIT;
	Cvisor__Control__CheckpointReply cr = CVISOR__CONTROL__CHECKPOINT_REPLY__INIT;
	struct kernel_ckpt ck = { 0 };
	char msg[512] = "";
	struct kernel_ps *ps = NULL;
	size_t nps = 0;
	void *data = NULL;
	int r = 0, done = 0;

	p.id = q->id;
	switch (q->req_case) {
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_SPAWN:
		reply_spawn(s, c, q, fds, &p, &sr);
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_START:
		r = kernel_ctl_start(k, q->start->pid);
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_WAIT: {
		int32_t pid = q->wait->pid;
		int status;

		r = wait_watching(c, &pid, q->wait->timeout_ms, &status);
		if (r == 0) {
			wr.status = status;
			wr.pid = pid;
			p.reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_WAIT;
			p.wait = &wr;
		}
		break;
	}
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_KILL:
		r = kernel_ctl_kill(k, q->kill->pid, q->kill->signal);
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_PS:
		r = reply_ps(k, &p, &ps, &nps);
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_FILE_WRITE:
		r = q->file_write->parents ? kernel_make_parents(k, q->file_write->path) : 0;
		if (r == 0)
			r = kernel_file_write(k, q->file_write->path, q->file_write->data.data,
					      q->file_write->data.len, q->file_write->mode,
					      q->file_write->append);
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_FILE_READ: {
		const Cvisor__Control__FileRead *m = q->file_read;
		size_t len = 0, max = m->max && m->max < KERNEL_FILE_CHUNK ? m->max
									  : KERNEL_FILE_CHUNK;

		r = kernel_file_read(k, m->path, m->offset, max, m->partial, &data, &len);
		if (r == 0) {
			fd.data.data = data;
			fd.data.len = len;
			p.reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_FILE;
			p.file = &fd;
		}
		break;
	}
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_FILE_LIST:
		r = reply_list(k, q->file_list->path, &p);
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_FILE_REMOVE:
		r = kernel_file_remove(k, q->file_remove->path);
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_PAUSE:
		kernel_ctl_pause(k);
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_RESUME:
		kernel_ctl_resume(k);
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_STATS: {
		struct kernel_stats ks;

		kernel_ctl_stats(k, &ks);
		st.nprocs = ks.nprocs;
		st.nthreads = ks.nthreads;
		st.mem_bytes = ks.mem_bytes;
		st.cpu_user_ns = ks.cpu_user_ns;
		st.cpu_sys_ns = ks.cpu_sys_ns;
		st.paused = ks.paused;
		st.has_init = ks.has_init;
		st.init_started = ks.init_started;
		st.init_exited = ks.init_exited;
		st.init_status = ks.init_status;
		p.reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_STATS;
		p.stats = &st;
		break;
	}
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_SHUTDOWN:
		r = kernel_ctl_shutdown(k, 5000);
		done = 1;
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_PING:
		pong.version = CTL_PROTO_VERSION;
		p.reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_PONG;
		p.pong = &pong;
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_CHECKPOINT:
		ck.pages_fd = fds[q->checkpoint->pages_fd];
		ck.leave_running = q->checkpoint->leave_running;
		ck.files_fd = q->checkpoint->with_files ? fds[q->checkpoint->files_fd] : -1;
		r = kernel_ckpt_save(k, &ck, msg, sizeof(msg));
		if (r == 0) {
			cr.state.data = ck.state;
			cr.state.len = ck.state_len;
			cr.xfeatures = ck.xfeatures;
			cr.pages_bytes = ck.pages_bytes;
			cr.files_bytes = ck.files_bytes;
			p.reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_CHECKPOINT;
			p.checkpoint = &cr;
		}
		break;
	case CVISOR__CONTROL__CONTROL_REQUEST__REQ_RESTORE: {
		const Cvisor__Control__Restore *m = q->restore;
		int stdio[3];

		for (int i = 0; i < 3; i++)
			stdio[i] = m->stdio_fds[i] >= 0 ? fds[m->stdio_fds[i]] : -1;
		r = kernel_ckpt_restore(k, m->state.data, m->state.len, fds[m->pages_fd],
					m->with_files ? fds[m->files_fd] : -1, stdio, msg,
					sizeof(msg));
		break;
	}
	default:
		r = -EOPNOTSUPP;
		break;
	}
	if (r < 0) {
		p.error = -r;
		p.message = msg;
		if (p.reply_case == CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_SPAWN)
			p.reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY__NOT_SET;
	}
	(void)ctl_send_response(c->fd, &p);
	if (p.reply_case == CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_PS)
		free_ps(&p);
	kernel_ctl_ps_free(ps, nps);
	if (p.reply_case == CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_DIR)
		free_list(&p);
	free(data);
	free(ck.state);
	return done;
}

/* Has the client hung up (its requests can no longer be answered)? */
static bool peer_gone(int fd)
{
	struct pollfd p = { fd, POLLRDHUP, 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* A Wait, in slices: a client that hangs up while waiting does not keep
 * its connection thread (and a connection slot) until the process exits,
 * nor collect an exit status nobody will read. */
static int wait_watching(struct conn *c, int32_t *pid, int timeout_ms, int *status)
{
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX
					   : mono_ns() + (uint64_t)timeout_ms * 1000000ULL;
	struct kernel *k = c->s->k;

	for (;;) {
		uint64_t now = mono_ns();
		int32_t who = *pid;
		int slice = 250, r;

		if (deadline != UINT64_MAX)
			slice = now >= deadline ? 0
			      : (int)MIN((uint64_t)slice, (deadline - now) / 1000000ULL + 1);
		/* look without collecting, then collect for a live client */
		if (who == -1)
			r = kernel_ctl_wait_any(k, c, slice, false, &who, status);
		else
			r = kernel_ctl_wait(k, who, slice, false, status);
		if (r == 0) {
			if (peer_gone(c->fd))
				return -ECONNRESET;
			r = kernel_ctl_wait(k, who, 0, true, status);
			if (r == 0) {
				*pid = who;
				return 0;
			}
			if (*pid == -1 && r == -ECHILD)
				continue; /* another waiter took it: look again */
			return r;
		}
		if (r != -ETIMEDOUT)
			return r;
		if (deadline != UINT64_MAX && mono_ns() >= deadline)
			return -ETIMEDOUT;
		if (peer_gone(c->fd))
			return -ECONNRESET;
	}
}

static void send_error(int fd, uint64_t id, int err)
{
	CtlResponse p = CVISOR__CONTROL__CONTROL_RESPONSE__INIT;

	p.id = id;
	p.error = -err;
	(void)ctl_send_response(fd, &p);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct ctl_server *s = c->s;

	for (;;) {
		int fds[CTL_FRAME_MAX_FDS];
		size_t nfds = 0, len = 0;
		void *buf = NULL;
		CtlRequest *q;
		int r, done = 0;

		r = ctl_frame_recv(c->fd, &buf, &len, fds, &nfds);
		if (r <= 0) {
			/* end of stream, or the framing is lost: tell, then close */
			if (r < 0 && r != -ECONNRESET && r != -EPIPE)
				send_error(c->fd, 0, r);
			break;
		}
		q = cvisor__control__control_request__unpack(NULL, len, buf);
		free(buf);
		if (!q) {
			send_error(c->fd, 0, -EBADMSG);
		} else if ((r = ctl_request_check(q, nfds)) < 0) {
			send_error(c->fd, q->id, r);
		} else {
			done = serve(c, q, fds);
		}
		ctl_request_free(q);
		for (size_t i = 0; i < nfds; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		if (done) {
			__atomic_store_n(&s->shutdown, 1, __ATOMIC_SEQ_CST);
			(void)!write(s->wake[1], "x", 1);
			break;
		}
	}
	kernel_ctl_release(s->k, c);
	close(c->fd);
	free(c);
	__atomic_fetch_sub(&s->nconns, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int ctl_server_run(struct ctl_server *s)
{
	while (!__atomic_load_n(&s->shutdown, __ATOMIC_SEQ_CST)) {
		struct pollfd pfd[2] = { { s->listen_fd, POLLIN, 0 }, { s->wake[0], POLLIN, 0 } };
		pthread_attr_t attr;
		pthread_t th;
		struct conn *c;
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return neg_errno();
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE)
				continue;
			return neg_errno();
		}
		if (__atomic_load_n(&s->nconns, __ATOMIC_SEQ_CST) >= CTL_MAX_CONNS ||
		    !(c = calloc(1, sizeof(*c)))) {
			close(fd); /* too many: refused */
			continue;
		}
		c->s = s;
		c->fd = fd;
		__atomic_fetch_add(&s->nconns, 1, __ATOMIC_SEQ_CST);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&th, &attr, conn_main, c) != 0) {
			__atomic_fetch_sub(&s->nconns, 1, __ATOMIC_SEQ_CST);
			close(fd);
			free(c);
		}
		pthread_attr_destroy(&attr);
	}
	return 0;
}
