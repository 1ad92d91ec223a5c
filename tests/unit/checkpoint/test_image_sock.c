/* SPDX-License-Identifier: Apache-2.0 */
/* The AF_UNIX invariants of a state (img_check_unix_sockets): a
 * well-formed set of sockets passes, each hostile change is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "checkpoint/image.h"

enum { NSOCK = 6, NFILE = 5 };

struct fixture {
	ImgState img;
	Cvisor__Ckpt__UnixSocket so[NSOCK], *sop[NSOCK];
	Cvisor__Ckpt__File fi[NFILE], *fip[NFILE];
	Cvisor__Ckpt__UnixChunk ch, *chp;
	Cvisor__Ckpt__UnixCred cred;
	uint32_t accq[1], inflight[1];
	uint8_t addr[16];
};

/* 1<->2 a pair (2 sent a message to 1), 3 a listener in /tmp with 4
 * waiting in its queue (4<->5), 6 closed (5's old peer is irrelevant: 6 is
 * named by nobody but is still allowed). */
static void build(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	cvisor__ckpt__image__init(&f->img);
	cvisor__ckpt__unix_cred__init(&f->cred);
	cvisor__ckpt__unix_chunk__init(&f->ch);
	f->ch.sender_id = 2;
	f->ch.has_cred = 1;
	f->ch.cred = &f->cred;
	f->chp = &f->ch;
	f->inflight[0] = 5; /* a regular file in flight */
	f->ch.file_ids = f->inflight;
	f->ch.n_file_ids = 1;
	f->addr[0] = AF_UNIX;
	memcpy(f->addr + 2, "/tmp/l", 7);
	for (int i = 0; i < NSOCK; i++) {
		Cvisor__Ckpt__UnixSocket *s = &f->so[i];

		cvisor__ckpt__unix_socket__init(s);
		s->id = (uint32_t)i + 1;
		s->type = SOCK_STREAM;
		s->state = CVISOR__CKPT__UNIX_SOCKET__STATE__CONNECTED;
		s->has_file = 1;
		f->sop[i] = s;
	}
	f->so[0].peer_id = 2;
	f->so[1].peer_id = 1;
	f->so[0].n_queue = 1;
	f->so[0].queue = &f->chp;
	f->so[2].state = CVISOR__CKPT__UNIX_SOCKET__STATE__LISTENING;
	f->so[2].bound = 1;
	f->so[2].addr.data = f->addr;
	f->so[2].addr.len = 9;
	f->so[2].bound_path = (char *)"/tmp/l";
	f->accq[0] = 4;
	f->so[2].accept_queue = f->accq;
	f->so[2].n_accept_queue = 1;
	f->so[3].has_file = 0;
	f->so[3].peer_id = 5;
	f->so[4].peer_id = 4;
	f->so[5].has_file = 0;
	f->so[5].dead = 1;
	f->so[5].state = CVISOR__CKPT__UNIX_SOCKET__STATE__UNCONNECTED;
	for (int i = 0, s = 0; i < NFILE; i++, s++) {
		if (s == 3)
			s++; /* 4 waits for accept: no file */
		cvisor__ckpt__file__init(&f->fi[i]);
		f->fi[i].id = (uint32_t)i + 1;
		f->fi[i].kind = CVISOR__CKPT__FILE__KIND__UNIX_SOCKET;
		f->fi[i].unix_sock_id = (uint32_t)s + 1;
		f->fip[i] = &f->fi[i];
	}
	f->fi[4].kind = CVISOR__CKPT__FILE__KIND__REGULAR; /* 6 has none */
	f->img.unix_sockets = f->sop;
	f->img.n_unix_sockets = NSOCK;
	f->img.files = f->fip;
	f->img.n_files = NFILE;
}

static int check(struct fixture *f)
{
	struct img_error err = { { 0 } };

	return img_check_unix_sockets(&f->img, &err);
}

static void test_sockets(void **state)
{
	static struct fixture f;

	(void)state;
	build(&f);
	assert_int_equal(check(&f), 0);
	build(&f); f.so[0].peer_id = 99;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].peer_id = 1; /* itself */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[1].id = 1; /* repeated */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].type = 7;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.fi[1].unix_sock_id = 1; /* two files on socket 1, none on 2 */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.fi[0].unix_sock_id = 42;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].n_accept_queue = 0; /* 4 in no queue */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.accq[0] = 5; /* a socket with a file in the queue */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.accq[0] = 3; /* the listener itself */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].state = CVISOR__CKPT__UNIX_SOCKET__STATE__CONNECTED;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[5].peer_id = 1; /* closed with a peer */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[5].n_queue = 1; f.so[5].queue = &f.chp;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.ch.sender_id = 77;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.inflight[0] = 6; /* no such file */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.ch.n_file_ids = 254; /* more than SCM_MAX_FD */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.ch.cred = NULL;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].addr.len = 111;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.addr[0] = AF_INET;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].bound_path = (char *)"tmp/l";
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].bound_path = (char *)"/tmp/../proc/x";
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].bound = 0; /* a node without a name */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].shut = 4;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].rcvtimeo_ns = UINT64_MAX;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].sndbuf = -1;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].type = SOCK_DGRAM; f.so[2].type = SOCK_DGRAM; /* listening dgram */
	assert_int_equal(check(&f), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
