/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor image inspect [--no-verify-pages] DIR`: decode a checkpoint
 * image for humans (what CRIU's crit does): the manifest, then every
 * process with its threads, memory map, files and pipes.  The image is
 * verified first, as restore would (a bad one is reported, not printed).
 */
#define LOG_PREFIX "cvisor image"
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/macro.h"
#include "checkpoint/image.h"
#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"

static const char *kind_name(int k)
{
	static const char *const names[] = { "?", "file", "dir", "pipe", "stdio", "device",
					     "eventfd" };
	static const char *const events[] = { "epoll", "timerfd", "signalfd", "fifo", "inotify" };

	if (k == CVISOR__CKPT__FILE__KIND__UNIX_SOCKET)
		return "unix-socket";
	if (k >= CVISOR__CKPT__FILE__KIND__EPOLL && k <= CVISOR__CKPT__FILE__KIND__INOTIFY)
		return events[k - CVISOR__CKPT__FILE__KIND__EPOLL];
	return k >= 0 && k < (int)(sizeof(names) / sizeof(names[0])) ? names[k] : "?";
}

static void print_bytes(const uint8_t *p, size_t n, size_t max)
{
	putchar('"');
	for (size_t i = 0; i < n && i < max; i++)
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	printf(n > max ? "\"..." : "\"");
}

static void print_sigset(const char *what, uint64_t set)
{
	if (!set)
		return;
	printf(" %s", what);
	for (int s = 1; s <= 64; s++)
		if (set & (1ULL << (s - 1)))
			printf("%s%d", set & ((1ULL << (s - 1)) - 1) ? "," : "=", s);
}

static void print_part(const char *name, uint64_t size, uint64_t hash, unsigned compress,
		       uint64_t raw)
{
	printf("  %-9s %" PRIu64 " bytes  xxh3:%016" PRIx64, name, size, hash);
	if (compress == IMG_COMPRESS_ZSTD)
		printf("  zstd, %" PRIu64 " bytes uncompressed (%.2fx)", raw,
		       size ? (double)raw / (double)size : 0.0);
	putchar('\n');
}

static void print_image(const struct img *im)
{
	const ImgState *s = im->state;
	uint64_t total_pages = 0;

	printf("manifest: format %" PRIu32 ", arch %s, xfeatures 0x%" PRIx64 ", created %" PRIu64
	       "\n", im->m.version, im->m.arch, im->m.xfeatures, im->m.created);
	printf("  state.pb  %" PRIu64 " bytes  xxh3:%016" PRIx64 "\n", im->m.state_size,
	       im->m.state_hash);
	print_part(IMG_PAGES, im->m.pages_size, im->m.pages_hash, im->m.pages_compress,
		   im->m.pages_raw);
	if (im->m.has_files)
		print_part(IMG_FILES, im->m.files_size, im->m.files_hash, im->m.files_compress,
			   im->m.files_raw);
	printf("kernel: hostname %s, pid 1 %d, next pid %d\n", s->hostname, s->init_tgid,
	       s->next_tid);
	for (size_t i = 0; i < s->n_groups; i++) {
		const Cvisor__Ckpt__ThreadGroup *g = s->groups[i];

		printf("process %d (%s) ppid %d pgid %d sid %d exe %s mm %u%s\n", g->tgid, g->comm,
		       g->parent_tgid, g->pgid, g->sid, g->exe, g->mm_id,
		       g->ctl_process ? " [control]" : "");
		printf("  cmdline ");
		print_bytes(g->cmdline.data, g->cmdline.len, 80);
		putchar('\n');
		for (int sig = 1; sig <= 64; sig++) {
			const Cvisor__Ckpt__SigAction *a = g->actions[sig - 1];

			if (a->handler)
				printf("  sigaction %d: handler 0x%" PRIx64 " flags 0x%" PRIx64
				       " mask 0x%" PRIx64 "\n", sig, a->handler, a->flags, a->mask);
		}
		if (g->shared_pending && g->shared_pending->n_infos) {
			printf("  pending (process):");
			for (size_t j = 0; j < g->shared_pending->n_infos; j++)
				printf(" %d", ((const siginfo_t *)g->shared_pending->infos[j].data)->si_signo);
			putchar('\n');
		}
		for (size_t j = 0; j < g->n_tasks; j++) {
			const Cvisor__Ckpt__Task *t = g->tasks[j];
			uint64_t r[27];

			memcpy(r, t->regs.data, sizeof(r));
			/* struct plat_regs order: rip 16, rsp 19, rax 10, orig_rax 15, fs_base 21 */
			printf("  thread %d: rip 0x%" PRIx64 " rsp 0x%" PRIx64 " rax 0x%" PRIx64
			       " fs_base 0x%" PRIx64 " fp %zu bytes uid %u fds %u cwd-ctx %u",
			       t->tid, r[16], r[19], r[10], r[21], t->fpstate.len, t->creds->euid,
			       t->fd_table_id, t->fs_id);
			print_sigset("blocked", t->sigmask);
			if (t->pending)
				print_sigset("pending", t->pending->set);
			if (t->syscall_restart)
				printf(" in-syscall(restart %" PRId64 ")", -t->syscall_restart);
			if (t->alt_flags == 0)
				printf(" altstack 0x%" PRIx64 "+%" PRIu64, t->alt_sp, t->alt_size);
			putchar('\n');
		}
	}
	for (size_t i = 0; i < s->n_mms; i++) {
		const Cvisor__Ckpt__Mm *m = s->mms[i];
		uint64_t pages = 0;

		for (size_t j = 0; j < m->n_runs; j++)
			pages += m->runs[j]->npages;
		total_pages += pages;
		printf("mm %u: brk 0x%" PRIx64 "-0x%" PRIx64 ", %zu VMAs, %" PRIu64
		       " saved pages in %zu runs\n", m->id, m->brk_start, m->brk, m->n_vmas, pages,
		       m->n_runs);
		for (size_t j = 0; j < m->n_vmas; j++) {
			const Cvisor__Ckpt__Vma *v = m->vmas[j];
			uint64_t saved = 0;

			for (size_t k = 0; k < m->n_runs; k++)
				if (m->runs[k]->addr >= v->start && m->runs[k]->addr < v->end)
					saved += m->runs[k]->npages;
			printf("  %012" PRIx64 "-%012" PRIx64 " %c%c%c %8" PRIu64 " pages saved  %s",
			       v->start, v->end, v->prot & PROT_READ ? 'r' : '-',
			       v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-', saved,
			       v->name);
			if (v->shm_id)
				printf("  shared memory %u at 0x%" PRIx64, v->shm_id, v->off);
			putchar('\n');
		}
	}
	for (size_t i = 0; i < s->n_shm_objects; i++) {
		const Cvisor__Ckpt__ShmObject *o = s->shm_objects[i];
		uint64_t pages = 0;

		for (size_t j = 0; j < o->n_runs; j++)
			pages += o->runs[j]->npages;
		total_pages += pages;
		printf("shared memory %u: %" PRIu64 " bytes, %" PRIu64 " saved pages in %zu runs\n",
		       o->id, o->size, pages, o->n_runs);
	}
	for (size_t i = 0; i < s->n_sysv_shm; i++) {
		const Cvisor__Ckpt__SysvShm *g = s->sysv_shm[i];

		printf("sysv shm %d: key 0x%x size %" PRIu64 " mode 0%o uid %u cpid %d: shared "
		       "memory %u\n", g->id, (unsigned)g->key, g->size, g->mode, g->uid, g->cpid,
		       g->shm_id);
	}
	for (size_t i = 0; i < s->n_fd_tables; i++) {
		const Cvisor__Ckpt__FdTable *t = s->fd_tables[i];

		printf("fd table %u:\n", t->id);
		for (size_t j = 0; j < t->n_fds; j++) {
			const Cvisor__Ckpt__File *f = NULL;

			for (size_t k = 0; k < s->n_files; k++)
				if (s->files[k]->id == t->fds[j]->file_id)
					f = s->files[k];
			printf("  %d%s -> file %u: %s flags 0%o pos %" PRId64, t->fds[j]->fd,
			       t->fds[j]->cloexec ? " (cloexec)" : "", f->id, kind_name(f->kind),
			       f->flags, f->pos);
			if (f->kind == CVISOR__CKPT__FILE__KIND__PIPE)
				printf(" pipe %u", f->pipe_id);
			else if (f->kind == CVISOR__CKPT__FILE__KIND__EVENTFD)
				printf(" counter %" PRIu64 "%s", f->counter,
				       f->semaphore ? " semaphore" : "");
			else if (f->kind == CVISOR__CKPT__FILE__KIND__STDIO)
				printf(" stdio %d", f->stdio_slot);
			else if (f->kind == CVISOR__CKPT__FILE__KIND__EPOLL)
				printf(" %zu items", f->n_epoll_items);
			else if (f->kind == CVISOR__CKPT__FILE__KIND__TIMERFD && f->timerfd)
				printf(" clock %d next %" PRIu64 " interval %" PRIu64 " unread %" PRIu64,
				       f->timerfd->clock, f->timerfd->next_ns, f->timerfd->interval_ns,
				       f->timerfd->ticks);
			else if (f->kind == CVISOR__CKPT__FILE__KIND__SIGNALFD)
				printf(" mask 0x%" PRIx64, f->signal_mask);
			else if (f->kind == CVISOR__CKPT__FILE__KIND__FIFO)
				printf(" %s pipe %u", f->path, f->pipe_id);
			else if (f->kind == CVISOR__CKPT__FILE__KIND__INOTIFY)
				printf(" %zu watches, %zu bytes queued", f->n_inotify_watches,
				       f->inotify_events.len);
			else if (f->kind == CVISOR__CKPT__FILE__KIND__UNIX_SOCKET)
				printf(" socket %u", f->unix_sock_id);
			else
				printf(" %s", f->path);
			putchar('\n');
		}
	}
	for (size_t i = 0; i < s->n_pipes; i++) {
		printf("pipe %u: capacity %" PRIu64 ", %zu bytes buffered ", s->pipes[i]->id,
		       s->pipes[i]->capacity, s->pipes[i]->data.len);
		print_bytes(s->pipes[i]->data.data, s->pipes[i]->data.len, 40);
		if (s->pipes[i]->n_packets)
			printf(" in %zu packets", s->pipes[i]->n_packets);
		putchar('\n');
	}
	for (size_t i = 0; i < s->n_fs_contexts; i++)
		printf("fs context %u: cwd %s root %s umask 0%03o\n", s->fs_contexts[i]->id,
		       s->fs_contexts[i]->cwd, s->fs_contexts[i]->root, s->fs_contexts[i]->umask);
	for (size_t i = 0; i < s->n_fs_entries; i++) {
		static const char *const kinds[] = { "?", "dir", "file", "symlink", "whiteout",
						     "opaque-dir" };
		const Cvisor__Ckpt__FsEntry *e = s->fs_entries[i];

		printf("in-memory %s 0%04o %u:%u %" PRIu64 " bytes ",
		       e->kind == CVISOR__CKPT__FS_ENTRY__KIND__FIFO     ? "fifo"
		       : e->kind == CVISOR__CKPT__FS_ENTRY__KIND__SOCKET ? "socket"
		       : kinds[(unsigned)e->kind < ARRAY_SIZE(kinds) ? e->kind : 0], e->mode, e->uid,
		       e->gid, e->data_len ? e->data_len : (uint64_t)e->data.len);
		if (e->data_len)
			printf("(files.img @%" PRIu64 ") ", e->data_offset);
		print_bytes((const uint8_t *)e->path, strlen(e->path), 200);
		putchar('\n');
	}
	for (size_t i = 0; i < s->n_unix_sockets; i++) {
		static const char *const states[] = { "unconnected", "listening", "connected" };
		const Cvisor__Ckpt__UnixSocket *u = s->unix_sockets[i];
		size_t queued = 0;

		for (size_t j = 0; j < u->n_queue; j++)
			queued += u->queue[j]->data.len;
		printf("unix socket %u: type %d %s%s peer %u, %zu messages (%zu bytes) queued, "
		       "%zu waiting for accept, name ", u->id, u->type,
		       states[(unsigned)u->state < ARRAY_SIZE(states) ? u->state : 0],
		       u->dead ? " closed" : "", u->peer_id, u->n_queue, queued, u->n_accept_queue);
		if (u->addr.len > 2)
			print_bytes(u->addr.data + 2, u->addr.len - 2, 108);
		else
			printf("none");
		if (u->bound_path[0])
			printf(" node %s", u->bound_path);
		putchar('\n');
	}
	printf("total: %zu processes, %" PRIu64 " saved pages (%" PRIu64 " KiB)\n", s->n_groups,
	       total_pages, total_pages * 4);
}

int cmd_image(int argc, char **argv)
{
	unsigned flags = IMG_VERIFY_PAGES;
	struct img_error ie = { { 0 } };
	struct img *im = NULL;
	int i = 2, r;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: cvisor image inspect [--no-verify-pages] DIR\n");
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "inspect"))
		return cli_usage("image", "usage: cvisor image inspect [--no-verify-pages] DIR");
	if (!strcmp(argv[i], "--no-verify-pages")) {
		flags = 0;
		i++;
	}
	if (i != argc - 1)
		return cli_usage("image", "usage: cvisor image inspect [--no-verify-pages] DIR");
	r = img_open(argv[i], flags, &im, &ie);
	if (r < 0) {
		log_error("%s: %s", argv[i], ie.msg);
		return 1;
	}
	print_image(im);
	img_close(im);
	return 0;
}
