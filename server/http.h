/* SPDX-License-Identifier: Apache-2.0 */
/* REST plumbing shared by http.c (the daemon) and routes.c (the routes). */
#ifndef CVISOR_SERVER_HTTP_H
#define CVISOR_SERVER_HTTP_H

#include <microhttpd.h>
#include <sys/types.h>

#include "server/srv.h"

/* One request: its body, accumulated up to @limit bytes. */
struct srv_req {
	char *body; /* NUL-terminated, NULL when empty */
	size_t len, cap, limit;
	bool overflow;
};

enum MHD_Result srv_route(struct srv *s, struct MHD_Connection *c, const char *url,
			  const char *method, struct srv_req *rq);

enum MHD_Result srv_send(struct srv *s, struct MHD_Connection *c, unsigned status,
			 const char *ctype, const void *buf, size_t len);
/* Steals @j. */
enum MHD_Result srv_send_json(struct srv *s, struct MHD_Connection *c, unsigned status, json_t *j);
enum MHD_Result srv_problem(struct srv *s, struct MHD_Connection *c, unsigned status,
			    const char *slug, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
enum MHD_Result srv_errno_problem(struct srv *s, struct MHD_Connection *c, int e, const char *what);

#endif
