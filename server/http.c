/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The REST front end on libmicrohttpd: one thread per connection (bounded
 * by max_connections), bodies accumulated up to a limit, bearer-token auth,
 * problem+json errors, and the request counters /metrics exports.  Routes
 * live in routes.c.
 */
#define LOG_PREFIX "cvisord"
#include "server/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"

static void count_status(struct srv *s, unsigned status)
{
	unsigned k = status / 100;

	atomic_fetch_add(&s->http_total[k < 6 ? k : 0], 1);
}

enum MHD_Result srv_send(struct srv *s, struct MHD_Connection *c, unsigned status,
			 const char *ctype, const void *buf, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)buf, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	count_status(s, status);
	return ret;
}

enum MHD_Result srv_send_json(struct srv *s, struct MHD_Connection *c, unsigned status, json_t *j)
{
	char *t;
	enum MHD_Result r;

	if (!j)
		return srv_problem(s, c, 500, "internal", "Internal Server Error", "out of memory");
	t = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!t)
		return srv_problem(s, c, 500, "internal", "Internal Server Error",
				   "cannot encode the response");
	r = srv_send(s, c, status, "application/json", t, strlen(t));
	free(t);
	return r;
}

enum MHD_Result srv_problem(struct srv *s, struct MHD_Connection *c, unsigned status,
			    const char *slug, const char *title, const char *fmt, ...)
{
	char detail[512], type[128];
	struct MHD_Response *r;
	enum MHD_Result ret;
	va_list ap;
	json_t *j;
	char *t;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(type, sizeof(type), "urn:cvisor:problem:%s", slug);
	j = json_pack("{s:s, s:s, s:i, s:o}", "type", type, "title", title, "status", (int)status,
		      "detail", srv_json_bytes(detail, strlen(detail)));
	t = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!t)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(t), t, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(t);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/problem+json");
	if (status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"cvisord\"");
	if (status == 429 || status == 503)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	count_status(s, status);
	return ret;
}

enum MHD_Result srv_errno_problem(struct srv *s, struct MHD_Connection *c, int e, const char *what)
{
	switch (e) {
	case -ENOENT:
		return srv_problem(s, c, 404, "not-found", "Not Found", "%s: not found", what);
	case -EEXIST:
		return srv_problem(s, c, 409, "conflict", "Conflict", "%s: already exists", what);
	case -ENOSPC:
		return srv_problem(s, c, 429, "pool-full", "Too Many Requests",
				   "%s: the pool is at max_total", what);
	case -EAGAIN:
	case -ETIMEDOUT:
		return srv_problem(s, c, 503, "unavailable", "Service Unavailable",
				   "%s: no warm sandbox could be made in time", what);
	case -ESHUTDOWN:
		return srv_problem(s, c, 503, "shutting-down", "Service Unavailable",
				   "the server is shutting down");
	case -EINVAL:
	case -ENOTDIR:
	case -EISDIR:
	case -ENAMETOOLONG:
	case -ELOOP:
	case -ENOTEMPTY:
		return srv_problem(s, c, 400, "bad-request", "Bad Request", "%s: %s", what,
				   strerror(-e));
	case -E2BIG:
	case -EFBIG:
		return srv_problem(s, c, 413, "too-large", "Content Too Large", "%s: %s", what,
				   strerror(-e));
	case -EACCES:
	case -EPERM:
		return srv_problem(s, c, 403, "forbidden", "Forbidden", "%s: %s", what,
				   strerror(-e));
	case -ECONNRESET:
	case -ECONNREFUSED:
	case -EPIPE:
	case -ENOTCONN:
		return srv_problem(s, c, 502, "sandbox-died", "Bad Gateway",
				   "%s: the sandbox died", what);
	default:
		return srv_problem(s, c, 500, "internal", "Internal Server Error", "%s: %s", what,
				   strerror(e < 0 ? -e : EIO));
	}
}

/* --- per-request state --- */

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct srv *s = cls;
	struct srv_req *rq = *con_cls;

	if (!rq)
		return;
	free(rq->body);
	free(rq);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static bool is_open_route(const char *url)
{
	return strcmp(url, "/healthz") == 0 || strcmp(url, "/v1/healthz") == 0;
}

static bool authorized(struct srv *s, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	return srv_token_ok(&s->cfg, h);
}

