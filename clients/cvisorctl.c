/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cvisorctl: a small client of cvisord's REST API (libcurl + jansson).
 *
 *   cvisorctl [--url URL] [--token TOKEN] COMMAND ...
 *     pools list | pools get NAME | pools delete NAME
 *     pools create [--network=none|host] NAME ROOTFS [MIN_READY [MAX_TOTAL]]
 *       (also --memory=BYTES --cpus=N --pids=N: each sandbox's limits)
 *     pools create [--network=none|host] --snapshot NAME SNAPSHOT [MIN_READY [MAX_TOTAL]]
 *     sandboxes list | sandboxes create [POOL] | sandboxes get ID | sandboxes delete ID
 *     sandboxes restore SNAPSHOT       (a new sandbox from a snapshot)
 *     snapshots create ID [--stop] [--ttl SECS] [--label KEY=VALUE]... |
 *     snapshots list [--label KEY=VALUE] | snapshots get SID | snapshots delete SID
 *     run [--pool P] -- ARGV...        (exits with the program's status)
 *     exec ID -- ARGV...               (streams stdout/stderr live)
 *     files put ID PATH LOCAL | files get ID PATH [LOCAL] | files ls ID PATH
 *
 * URL: --url, $CVISOR_URL, else http://127.0.0.1:8080.
 * Token: --token, $CVISOR_TOKEN, $TOKEN.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	char *p;
	size_t n;
};

static const char *base_url = "http://127.0.0.1:8080";
static const char *token;

static size_t on_body(char *d, size_t sz, size_t nm, void *u)
{
	struct buf *b = u;
	size_t n = sz * nm;
	char *np = realloc(b->p, b->n + n + 1);

	if (!np)
		return 0;
	memcpy(np + b->n, d, n);
	b->n += n;
	np[b->n] = 0;
	b->p = np;
	return n;
}

/* Streamed exec: print each NDJSON event as it arrives. */
struct stream {
	struct buf line;
	int exit_code;
};

static void stream_event(struct stream *s, const char *line)
{
	json_t *j = json_loads(line, 0, NULL);
	const char *t = j ? json_string_value(json_object_get(j, "type")) : NULL;

	if (!t) {
		fprintf(stderr, "cvisorctl: bad event: %s\n", line);
	} else if (!strcmp(t, "stdout") || !strcmp(t, "stderr")) {
		json_t *d = json_object_get(j, "data");
		FILE *f = !strcmp(t, "stdout") ? stdout : stderr;
		fwrite(json_string_value(d), 1, json_string_length(d), f);
		fflush(f);
	} else if (!strcmp(t, "exit")) {
		s->exit_code = (int)json_integer_value(json_object_get(j, "exit_code"));
	} else {
		fprintf(stderr, "cvisorctl: %s\n",
			json_string_value(json_object_get(j, "detail")) ?: line);
		s->exit_code = 125;
	}
	json_decref(j);
}

static size_t on_stream(char *d, size_t sz, size_t nm, void *u)
{
	struct stream *s = u;
	size_t n = sz * nm;

	if (on_body(d, 1, n, &s->line) != n)
		return 0;
	for (;;) {
		char *nl = memchr(s->line.p, '\n', s->line.n);
		size_t k;
		if (!nl)
			break;
		*nl = 0;
		stream_event(s, s->line.p);
		k = (size_t)(nl - s->line.p) + 1;
		memmove(s->line.p, nl + 1, s->line.n - k);
		s->line.n -= k;
	}
	return n;
}

/* Returns the HTTP status, or -1; the body in *out (NUL-terminated). */
static long request(const char *method, const char *path, const char *ctype, const void *body,
		    size_t len, struct buf *out, struct stream *st)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[8192], auth[512];
	long code = -1;
	CURLcode r;

	if (!c)
		return -1;
	snprintf(url, sizeof(url), "%s%s", base_url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	if (body) {
		snprintf(url, sizeof(url), "Content-Type: %s", ctype);
		h = curl_slist_append(h, url);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (st) {
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_stream);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, st);
	} else {
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	}
	r = curl_easy_perform(c);
	if (r == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	else
		fprintf(stderr, "cvisorctl: %s: %s\n", url, curl_easy_strerror(r));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

/* Print a JSON reply (or the problem's detail) and map to an exit code. */
static int finish(long code, struct buf *b)
{
	int ret = code >= 200 && code < 300 ? 0 : 1;

	if (code < 0)
		return 1;
	if (ret) {
		json_t *j = b->p ? json_loads(b->p, 0, NULL) : NULL;
		const char *d = j ? json_string_value(json_object_get(j, "detail")) : NULL;
		fprintf(stderr, "cvisorctl: HTTP %ld: %s\n", code, d ? d : (b->p ? b->p : ""));
		json_decref(j);
	} else if (b->p && b->n) {
		json_t *j = json_loads(b->p, 0, NULL);
		if (j)
			json_dumpf(j, stdout, JSON_INDENT(2));
		else
			fwrite(b->p, 1, b->n, stdout);
		putchar('\n');
		json_decref(j);
	}
	free(b->p);
	return ret;
}

static char *argv_body(char **argv, int argc, const char *pool)
{
	json_t *a = json_array(), *j;
	char *s;

	for (int i = 0; i < argc; i++)
		json_array_append_new(a, json_string(argv[i]));
	j = json_pack("{s:o}", "argv", a);
	if (pool)
		json_object_set_new(j, "pool", json_string(pool));
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: cvisorctl [--url URL] [--token TOKEN] COMMAND\n"
		"  pools list|get NAME|delete NAME\n"
		"  pools create [--network=none|host] NAME ROOTFS [MIN_READY [MAX_TOTAL]]\n"
		"    (before NAME also --memory=BYTES --cpus=N --pids=N: per-sandbox limits)\n"
		"  pools create [--network=none|host] --snapshot NAME SNAPSHOT [MIN_READY [MAX_TOTAL]]\n"
		"  sandboxes list|create [POOL]|get ID|delete ID|restore SNAPSHOT\n"
		"  snapshots create ID [--stop] [--ttl SECS] [--label KEY=VALUE]...\n"
		"  snapshots list [--label KEY=VALUE]|get SID|delete SID\n"
		"  run [--pool P] -- ARGV...\n"
		"  exec ID -- ARGV...\n"
		"  files put ID PATH LOCAL | files get ID PATH [LOCAL] | files ls ID PATH\n");
	return 2;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char tmp[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		on_body(tmp, 1, n, &b);
	fclose(f);
	*len = b.n;
	return b.p ? b.p : strdup("");
}

static char *escape(const char *s)
{
	CURL *c = curl_easy_init();
	char *e = c ? curl_easy_escape(c, s, 0) : NULL;
	char *r = e ? strdup(e) : NULL;

	curl_free(e);
	curl_easy_cleanup(c);
	return r;
}

/* GET or DELETE (@verb "get" / "delete") of /v1/@coll/@name. */
static long by_name(const char *coll, const char *verb, const char *name, struct buf *b)
{
	char path[1024], *n = escape(name);

	snprintf(path, sizeof(path), "/v1/%s/%s", coll, n ? n : "");
	free(n);
	return request(!strcmp(verb, "get") ? "GET" : "DELETE", path, NULL, NULL, 0, b, NULL);
}

/* POST @j (taken) as JSON to @path. */
static long post_json(const char *path, json_t *j, struct buf *b)
{
	char *s = json_dumps(j, JSON_COMPACT);
	long code;

	json_decref(j);
	if (!s)
		return -1;
	code = request("POST", path, "application/json", s, strlen(s), b, NULL);
	free(s);
	return code;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "token", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct buf b = { 0 };
	char path[8192];
	int c;

	if (getenv("CVISOR_URL"))
		base_url = getenv("CVISOR_URL");
	token = getenv("CVISOR_TOKEN") ? getenv("CVISOR_TOKEN") : getenv("TOKEN");
	while ((c = getopt_long(argc, argv, "+u:t:h", opts, NULL)) != -1) {
		if (c == 'u')
			base_url = optarg;
		else if (c == 't')
			token = optarg;
		else
			return usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if (!strcmp(argv[0], "pools") && argc >= 2) {
		if (!strcmp(argv[1], "list"))
			return finish(request("GET", "/v1/pools", NULL, NULL, 0, &b, NULL), &b);
		if ((!strcmp(argv[1], "get") || !strcmp(argv[1], "delete")) && argc == 3)
			return finish(by_name("pools", argv[1], argv[2], &b), &b);
		const char *net = NULL;
		bool snap = false;
		json_t *res = NULL;

		/* create's flags, in any order before NAME */
		while (!strcmp(argv[1], "create") && argc >= 3 &&
		       (!strncmp(argv[2], "--network=", 10) || !strcmp(argv[2], "--snapshot") ||
			!strncmp(argv[2], "--memory=", 9) || !strncmp(argv[2], "--cpus=", 7) ||
			!strncmp(argv[2], "--pids=", 7))) {
			if (!strncmp(argv[2], "--network=", 10)) {
				net = argv[2] + 10; /* the server checks the value */
			} else if (!strcmp(argv[2], "--snapshot")) {
				snap = true;
			} else {
				/* resources: the server checks the ranges */
				char *eq = strchr(argv[2], '='), *end = NULL, key[16];
				double v = strtod(eq + 1, &end);

				if (!eq[1] || *end) {
					json_decref(res);
					return usage();
				}
				snprintf(key, sizeof(key), "%.*s", (int)(eq - argv[2] - 2), argv[2] + 2);
				if (!res)
					res = json_object();
				if (!strcmp(key, "cpus"))
					json_object_set_new(res, "cpus", json_real(v));
				else
					json_object_set_new(res, !strcmp(key, "memory") ? "memory_bytes" : "pids",
							    json_integer((json_int_t)v));
			}
			argv[2] = argv[1];
			argv++;
			argc--;
		}
		if (!strcmp(argv[1], "create") && argc >= 4 && argc <= 6) {
			/* a snapshot template: {"template": {"snapshot": SID}} */
			json_t *j = snap ? json_pack("{s:s, s:{s:s}}", "name", argv[2], "template",
						     "snapshot", argv[3])
					 : json_pack("{s:s, s:s}", "name", argv[2], "rootfs", argv[3]);
			char *s;
			if (net)
				json_object_set_new(j, "network", json_string(net));
			if (res) {
				json_object_set_new(j, "resources", res);
				res = NULL;
			}
			if (argc >= 5)
				json_object_set_new(j, "min_ready", json_integer(atoi(argv[4])));
			if (argc >= 6)
				json_object_set_new(j, "max_total", json_integer(atoi(argv[5])));
			s = json_dumps(j, JSON_COMPACT);
			json_decref(j);
			long code = request("POST", "/v1/pools", "application/json", s, strlen(s), &b,
					    NULL);
			free(s);
			return finish(code, &b);
		}
		json_decref(res);
		return usage();
	}
	if (!strcmp(argv[0], "sandboxes") && argc >= 2) {
		if (!strcmp(argv[1], "list"))
			return finish(request("GET", "/v1/sandboxes", NULL, NULL, 0, &b, NULL), &b);
		if (!strcmp(argv[1], "create") && argc <= 3) {
			json_t *j = json_object();

			if (argc == 3)
				json_object_set_new(j, "pool", json_string(argv[2]));
			return finish(post_json("/v1/sandboxes", j, &b), &b);
		}
		if ((!strcmp(argv[1], "get") || !strcmp(argv[1], "delete")) && argc == 3)
			return finish(by_name("sandboxes", argv[1], argv[2], &b), &b);
		if (!strcmp(argv[1], "restore") && argc == 3)
			return finish(post_json("/v1/sandboxes",
						json_pack("{s:s}", "snapshot", argv[2]), &b), &b);
		return usage();
	}
	if (!strcmp(argv[0], "snapshots") && argc >= 2) {
		if (!strcmp(argv[1], "list") && argc == 2)
			return finish(request("GET", "/v1/snapshots", NULL, NULL, 0, &b, NULL), &b);
		if (!strcmp(argv[1], "list") && argc == 4 && !strcmp(argv[2], "--label")) {
			char *l = escape(argv[3]);

			snprintf(path, sizeof(path), "/v1/snapshots?label=%s", l ? l : "");
			free(l);
			return finish(request("GET", path, NULL, NULL, 0, &b, NULL), &b);
		}
		if ((!strcmp(argv[1], "get") || !strcmp(argv[1], "delete")) && argc == 3)
			return finish(by_name("snapshots", argv[1], argv[2], &b), &b);
		if (!strcmp(argv[1], "create") && argc >= 3) {
			json_t *body = json_pack("{s:b}", "leave_running", 1), *labels = json_object();
			char *n;

			for (int i = 3; i < argc; i++) {
				char *eq, *end;
				if (!strcmp(argv[i], "--stop")) {
					json_object_set_new(body, "leave_running", json_false());
				} else if (!strcmp(argv[i], "--ttl") && i + 1 < argc) {
					long long t = strtoll(argv[++i], &end, 10);
					if (*end || t < 0) {
						json_decref(body);
						json_decref(labels);
						return usage();
					}
					json_object_set_new(body, "ttl_seconds", json_integer(t));
				} else if (!strcmp(argv[i], "--label") && i + 1 < argc &&
					   (eq = strchr(argv[i + 1], '='))) {
					*eq = 0;
					json_object_set_new(labels, argv[i + 1], json_string(eq + 1));
					i++;
				} else {
					json_decref(body);
					json_decref(labels);
					return usage();
				}
			}
			if (json_object_size(labels))
				json_object_set(body, "labels", labels);
			json_decref(labels);
			n = escape(argv[2]);
			snprintf(path, sizeof(path), "/v1/sandboxes/%s/snapshots", n ? n : "");
			free(n);
			return finish(post_json(path, body, &b), &b);
		}
		return usage();
	}
	if (!strcmp(argv[0], "run")) {
		const char *pool = NULL;
		int i = 1;
		if (i + 1 < argc && !strcmp(argv[i], "--pool")) {
			pool = argv[i + 1];
			i += 2;
		}
		if (i < argc && !strcmp(argv[i], "--"))
			i++;
		if (i >= argc)
			return usage();
		char *s = argv_body(argv + i, argc - i, pool);
		long code = request("POST", "/v1/run", "application/json", s, strlen(s), &b, NULL);
		free(s);
		if (code != 200)
			return finish(code, &b) ? 125 : 0;
		json_t *j = json_loads(b.p, 0, NULL);
		json_t *o = json_object_get(j, "stdout"), *e = json_object_get(j, "stderr");
		fwrite(json_string_value(o), 1, json_string_length(o), stdout);
		fwrite(json_string_value(e), 1, json_string_length(e), stderr);
		int rc = (int)json_integer_value(json_object_get(j, "exit_code"));
		json_decref(j);
		free(b.p);
		return rc;
	}
	if (!strcmp(argv[0], "exec") && argc >= 3) {
		struct stream st = { .exit_code = 125 };
		int i = 2;
		char *n = escape(argv[1]);
		if (!strcmp(argv[i], "--"))
			i++;
		if (i >= argc || !n)
			return usage();
		snprintf(path, sizeof(path), "/v1/sandboxes/%s/exec?stream=1", n);
		free(n);
		char *s = argv_body(argv + i, argc - i, NULL);
		long code = request("POST", path, "application/json", s, strlen(s), NULL, &st);
		free(s);
		if (code != 200) {
			fprintf(stderr, "cvisorctl: HTTP %ld: %.*s\n", code, (int)st.line.n,
				st.line.p ? st.line.p : "");
			free(st.line.p);
			return 125;
		}
		free(st.line.p);
		return st.exit_code;
	}
	if (!strcmp(argv[0], "files") && argc >= 4) {
		char *id = escape(argv[2]), *p = escape(argv[3]);
		if (!id || !p)
			return 1;
		snprintf(path, sizeof(path), "/v1/sandboxes/%s/files?path=%s%s", id, p,
			 !strcmp(argv[1], "ls") ? "&list=1" : "");
		free(id);
		free(p);
		if (!strcmp(argv[1], "put") && argc == 5) {
			size_t len;
			char *data = read_file(argv[4], &len);
			if (!data) {
				fprintf(stderr, "cvisorctl: %s: %s\n", argv[4], strerror(errno));
				return 1;
			}
			long code = request("PUT", path, "application/octet-stream", data, len, &b,
					    NULL);
			free(data);
			return finish(code, &b);
		}
		if (!strcmp(argv[1], "ls") && argc == 4)
			return finish(request("GET", path, NULL, NULL, 0, &b, NULL), &b);
		if (!strcmp(argv[1], "get") && (argc == 4 || argc == 5)) {
			long code = request("GET", path, NULL, NULL, 0, &b, NULL);
			FILE *f;
			if (code != 200)
				return finish(code, &b);
			f = argc == 5 ? fopen(argv[4], "wb") : stdout;
			if (!f || fwrite(b.p ? b.p : "", 1, b.n, f) != b.n) {
				fprintf(stderr, "cvisorctl: cannot write %s\n", argv[4]);
				return 1;
			}
			if (f != stdout)
				fclose(f);
			free(b.p);
			return 0;
		}
		return usage();
	}
	return usage();
}
