/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Frames of the control socket (runtime/sandbox.h, docs/control.md): a
 * little-endian u32 length, then that many bytes of one protobuf-c message
 * of api/control.proto; host fds ride on the frame as SCM_RIGHTS.
 *
 * Everything received is hostile: lengths are bounded (CTL_FRAME_MAX),
 * fds counted (CTL_FRAME_MAX_FDS, any more closes the connection), and
 * decoded requests checked field by field (ctl_request_check).
 */
#ifndef CVISOR_RUNTIME_CONTROL_FRAME_H
#define CVISOR_RUNTIME_CONTROL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "api/control.pb-c.h"

#define CTL_FRAME_MAX (16u << 20) /* bytes of one message */
#define CTL_FRAME_MAX_FDS 5 /* Restore: pages.img + files.img + stdio */
#define CTL_PROTO_VERSION 1

/* Limits of a request's fields. */
#define CTL_ARGV_MAX 4096
#define CTL_STRINGS_BYTES (1u << 20) /* argv + env together */

typedef Cvisor__Control__ControlRequest CtlRequest;
typedef Cvisor__Control__ControlResponse CtlResponse;

/* Send @len bytes as one frame, @nfds (<= CTL_FRAME_MAX_FDS) fds on it.
 * Blocks until all is written; -EPIPE if the peer is gone. */
int ctl_frame_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds);

/* Receive one frame: *ret_buf (malloc'd, *ret_len bytes) and the fds that
 * came with it (CLOEXEC, owned by the caller, at most CTL_FRAME_MAX_FDS).
 * Returns 1 with a frame, 0 on a clean end of stream (before a frame),
 * -EPROTO for a truncated frame, -EMSGSIZE for a length over
 * CTL_FRAME_MAX, -EBADMSG for too many fds; nothing is returned on error. */
int ctl_frame_recv(int sock, void **ret_buf, size_t *ret_len, int *fds, size_t *ret_nfds);

/* The whole frame @data (header included) as a request carrying @nfds
 * fds: length and message checked (ctl_request_check).  *ret is freed
 * with ctl_request_free.  -EBADMSG/-EPROTO/-EMSGSIZE/-EINVAL. */
int ctl_request_parse(const uint8_t *data, size_t len, size_t nfds, CtlRequest **ret);
/* An unpacked request: known kind, strings and counts in bounds, stdio
 * indexes below @nfds. */
int ctl_request_check(const CtlRequest *req, size_t nfds);
void ctl_request_free(CtlRequest *req);

/* Pack and send @msg (a request or response) with @fds. */
int ctl_send_request(int sock, const CtlRequest *req, const int *fds, size_t nfds);
int ctl_send_response(int sock, const CtlResponse *resp);

#endif
