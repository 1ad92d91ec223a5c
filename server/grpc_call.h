/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the gRPC front end shared by grpc.c (server, completion
 * queue, calls) and grpc_unary.c / grpc_stream.c (the handlers).
 *
 * A handler gets the decoded request and must end the call exactly once with
 * srv_gcall_reply() or srv_gcall_fail*(); the request is freed after it returns.
 * Handlers marked blocking run on a worker thread of their own; only those
 * may use srv_gcall_send() (server streaming, waits for each message).
 */
#ifndef CVISOR_SERVER_GRPC_CALL_H
#define CVISOR_SERVER_GRPC_CALL_H

#include <grpc/grpc.h>
#include <grpc/status.h>
#include <protobuf-c/protobuf-c.h>

#include "api/cvisor.pb-c.h"
#include "server/srv.h"

struct gcall;

typedef void (*srv_gcall_fn)(struct gcall *c, const ProtobufCMessage *req);

struct srv *srv_gcall_srv(struct gcall *c);
/* End the call with OK and @msg (NULL: no message, for streams). */
void srv_gcall_reply(struct gcall *c, const ProtobufCMessage *msg);
void srv_gcall_fail(struct gcall *c, grpc_status_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The status code matching the REST problem for errno @e. */
grpc_status_code srv_gcall_errno_code(int e);
void srv_gcall_fail_errno(struct gcall *c, int e, const char *what);
/* One message of a server stream; -ECONNRESET once the call is cancelled. */
int srv_gcall_send(struct gcall *c, const ProtobufCMessage *msg);
/* Client streams (worker only): start receiving the next message; its
 * completion makes srv_gcall_wake_fd() readable.  srv_gcall_recv_take() then hands
 * it over decoded (@wait: block until it came): -EAGAIN not yet, -EPIPE
 * the client half-closed, -ECONNRESET the call is gone, -EBADMSG malformed. */
int srv_gcall_recv_start(struct gcall *c);
int srv_gcall_wake_fd(struct gcall *c);
/* Milliseconds left before the client's deadline; -1: none. */
int64_t srv_gcall_deadline_ms(struct gcall *c);
int srv_gcall_recv_take(struct gcall *c, const ProtobufCMessageDescriptor *d, bool wait,
			ProtobufCMessage **ret);

/* Handlers (grpc_unary.c, grpc_stream.c). */
void srv_gh_health(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_create_pool(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_update_pool(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_get_pool(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_list_pools(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_delete_pool(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_create_sandbox(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_get_sandbox(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_list_sandboxes(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_delete_sandbox(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_set_timeout(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_exec(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_exec_interactive(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_exec_blocking(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_run(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_run_stream(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_put_file(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_get_file(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_list_files(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_delete_file(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_create_snapshot(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_get_snapshot(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_list_snapshots(struct gcall *c, const ProtobufCMessage *req);
void srv_gh_delete_snapshot(struct gcall *c, const ProtobufCMessage *req);

/* Exec requests: the same validation as REST (srv_exec_parse). */
int srv_gexec_req(struct gcall *c, char **argv, size_t argc, char **env, size_t envc,
		  const char *cwd, const char *user, const ProtobufCBinaryData *in,
		  uint32_t timeout_ms, bool tty, uint32_t rows, uint32_t cols,
		  struct srv_exec_req *ret);
/* Map an exec/spawn failure to a status (and tell the pool if it died). */
void srv_gexec_fail(struct gcall *c, struct pool_lease *l, int e, const char *argv0);

#endif
