/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox client's calls other than processes (sandbox.h). */
#include "runtime/sandbox.h"
#include "runtime/sandbox_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQ(q, field, kind, msg)                                                            \
	do {                                                                                \
		(q).req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_##kind;               \
		(q).field = (msg);                                                          \
	} while (0)

static int simple(struct sandbox *sb, CtlRequest *q)
{
	return sb_call(sb, q, NULL, 0, NULL);
}

int sandbox_pause(struct sandbox *sb)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Pause m = CVISOR__CONTROL__PAUSE__INIT;

	REQ(q, pause, PAUSE, &m);
	return simple(sb, &q);
}

int sandbox_resume(struct sandbox *sb)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Resume m = CVISOR__CONTROL__RESUME__INIT;

	REQ(q, resume, RESUME, &m);
	return simple(sb, &q);
}

int sandbox_stats(struct sandbox *sb, struct sandbox_stats *ret)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Stats m = CVISOR__CONTROL__STATS__INIT;
	CtlResponse *p = NULL;
	int r;

	REQ(q, stats, STATS, &m);
	r = sb_call(sb, &q, NULL, 0, &p);
	if (r < 0)
		return r;
	if (p->reply_case != CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_STATS) {
		sb_response_free(p);
		return -EPROTO;
	}
	*ret = (struct sandbox_stats){
		.nprocs = p->stats->nprocs,
		.nthreads = p->stats->nthreads,
		.mem_bytes = p->stats->mem_bytes,
		.cpu_user_ns = p->stats->cpu_user_ns,
		.cpu_sys_ns = p->stats->cpu_sys_ns,
		.paused = p->stats->paused,
		.has_init = p->stats->has_init,
		.init_started = p->stats->init_started,
		.init_exited = p->stats->init_exited,
		.init_status = p->stats->init_status,
	};
	sb_response_free(p);
	return 0;
}

int sandbox_ps(struct sandbox *sb, struct sandbox_ps_entry **ret, size_t *ret_n)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Ps m = CVISOR__CONTROL__PS__INIT;
	struct sandbox_ps_entry *v;
	CtlResponse *p = NULL;
	size_t n;
	int r;

	REQ(q, ps, PS, &m);
	r = sb_call(sb, &q, NULL, 0, &p);
	if (r < 0)
		return r;
	if (p->reply_case != CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_PS) {
		sb_response_free(p);
		return -EPROTO;
	}
	n = p->ps->n_procs;
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		sb_response_free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const Cvisor__Control__PsEntry *e = p->ps->procs[i];

		v[i].pid = e->pid;
		v[i].ppid = e->ppid;
		v[i].uid = e->uid;
		v[i].state = e->state && e->state[0] ? e->state[0] : '?';
		snprintf(v[i].comm, sizeof(v[i].comm), "%s", e->comm ? e->comm : "");
		v[i].cmdline = strdup(e->cmdline ? e->cmdline : "");
		if (!v[i].cmdline) {
			sandbox_ps_free(v, i);
			sb_response_free(p);
			return -ENOMEM;
		}
	}
	sb_response_free(p);
	*ret = v;
	*ret_n = n;
	return 0;
}

void sandbox_ps_free(struct sandbox_ps_entry *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].cmdline);
	free(v);
}

/* Bytes per FileWrite/FileRead request (the Sentry takes up to 8 MiB). */
#define SB_FILE_CHUNK (4u << 20)

static int file_write(struct sandbox *sb, const char *path, const void *data, size_t len,
		      uint32_t mode, bool parents)
{
	size_t done = 0;
	int r;

	do {
		CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
		Cvisor__Control__FileWrite m = CVISOR__CONTROL__FILE_WRITE__INIT;
		size_t n = len - done < SB_FILE_CHUNK ? len - done : SB_FILE_CHUNK;

		m.path = (char *)path;
		m.data.data = (uint8_t *)data + done;
		m.data.len = n;
		m.mode = mode;
		m.append = done > 0;
		m.parents = parents && done == 0;
		REQ(q, file_write, FILE_WRITE, &m);
		r = simple(sb, &q);
		done += n;
	} while (r == 0 && done < len);
	return r;
}

