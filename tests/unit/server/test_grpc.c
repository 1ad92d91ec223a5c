/* SPDX-License-Identifier: Apache-2.0 */
/* server/grpc*: the errno -> gRPC status mapping (it must agree with the
 * REST problem statuses of srv_errno_problem, docs/api.md), and hostile
 * bytes through the request descriptors of api/cvisor.proto. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/grpc_call.h"

static void test_status_codes(void **state)
{
	static const struct {
		int e;
		grpc_status_code code;
	} t[] = {
		{ -ENOENT, GRPC_STATUS_NOT_FOUND },            /* 404 */
		{ -EEXIST, GRPC_STATUS_ALREADY_EXISTS },       /* 409 */
		{ -ENOSPC, GRPC_STATUS_RESOURCE_EXHAUSTED },   /* 429 pool full */
		{ -E2BIG, GRPC_STATUS_RESOURCE_EXHAUSTED },    /* 413 */
		{ -EFBIG, GRPC_STATUS_RESOURCE_EXHAUSTED },    /* 413 */
		{ -EAGAIN, GRPC_STATUS_UNAVAILABLE },          /* 503 */
		{ -ETIMEDOUT, GRPC_STATUS_UNAVAILABLE },       /* 503 */
		{ -ESHUTDOWN, GRPC_STATUS_UNAVAILABLE },       /* 503 */
		{ -ECONNRESET, GRPC_STATUS_UNAVAILABLE },      /* 502 sandbox died */
		{ -EPIPE, GRPC_STATUS_UNAVAILABLE },           /* 502 */
		{ -EINVAL, GRPC_STATUS_INVALID_ARGUMENT },     /* 400 */
		{ -ENOTDIR, GRPC_STATUS_INVALID_ARGUMENT },    /* 400 */
		{ -EISDIR, GRPC_STATUS_INVALID_ARGUMENT },     /* 400 */
		{ -ENAMETOOLONG, GRPC_STATUS_INVALID_ARGUMENT }, /* 400 */
		{ -EACCES, GRPC_STATUS_PERMISSION_DENIED },    /* 403 */
		{ -EPERM, GRPC_STATUS_PERMISSION_DENIED },     /* 403 */
		{ -EIO, GRPC_STATUS_INTERNAL },                /* 500 */
		{ -ENOMEM, GRPC_STATUS_INTERNAL },             /* 500 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(srv_gcall_errno_code(t[i].e), t[i].code);
}

static const ProtobufCMessageDescriptor *const reqs[] = {
	&cvisor__v1__health_request__descriptor,      &cvisor__v1__create_pool_request__descriptor,
	&cvisor__v1__update_pool_request__descriptor, &cvisor__v1__create_sandbox_request__descriptor,
	&cvisor__v1__list_sandboxes_request__descriptor, &cvisor__v1__exec_request__descriptor,
	&cvisor__v1__run_request__descriptor,         &cvisor__v1__put_file_request__descriptor,
	&cvisor__v1__exec_input__descriptor,
};

/* Every prefix of a valid message, and random bytes: decoded or refused,
 * never a crash (ASan builds check the reads). */
static void test_hostile_bytes(void **state)
{
	Cvisor__V1__RunRequest r = CVISOR__V1__RUN_REQUEST__INIT;
	char a0[] = "sh", a1[] = "-c", a2[] = "echo hi", e0[] = "A=B", pool[] = "bb";
	char *argv[] = { a0, a1, a2 }, *env[] = { e0 };
	uint8_t buf[512], rnd[256];
	size_t n;
	unsigned seed = 1;

	(void)state;
	r.pool = pool;
	r.n_argv = 3;
	r.argv = argv;
	r.n_env = 1;
	r.env = env;
	r.stdin = (ProtobufCBinaryData){ 3, (uint8_t *)a0 }; /* "sh\0" */
	r.timeout_ms = 5000;
	n = protobuf_c_message_pack(&r.base, buf);
	assert_true(n > 0 && n < sizeof(buf));
	for (size_t len = 0; len <= n; len++) {
		ProtobufCMessage *m = protobuf_c_message_unpack(&cvisor__v1__run_request__descriptor,
								NULL, len, buf);
		if (len == n) {
			Cvisor__V1__RunRequest *q = (Cvisor__V1__RunRequest *)m;
			assert_non_null(q);
			assert_string_equal(q->argv[2], "echo hi");
			assert_int_equal(q->stdin.len, 3);
			assert_memory_equal(q->stdin.data, "sh", 3);
			assert_int_equal(q->timeout_ms, 5000);
		}
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
	}
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(rnd));
		for (size_t i = 0; i < len; i++)
			rnd[i] = (uint8_t)rand_r(&seed);
		for (size_t d = 0; d < sizeof(reqs) / sizeof(reqs[0]); d++) {
			ProtobufCMessage *m = protobuf_c_message_unpack(reqs[d], NULL, len, rnd);
			if (m)
				protobuf_c_message_free_unpacked(m, NULL);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_codes),
		cmocka_unit_test(test_hostile_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