static bool is_file_put(const char *url, const char *method)
{
	size_t n = strlen(url);

	return strcmp(method, "PUT") == 0 && n > 6 && strcmp(url + n - 6, "/files") == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct srv *s = cls;
	struct srv_req *rq = *con_cls;

	if (!rq) {
		const char *cl;
		unsigned n;

		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		n = atomic_fetch_add(&s->inflight, 1) + 1;
		rq->limit = is_file_put(url, method) ? s->cfg.lim.max_file : s->cfg.lim.max_body;
		if (!is_open_route(url) && !authorized(s, c))
			return srv_problem(s, c, 401, "unauthorized", "Unauthorized",
					   "a valid bearer token is required");
		if (atomic_load(&s->draining))
			return srv_problem(s, c, 503, "shutting-down", "Service Unavailable",
					   "the server is shutting down");
		if (n > s->cfg.lim.max_inflight)
			return srv_problem(s, c, 503, "busy", "Service Unavailable",
					   "too many concurrent requests (%u)",
					   s->cfg.lim.max_inflight);
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > rq->limit)
			return srv_problem(s, c, 413, "too-large", "Content Too Large",
					   "the body exceeds %zu bytes", rq->limit);
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (rq->overflow || rq->len + n > rq->limit) {
			rq->overflow = true;
			return MHD_YES;
		}
		if (rq->len + n + 1 > rq->cap) {
			size_t nc = MAX(rq->cap * 2, rq->len + n + 1);
			char *nb = realloc(rq->body, MIN(nc, rq->limit + 1));
			if (!nb)
				return MHD_NO;
			rq->body = nb;
			rq->cap = MIN(nc, rq->limit + 1);
		}
		memcpy(rq->body + rq->len, upload, n);
		rq->len += n;
		rq->body[rq->len] = 0;
		return MHD_YES;
	}
	if (rq->overflow)
		return srv_problem(s, c, 413, "too-large", "Content Too Large",
				   "the body exceeds %zu bytes", rq->limit);
	return srv_route(s, c, url, method, rq);
}

static int parse_addr(const char *hostport, struct sockaddr_in *sa)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - hostport) >= sizeof(host))
		return -EINVAL;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port > 65535)
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (!host[0] || strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -EINVAL;
	return 0;
}

static struct MHD_Daemon *start_daemon(struct srv *s, const struct sockaddr_in *sa, int lfd)
{
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ITC;

	if (lfd >= 0)
		return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
					MHD_OPTION_LISTEN_SOCKET, lfd, MHD_OPTION_CONNECTION_LIMIT,
					s->cfg.lim.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
					120u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
					MHD_OPTION_END);
	if (s->tls_cert_pem)
		return MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, on_request, s,
					MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_HTTPS_MEM_CERT,
					s->tls_cert_pem, MHD_OPTION_HTTPS_MEM_KEY, s->tls_key_pem,
					MHD_OPTION_CONNECTION_LIMIT, s->cfg.lim.max_connections,
					MHD_OPTION_CONNECTION_TIMEOUT, 120u,
					MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
					MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_CONNECTION_LIMIT, s->cfg.lim.max_connections,
				MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_NOTIFY_COMPLETED,
				on_completed, s, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
				MHD_OPTION_END);
}

static int read_pem(const char *path, char **ret)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return neg_errno();
	buf = calloc(1, 1 << 20);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	if (n == 0 || n >= (1 << 20) - 1) {
		free(buf);
		return -EINVAL;
	}
	*ret = buf;
	return 0;
}

static int unix_listener(const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd, r;
	mode_t old;

	if (strlen(path) >= sizeof(un.sun_path))
		return -ENAMETOOLONG;
	strcpy(un.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg_errno();
	unlink(path);
	old = umask(0177); /* 0600: the token still applies, the mode first */
	r = bind(fd, (struct sockaddr *)&un, sizeof(un));
	umask(old);
	if (r < 0 || listen(fd, 128) < 0) {
		r = neg_errno();
		close(fd);
		return r;
	}
	return fd;
}

int srv_http_start(struct srv *s)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *di;
	int r = parse_addr(s->cfg.rest ? s->cfg.rest : "127.0.0.1:8080", &sa);

	if (r < 0)
		return r;
	if (!!s->cfg.tls_cert != !!s->cfg.tls_key)
		return -EINVAL;
	if (s->cfg.tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
			return -EOPNOTSUPP;
		r = read_pem(s->cfg.tls_cert, &s->tls_cert_pem);
		if (r == 0)
			r = read_pem(s->cfg.tls_key, &s->tls_key_pem);
		if (r < 0)
			return r;
	}
	s->daemon = start_daemon(s, &sa, -1);
	if (!s->daemon)
		return s->tls_cert_pem ? -EINVAL : -EADDRINUSE;
	di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	log_info("REST on %s://%s:%u", s->tls_cert_pem ? "https" : "http", inet_ntoa(sa.sin_addr),
		 di ? di->port : ntohs(sa.sin_port));
	if (s->cfg.rest_unix) {
		int fd = unix_listener(s->cfg.rest_unix);
		if (fd < 0)
			return fd;
		s->daemon_unix = start_daemon(s, NULL, fd);
		if (!s->daemon_unix) {
			close(fd);
			return -EIO;
		}
		log_info("REST on unix:%s", s->cfg.rest_unix);
	}
	return 0;
}

void srv_http_quiesce(struct srv *s)
{
	struct MHD_Daemon *d[2] = { s->daemon, s->daemon_unix };

	for (int i = 0; i < 2; i++) {
		if (d[i]) {
			int fd = MHD_quiesce_daemon(d[i]);
			if (fd >= 0)
				safe_close(fd);
		}
	}
}

void srv_http_stop(struct srv *s)
{
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	if (s->daemon_unix) {
		MHD_stop_daemon(s->daemon_unix);
		unlink(s->cfg.rest_unix);
	}
	s->daemon = s->daemon_unix = NULL;
	if (s->tls_key_pem)
		explicit_bzero(s->tls_key_pem, strlen(s->tls_key_pem));
	free(s->tls_key_pem);
	free(s->tls_cert_pem);
	s->tls_key_pem = s->tls_cert_pem = NULL;
}