int sandbox_file_write(struct sandbox *sb, const char *path, const void *data, size_t len,
		       uint32_t mode)
{
	return file_write(sb, path, data, len, mode, false);
}

int sandbox_file_write_parents(struct sandbox *sb, const char *path, const void *data, size_t len,
			       uint32_t mode)
{
	return file_write(sb, path, data, len, mode, true);
}

/* One chunk of at most @want bytes from @off, appended to *buf. */
static int read_chunk(struct sandbox *sb, const char *path, uint64_t off, size_t want,
		      char **buf, size_t *len, size_t *got)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__FileRead m = CVISOR__CONTROL__FILE_READ__INIT;
	CtlResponse *p = NULL;
	char *nb;
	int r;

	m.path = (char *)path;
	m.max = want;
	m.offset = off;
	m.partial = true;
	REQ(q, file_read, FILE_READ, &m);
	r = sb_call(sb, &q, NULL, 0, &p);
	if (r < 0)
		return r;
	if (p->reply_case != CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_FILE ||
	    p->file->data.len > want) {
		sb_response_free(p);
		return -EPROTO;
	}
	nb = realloc(*buf, *len + p->file->data.len + 1);
	if (!nb) {
		sb_response_free(p);
		return -ENOMEM;
	}
	if (p->file->data.len)
		memcpy(nb + *len, p->file->data.data, p->file->data.len);
	*buf = nb;
	*len += p->file->data.len;
	(*buf)[*len] = 0; /* handy for text */
	*got = p->file->data.len;
	sb_response_free(p);
	return 0;
}

int sandbox_file_read(struct sandbox *sb, const char *path, size_t max, void **ret_data,
		      size_t *ret_len)
{
	size_t len = 0, got = 0, want, limit = max < SIZE_MAX / 2 ? max + 1 : SIZE_MAX / 2;
	char *buf = NULL;
	int r;

	/* chunks until a short one; one byte over @max tells a larger file */
	do {
		want = limit - len < SB_FILE_CHUNK ? limit - len : SB_FILE_CHUNK;
		r = read_chunk(sb, path, len, want, &buf, &len, &got);
		if (r == 0 && got == want && len >= limit)
			r = len > max ? -EFBIG : 0;
	} while (r == 0 && got == want && len < limit);
	if (r == 0 && len > max)
		r = -EFBIG;
	if (r == 0 && !buf && !(buf = calloc(1, 1)))
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret_data = buf;
	*ret_len = len;
	return 0;
}

int sandbox_file_list(struct sandbox *sb, const char *path, struct sandbox_dirent **ret,
		      size_t *ret_n)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__FileList m = CVISOR__CONTROL__FILE_LIST__INIT;
	struct sandbox_dirent *v;
	CtlResponse *p = NULL;
	size_t n;
	int r;

	m.path = (char *)path;
	REQ(q, file_list, FILE_LIST, &m);
	r = sb_call(sb, &q, NULL, 0, &p);
	if (r < 0)
		return r;
	if (p->reply_case != CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_DIR) {
		sb_response_free(p);
		return -EPROTO;
	}
	n = p->dir->n_entries;
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		sb_response_free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const Cvisor__Control__Dirent *e = p->dir->entries[i];

		v[i].name = strdup(e->name ? e->name : "");
		v[i].mode = e->mode;
		v[i].size = e->size;
		if (!v[i].name) {
			sandbox_dirents_free(v, i);
			sb_response_free(p);
			return -ENOMEM;
		}
	}
	sb_response_free(p);
	*ret = v;
	*ret_n = n;
	return 0;
}

void sandbox_dirents_free(struct sandbox_dirent *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].name);
	free(v);
}

int sandbox_file_remove(struct sandbox *sb, const char *path)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__FileRemove m = CVISOR__CONTROL__FILE_REMOVE__INIT;

	m.path = (char *)path;
	REQ(q, file_remove, FILE_REMOVE, &m);
	return simple(sb, &q);
}
