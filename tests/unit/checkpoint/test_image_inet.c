/* SPDX-License-Identifier: Apache-2.0 */
/* The loopback inet invariants of a state (img_check_inet_sockets): a
 * well-formed set of sockets passes, each hostile change is refused. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "checkpoint/image.h"

enum { NSOCK = 4, NFILE = 3 };

struct fixture {
	ImgState img;
	Cvisor__Ckpt__InetSocket so[NSOCK], *sop[NSOCK];
	Cvisor__Ckpt__File fi[NFILE], *fip[NFILE];
	Cvisor__Ckpt__InetDgram dg, *dgp;
	uint32_t accq[1];
	uint8_t addr[16], data[8];
};

/* 1 a TCP listener with 2 waiting in its queue (2<->3, 3 with data
 * queued), 4 a bound UDP socket with a datagram. */
static void build(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	cvisor__ckpt__image__init(&f->img);
	f->addr[10] = f->addr[11] = 0xff;
	f->addr[12] = 127;
	f->addr[15] = 1;
	for (int i = 0; i < NSOCK; i++) {
		Cvisor__Ckpt__InetSocket *s = &f->so[i];

		cvisor__ckpt__inet_socket__init(s);
		s->id = (uint32_t)i + 1;
		s->family = AF_INET;
		s->type = SOCK_STREAM;
		s->protocol = IPPROTO_TCP;
		s->state = CVISOR__CKPT__INET_SOCKET__STATE__ESTABLISHED;
		s->has_file = 1;
		s->bound = 1;
		s->laddr.data = f->addr;
		s->laddr.len = 16;
		s->lport = 40000 + (uint32_t)i;
		s->rset = 1;
		s->raddr.data = f->addr;
		s->raddr.len = 16;
		s->rport = 1234;
		f->sop[i] = s;
	}
	f->so[0].state = CVISOR__CKPT__INET_SOCKET__STATE__LISTEN;
	f->so[0].rset = 0;
	f->so[0].backlog = 8;
	f->accq[0] = 2;
	f->so[0].accept_queue = f->accq;
	f->so[0].n_accept_queue = 1;
	f->so[1].has_file = 0;
	f->so[1].peer_id = 3;
	f->so[2].peer_id = 2;
	f->so[2].rdata.data = f->data;
	f->so[2].rdata.len = sizeof(f->data);
	f->so[3].type = SOCK_DGRAM;
	f->so[3].protocol = IPPROTO_UDP;
	f->so[3].state = CVISOR__CKPT__INET_SOCKET__STATE__CLOSED;
	f->so[3].rset = 0;
	cvisor__ckpt__inet_dgram__init(&f->dg);
	f->dg.data.data = f->data;
	f->dg.data.len = 3;
	f->dg.from.data = f->addr;
	f->dg.from.len = 16;
	f->dg.to.data = f->addr;
	f->dg.to.len = 16;
	f->dg.from_port = 5555;
	f->dgp = &f->dg;
	f->so[3].dgrams = &f->dgp;
	f->so[3].n_dgrams = 1;
	for (int i = 0; i < NFILE; i++) {
		cvisor__ckpt__file__init(&f->fi[i]);
		f->fi[i].id = (uint32_t)i + 1;
		f->fi[i].kind = CVISOR__CKPT__FILE__KIND__INET_SOCKET;
		f->fi[i].inet_sock_id = i == 0 ? 1 : (uint32_t)i + 2; /* 1, 3, 4 */
		f->fip[i] = &f->fi[i];
	}
	f->img.inet_sockets = f->sop;
	f->img.n_inet_sockets = NSOCK;
	f->img.files = f->fip;
	f->img.n_files = NFILE;
}

static int check(struct fixture *f)
{
	struct img_error err = { { 0 } };

	return img_check_inet_sockets(&f->img, &err);
}

static void test_sockets(void **state)
{
	static struct fixture f;

	(void)state;
	build(&f);
	assert_int_equal(check(&f), 0);
	build(&f); f.so[1].id = 1; /* repeated */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].id = 0;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].family = AF_UNIX;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].type = SOCK_RAW;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[3].protocol = IPPROTO_TCP; /* UDP socket, TCP protocol */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].state = 7;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[3].state = CVISOR__CKPT__INET_SOCKET__STATE__LISTEN; /* listening UDP */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].peer_id = 99;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].peer_id = 3; /* itself */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[1].peer_id = 1; /* not mutual */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].lport = 70000;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].lport = 0; /* bound without a port */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].laddr.len = 4;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].rport = 0; /* a remote name without a port */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].bound = 0; /* listening unbound */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].shut = 4;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].err = -1;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].rcvtimeo_ns = UINT64_MAX;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].sndbuf = -1;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].backlog = -1;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].rdata.len = (1u << 30) + 1; /* too much queued */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[3].rdata = f.so[2].rdata; /* a byte stream on UDP */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].dgrams = &f.dgp; f.so[2].n_dgrams = 1; /* datagrams on TCP */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.dg.from.len = 15;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.dg.from_port = 65536;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.dg.data.len = 70000;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[0].n_accept_queue = 0; /* 2 in no queue, no file */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.accq[0] = 3; /* a socket with a file in the queue */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.accq[0] = 1; /* the listener itself */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.accq[0] = 42;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].accept_queue = f.accq; f.so[2].n_accept_queue = 1; /* not listening */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.fi[1].inet_sock_id = 1; /* two files on 1, none on 3 */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.fi[0].inet_sock_id = 42;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[3].type = SOCK_STREAM; f.so[3].protocol = IPPROTO_TCP;
	f.so[3].n_dgrams = 0; f.so[3].rset = 1; f.so[3].connecting = 1;
	f.so[3].state = CVISOR__CKPT__INET_SOCKET__STATE__SYN_SENT; /* a connect in progress */
	assert_int_equal(check(&f), 0);
	f.so[3].rset = 0; /* to nowhere */
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[2].state = CVISOR__CKPT__INET_SOCKET__STATE__SYN_SENT; /* with a peer */
	f.so[2].connecting = 1;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[1].state = CVISOR__CKPT__INET_SOCKET__STATE__CLOSED; /* queued, not established */
	f.so[1].peer_id = 0; f.so[2].peer_id = 0;
	assert_int_equal(check(&f), -EBADMSG);
	build(&f); f.so[3].n_opts = 65;
	assert_int_equal(check(&f), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
