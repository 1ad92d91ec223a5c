/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cvisord's gRPC front end (grpc C core + protobuf-c, api/cvisor.proto):
 * service cvisor.v1.Sandboxes on s->cfg.grpc (HOST:PORT; "off" disables it).
 */
#ifndef CVISOR_SERVER_GRPC_H
#define CVISOR_SERVER_GRPC_H

#include <stdio.h>

#include "server/srv.h"

/* Listen and start the completion-queue thread.  Returns the bound port
 * (HOST:0 picks one) or a negative errno. */
int srv_grpc_start(struct srv *s);
/* Shut the server down: no new calls; the calls in flight may finish
 * (limits.drain_timeout_ms), then are cancelled and their sandboxes ended;
 * their handlers get 10 s more. */
void srv_grpc_stop(struct srv *s);
/* Prometheus lines: cvisor_grpc_calls_total{method,code}, cvisor_grpc_inflight. */
void srv_grpc_metrics(FILE *f);

#endif
