/* SPDX-License-Identifier: Apache-2.0 */
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/macro.h"

#define SPEC_MAX_BYTES (4u << 20) /* a config.json larger than this is refused */
#define SPEC_MAX_ITEMS 65536      /* entries of any one array */

/* Parsing context: the first error wins. */
struct pctx {
	char *error;
	char **ignored;
	size_t n_ignored;
	int oom;
};

__attribute__((format(printf, 2, 3))) static int fail(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->error) {
		va_start(ap, fmt);
		if (vasprintf(&c->error, fmt, ap) < 0)
			c->error = NULL, c->oom = 1;
		va_end(ap);
	}
	return -EINVAL;
}

static void ignore(struct pctx *c, const char *path)
{
	char **n = realloc(c->ignored, (c->n_ignored + 2) * sizeof(*n));

	if (!n || !(n[c->n_ignored] = strdup(path))) {
		if (n)
			c->ignored = n;
		c->oom = 1;
		return;
	}
	c->ignored = n;
	c->n_ignored++;
	c->ignored[c->n_ignored] = NULL;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Optional string member: 0 and *ret = NULL when absent. */
static int get_str(struct pctx *c, json_t *o, const char *key, const char *path, char **ret)
{
	json_t *v = json_object_get(o, key);

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return fail(c, "%s.%s: must be a string", path, key);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fail(c, "%s.%s: must not contain NUL", path, key);
	*ret = strdup(json_string_value(v));
	if (!*ret)
		return -ENOMEM;
	return 0;
}

static int get_bool(struct pctx *c, json_t *o, const char *key, const char *path, int *ret)
{
	json_t *v = json_object_get(o, key);

	*ret = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return fail(c, "%s.%s: must be a boolean", path, key);
	*ret = json_is_true(v);
	return 0;
}

/* Integer member within [min, max]; *ret untouched when absent (returns 0,
 * *present = 0). */
static int get_int(struct pctx *c, json_t *o, const char *key, const char *path, int64_t min,
		   int64_t max, int64_t *ret, int *present)
{
	json_t *v = json_object_get(o, key);

	if (present)
		*present = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(c, "%s.%s: must be an integer in [%lld, %lld]", path, key,
			    (long long)min, (long long)max);
	*ret = json_integer_value(v);
	if (present)
		*present = 1;
	return 0;
}

/* Array of strings -> NULL-terminated vector (NULL when absent). */
static int get_strv(struct pctx *c, json_t *o, const char *key, const char *path, char ***ret)
{
	json_t *v = json_object_get(o, key), *e;
	size_t i;
	char **out;

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) > SPEC_MAX_ITEMS)
		return fail(c, "%s.%s: must be an array of strings", path, key);
	out = calloc(json_array_size(v) + 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e)) {
			strv_free(out);
			return fail(c, "%s.%s[%zu]: must be a string", path, key, i);
		}
		out[i] = strdup(json_string_value(e));
		if (!out[i]) {
			strv_free(out);
			return -ENOMEM;
		}
	}
	*ret = out;
	return 0;
}

static const char *const cap_names[OCI_CAP_LAST + 1] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
	"SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
	"NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
	"SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
	"AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

int oci_cap_from_name(const char *name)
{
	if (strncmp(name, "CAP_", 4) != 0)
		return -1;
	for (int i = 0; i <= OCI_CAP_LAST; i++)
		if (!strcmp(name + 4, cap_names[i]))
			return i;
	return -1;
}

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },	       { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },	       { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },	       { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },      { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },  { "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },      { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },    { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

int oci_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (!strcmp(name, rlimit_names[i].name))
			return rlimit_names[i].res;
	return -1;
}

/* Keys of @o not in @known (NULL-terminated) are recorded as ignored. */
static void note_unknown(struct pctx *c, json_t *o, const char *path, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		int k = 0;
		char buf[256];

		while (known[k] && strcmp(known[k], key))
			k++;
		if (!known[k]) {
			snprintf(buf, sizeof(buf), "%s.%s", path, key);
			ignore(c, buf);
		}
	}
}

static int parse_caps(struct pctx *c, json_t *o, struct oci_process *p)
{
	static const char *const sets[OCI_CAP_NSETS] = { "bounding", "effective", "inheritable",
							 "permitted", "ambient" };
	static const char *const known[] = { "bounding", "effective", "inheritable",
					     "permitted", "ambient", NULL };

	if (!json_is_object(o))
		return fail(c, "process.capabilities: must be an object");
	p->has_caps = 1;
	for (int s = 0; s < OCI_CAP_NSETS; s++) {
		json_t *a = json_object_get(o, sets[s]), *e;
		size_t i;

		if (!a || json_is_null(a))
			continue;
		if (!json_is_array(a))
			return fail(c, "process.capabilities.%s: must be an array", sets[s]);
		json_array_foreach(a, i, e) {
			int cap = json_is_string(e) ? oci_cap_from_name(json_string_value(e)) : -1;

			if (cap < 0)
				return fail(c, "process.capabilities.%s[%zu]: unknown capability",
					    sets[s], i);
			p->caps[s] |= 1ULL << cap;
		}
	}
	note_unknown(c, o, "process.capabilities", known);
	return 0;
}

static int parse_rlimits(struct pctx *c, json_t *a, struct oci_process *p)
{
	json_t *e;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > 64)
		return fail(c, "process.rlimits: must be an array");
	p->rlimits = calloc(json_array_size(a) + 1, sizeof(*p->rlimits));
	if (!p->rlimits)
		return -ENOMEM;
	json_array_foreach(a, i, e) {
		json_t *t = json_is_object(e) ? json_object_get(e, "type") : NULL;
		int res = t && json_is_string(t) ? oci_rlimit_from_name(json_string_value(t)) : -1;
		int64_t soft = 0, hard = 0;
		int hs, hh, r;

		if (res < 0)
			return fail(c, "process.rlimits[%zu].type: unknown rlimit", i);
		for (size_t j = 0; j < p->n_rlimits; j++)
			if (p->rlimits[j].resource == res)
				return fail(c, "process.rlimits[%zu].type: duplicate", i);
		r = get_int(c, e, "soft", "process.rlimits[]", 0, INT64_MAX, &soft, &hs);
		if (r == 0)
			r = get_int(c, e, "hard", "process.rlimits[]", 0, INT64_MAX, &hard, &hh);
		if (r < 0)
			return r;
		if (!hs || !hh)
			return fail(c, "process.rlimits[%zu]: soft and hard are required", i);
		if (soft > hard)
			return fail(c, "process.rlimits[%zu]: soft exceeds hard", i);
		p->rlimits[p->n_rlimits++] = (struct oci_rlimit){ res, (uint64_t)soft, (uint64_t)hard };
	}
	return 0;
}

static int parse_process(struct pctx *c, json_t *o, struct oci_process *p)
{
	static const char *const known[] = { "terminal", "consoleSize", "user", "args", "env",
					     "cwd", "rlimits", "capabilities", "noNewPrivileges",
					     "oomScoreAdj", "apparmorProfile", "selinuxLabel",
					     "commandLine", "ioPriority", "scheduler", NULL };
	json_t *u, *cs;
	int64_t v;
	int r, present;

	if (!json_is_object(o))
		return fail(c, "process: must be an object");
	if ((r = get_bool(c, o, "terminal", "process", &p->terminal)) < 0)
		return r;
	cs = json_object_get(o, "consoleSize");
	if (cs && !json_is_null(cs)) {
		int64_t h = 0, w = 0;

		if (!json_is_object(cs))
			return fail(c, "process.consoleSize: must be an object");
		if ((r = get_int(c, cs, "height", "process.consoleSize", 0, UINT16_MAX, &h, NULL)) < 0 ||
		    (r = get_int(c, cs, "width", "process.consoleSize", 0, UINT16_MAX, &w, NULL)) < 0)
			return r;
		p->console_height = (unsigned)h;
		p->console_width = (unsigned)w;
	}
	u = json_object_get(o, "user");
	if (!u || !json_is_object(u))
		return fail(c, "process.user: required object");
	v = 0;
	if ((r = get_int(c, u, "uid", "process.user", 0, UINT32_MAX - 1, &v, &present)) < 0)
		return r;
	if (!present)
		return fail(c, "process.user.uid: required");
	p->uid = (uid_t)v;
	if ((r = get_int(c, u, "gid", "process.user", 0, UINT32_MAX - 1, &v, &present)) < 0)
		return r;
	if (!present)
		return fail(c, "process.user.gid: required");
	p->gid = (gid_t)v;
	if ((r = get_int(c, u, "umask", "process.user", 0, 0777, &v, &p->has_umask)) < 0)
		return r;
	p->umask = (mode_t)v;
	{
		json_t *g = json_object_get(u, "additionalGids"), *e;
		size_t i;

		if (g && !json_is_null(g)) {
			if (!json_is_array(g) || json_array_size(g) > 65536)
				return fail(c, "process.user.additionalGids: must be an array");
			p->additional_gids = calloc(json_array_size(g) + 1, sizeof(gid_t));
			if (!p->additional_gids)
				return -ENOMEM;
			json_array_foreach(g, i, e) {
				if (!json_is_integer(e) || json_integer_value(e) < 0 ||
				    json_integer_value(e) >= UINT32_MAX)
					return fail(c, "process.user.additionalGids[%zu]: bad gid", i);
				p->additional_gids[p->n_additional_gids++] = (gid_t)json_integer_value(e);
			}
		}
		if (json_object_get(u, "username"))
			ignore(c, "process.user.username");
	}
	if ((r = get_strv(c, o, "args", "process", &p->args)) < 0)
		return r;
	if (!p->args || !p->args[0] || !p->args[0][0])
		return fail(c, "process.args: must be a non-empty array of strings");
	if ((r = get_strv(c, o, "env", "process", &p->env)) < 0)
		return r;
	for (size_t i = 0; p->env && p->env[i]; i++)
		if (!strchr(p->env[i], '=') || p->env[i][0] == '=')
			return fail(c, "process.env[%zu]: must be KEY=VALUE", i);
	if ((r = get_str(c, o, "cwd", "process", &p->cwd)) < 0)
		return r;
	if (!p->cwd || p->cwd[0] != '/')
		return fail(c, "process.cwd: required absolute path");
	if (json_object_get(o, "rlimits") && !json_is_null(json_object_get(o, "rlimits")) &&
	    (r = parse_rlimits(c, json_object_get(o, "rlimits"), p)) < 0)
		return r;
	if (json_object_get(o, "capabilities") && !json_is_null(json_object_get(o, "capabilities")) &&
	    (r = parse_caps(c, json_object_get(o, "capabilities"), p)) < 0)
		return r;
	if ((r = get_bool(c, o, "noNewPrivileges", "process", &p->no_new_privileges)) < 0)
		return r;
	if ((r = get_int(c, o, "oomScoreAdj", "process", -1000, 1000, &v, &p->has_oom_score_adj)) < 0)
		return r;
	p->oom_score_adj = (int)v;
	for (const char *const *k = (const char *const[]){ "apparmorProfile", "selinuxLabel",
							      "ioPriority", "scheduler", NULL };
	     *k; k++)
		if (json_object_get(o, *k)) {
			char buf[64];

			snprintf(buf, sizeof(buf), "process.%s", *k);
			ignore(c, buf);
		}
	note_unknown(c, o, "process", known);
	return 0;
}

/* Mount options: flags, or file-system data. */
static int mount_option(struct oci_mount *m, const char *opt, char **data, size_t *dlen)
{
	static const struct {
		const char *name;
		unsigned long set, clear;
	} f[] = {
		{ "ro", MS_RDONLY, 0 },		{ "rw", 0, MS_RDONLY },
		{ "nosuid", MS_NOSUID, 0 },	{ "suid", 0, MS_NOSUID },
		{ "nodev", MS_NODEV, 0 },	{ "dev", 0, MS_NODEV },
		{ "noexec", MS_NOEXEC, 0 },	{ "exec", 0, MS_NOEXEC },
		{ "sync", MS_SYNCHRONOUS, 0 },	{ "async", 0, MS_SYNCHRONOUS },
		{ "noatime", MS_NOATIME, 0 },	{ "atime", 0, MS_NOATIME },
		{ "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
		{ "relatime", MS_RELATIME, 0 },	{ "norelatime", 0, MS_RELATIME },
		{ "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
		{ "private", MS_PRIVATE, 0 },	{ "rprivate", MS_PRIVATE | MS_REC, 0 },
		{ "shared", MS_SHARED, 0 },	{ "rshared", MS_SHARED | MS_REC, 0 },
		{ "slave", MS_SLAVE, 0 },	{ "rslave", MS_SLAVE | MS_REC, 0 },
		{ "unbindable", MS_UNBINDABLE, 0 }, { "runbindable", MS_UNBINDABLE | MS_REC, 0 },
		{ "mand", MS_MANDLOCK, 0 },	{ "nomand", 0, MS_MANDLOCK },
		{ "dirsync", MS_DIRSYNC, 0 },	{ "remount", MS_REMOUNT, 0 },
	};
	size_t l = strlen(opt);
	char *n;

	if (!strcmp(opt, "bind") || !strcmp(opt, "rbind")) {
		m->bind = 1;
		m->recursive = opt[0] == 'r';
		m->flags |= MS_BIND | (m->recursive ? MS_REC : 0);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (!strcmp(opt, f[i].name)) {
			m->flags = (m->flags | f[i].set) & ~f[i].clear;
			return 0;
		}
	/* anything else (mode=, size=, newinstance, ...) is file-system data */
	n = realloc(*data, *dlen + l + 2);
	if (!n)
		return -ENOMEM;
	*data = n;
	if (*dlen)
		n[(*dlen)++] = ',';
	memcpy(n + *dlen, opt, l + 1);
	*dlen += l;
	return 0;
}

static int parse_mounts(struct pctx *c, json_t *a, struct oci_spec *s)
{
	static const char *const known[] = { "destination", "type", "source", "options",
					     "uidMappings", "gidMappings", NULL };
	json_t *e;
	size_t i;
	int r;

	if (!json_is_array(a) || json_array_size(a) > 4096)
		return fail(c, "mounts: must be an array");
	s->mounts = calloc(json_array_size(a) + 1, sizeof(*s->mounts));
	if (!s->mounts)
		return -ENOMEM;
	json_array_foreach(a, i, e) {
		struct oci_mount *m = &s->mounts[s->n_mounts++];
		char **opts = NULL;
		size_t dlen = 0;

		if (!json_is_object(e))
			return fail(c, "mounts[%zu]: must be an object", i);
		if ((r = get_str(c, e, "destination", "mounts[]", &m->destination)) < 0 ||
		    (r = get_str(c, e, "type", "mounts[]", &m->type)) < 0 ||
		    (r = get_str(c, e, "source", "mounts[]", &m->source)) < 0 ||
		    (r = get_strv(c, e, "options", "mounts[]", &opts)) < 0)
			return r;
		for (size_t k = 0; opts && opts[k] && r == 0; k++)
			r = mount_option(m, opts[k], &m->data, &dlen);
		strv_free(opts);
		if (r < 0)
			return r;
		if (!m->destination || m->destination[0] != '/')
			return fail(c, "mounts[%zu].destination: required absolute path", i);
		if (!m->type && !m->bind)
			return fail(c, "mounts[%zu]: a type, or a bind option, is required", i);
		if (m->bind && !m->source)
			return fail(c, "mounts[%zu].source: required for a bind mount", i);
		note_unknown(c, e, "mounts[]", known);
	}
	return 0;
}

static int parse_idmaps(struct pctx *c, json_t *a, const char *path, struct oci_idmap **ret,
			size_t *n)
{
	json_t *e;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) > 340)
		return fail(c, "%s: must be an array", path);
	*ret = calloc(json_array_size(a) + 1, sizeof(**ret));
	if (!*ret)
		return -ENOMEM;
	json_array_foreach(a, i, e) {
		int64_t cid = 0, hid = 0, size = 0;
		int p1, p2, p3, r;

		if (!json_is_object(e))
			return fail(c, "%s[%zu]: must be an object", path, i);
		if ((r = get_int(c, e, "containerID", path, 0, UINT32_MAX - 1, &cid, &p1)) < 0 ||
		    (r = get_int(c, e, "hostID", path, 0, UINT32_MAX - 1, &hid, &p2)) < 0 ||
		    (r = get_int(c, e, "size", path, 1, UINT32_MAX, &size, &p3)) < 0)
			return r;
		if (!p1 || !p2 || !p3)
			return fail(c, "%s[%zu]: containerID, hostID and size are required", path, i);
		(*ret)[(*n)++] = (struct oci_idmap){ (uint32_t)cid, (uint32_t)hid, (uint32_t)size };
	}
	return 0;
}

static int parse_kv(struct pctx *c, json_t *o, const char *path, struct oci_kv **ret, size_t *n)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o) || json_object_size(o) > SPEC_MAX_ITEMS)
		return fail(c, "%s: must be an object of strings", path);
	*ret = calloc(json_object_size(o) + 1, sizeof(**ret));
	if (!*ret)
		return -ENOMEM;
	json_object_foreach(o, key, v) {
		struct oci_kv *kv = &(*ret)[*n];

		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
			return fail(c, "%s.%s: must be a string", path, key);
		kv->key = strdup(key);
		kv->value = strdup(json_string_value(v));
		(*n)++;
		if (!kv->key || !kv->value)
			return -ENOMEM;
	}
	return 0;
}

static int parse_resources(struct pctx *c, json_t *o, struct oci_resources *res)
{
	static const char *const known[] = { "memory", "cpu", "pids", NULL };
	json_t *m = json_object_get(o, "memory"), *cpu = json_object_get(o, "cpu"),
	       *p = json_object_get(o, "pids");
	int64_t v;
	int r, present;

	if (!json_is_object(o))
		return fail(c, "linux.resources: must be an object");
	if (m && json_is_object(m)) {
		if ((r = get_int(c, m, "limit", "linux.resources.memory", -1, INT64_MAX, &v, &present)) < 0)
			return r;
		if (present)
			res->memory_limit = v;
		if ((r = get_int(c, m, "swap", "linux.resources.memory", -1, INT64_MAX, &v, &present)) < 0)
			return r;
		if (present)
			res->memory_swap = v;
	}
	if (cpu && json_is_object(cpu)) {
		if ((r = get_int(c, cpu, "quota", "linux.resources.cpu", -1, INT64_MAX, &v, &present)) < 0)
			return r;
		if (present)
			res->cpu_quota = v;
		if ((r = get_int(c, cpu, "period", "linux.resources.cpu", 0, 1000000, &v, &present)) < 0)
			return r;
		if (present)
			res->cpu_period = (uint64_t)v;
		if ((r = get_int(c, cpu, "shares", "linux.resources.cpu", 0, 262144, &v, &present)) < 0)
			return r;
		if (present)
			res->cpu_shares = (uint64_t)v;
	}
	if (p && json_is_object(p)) {
		if ((r = get_int(c, p, "limit", "linux.resources.pids", -1, INT64_MAX, &v, &present)) < 0)
			return r;
		if (present)
			res->pids_limit = v <= 0 ? -1 : v;
	}
	note_unknown(c, o, "linux.resources", known);
	return 0;
}

static int parse_linux(struct pctx *c, json_t *o, struct oci_spec *s)
{
	static const char *const known[] = { "namespaces", "uidMappings", "gidMappings",
					     "resources", "sysctl", "maskedPaths",
					     "readonlyPaths", NULL };
	static const struct {
		const char *name;
		unsigned bit;
	} ns[] = { { "pid", OCI_NS_PID },	 { "network", OCI_NS_NETWORK },
		   { "mount", OCI_NS_MOUNT },	 { "ipc", OCI_NS_IPC },
		   { "uts", OCI_NS_UTS },	 { "user", OCI_NS_USER },
		   { "cgroup", OCI_NS_CGROUP }, { "time", OCI_NS_TIME } };
	json_t *a, *e;
	size_t i;
	int r;

	if (!json_is_object(o))
		return fail(c, "linux: must be an object");
	a = json_object_get(o, "namespaces");
	if (a && !json_is_null(a)) {
		if (!json_is_array(a))
			return fail(c, "linux.namespaces: must be an array");
		json_array_foreach(a, i, e) {
			json_t *t = json_is_object(e) ? json_object_get(e, "type") : NULL;
			unsigned bit = 0;
			char *path = NULL;

			for (size_t k = 0; t && json_is_string(t) && k < ARRAY_SIZE(ns); k++)
				if (!strcmp(json_string_value(t), ns[k].name))
					bit = ns[k].bit;
			if (!bit)
				return fail(c, "linux.namespaces[%zu].type: unknown namespace", i);
			if (s->namespaces & bit)
				return fail(c, "linux.namespaces[%zu]: duplicate", i);
			s->namespaces |= bit;
			if ((r = get_str(c, e, "path", "linux.namespaces[]", &path)) < 0)
				return r;
			if (path && bit != OCI_NS_NETWORK) {
				free(path);
				return fail(c, "linux.namespaces[%zu].path: joining an existing "
					       "namespace is only supported for network", i);
			}
			if (path) {
				free(s->netns_path);
				s->netns_path = path;
			}
		}
	}
	if ((a = json_object_get(o, "uidMappings")) && !json_is_null(a) &&
	    (r = parse_idmaps(c, a, "linux.uidMappings", &s->uid_mappings, &s->n_uid_mappings)) < 0)
		return r;
	if ((a = json_object_get(o, "gidMappings")) && !json_is_null(a) &&
	    (r = parse_idmaps(c, a, "linux.gidMappings", &s->gid_mappings, &s->n_gid_mappings)) < 0)
		return r;
	if ((a = json_object_get(o, "resources")) && !json_is_null(a) &&
	    (r = parse_resources(c, a, &s->resources)) < 0)
		return r;
	if ((a = json_object_get(o, "sysctl")) && !json_is_null(a) &&
	    (r = parse_kv(c, a, "linux.sysctl", &s->sysctl, &s->n_sysctl)) < 0)
		return r;
	if ((r = get_strv(c, o, "maskedPaths", "linux", &s->masked_paths)) < 0 ||
	    (r = get_strv(c, o, "readonlyPaths", "linux", &s->readonly_paths)) < 0)
		return r;
	note_unknown(c, o, "linux", known);
	return 0;
}

static int parse_hooks(struct pctx *c, json_t *o, struct oci_spec *s)
{
	static const char *const kinds[OCI_HOOK_NKINDS] = { "prestart", "createRuntime",
							    "createContainer", "startContainer",
							    "poststart", "poststop" };
	int r;

	if (!json_is_object(o))
		return fail(c, "hooks: must be an object");
	for (int k = 0; k < OCI_HOOK_NKINDS; k++) {
		json_t *a = json_object_get(o, kinds[k]), *e;
		size_t i;

		if (!a || json_is_null(a))
			continue;
		if (!json_is_array(a) || json_array_size(a) > 256)
			return fail(c, "hooks.%s: must be an array", kinds[k]);
		s->hooks[k].v = calloc(json_array_size(a) + 1, sizeof(struct oci_hook));
		if (!s->hooks[k].v)
			return -ENOMEM;
		json_array_foreach(a, i, e) {
			struct oci_hook *h = &s->hooks[k].v[s->hooks[k].n++];
			int64_t to = 0;

			if (!json_is_object(e))
				return fail(c, "hooks.%s[%zu]: must be an object", kinds[k], i);
			if ((r = get_str(c, e, "path", "hooks[]", &h->path)) < 0 ||
			    (r = get_strv(c, e, "args", "hooks[]", &h->args)) < 0 ||
			    (r = get_strv(c, e, "env", "hooks[]", &h->env)) < 0 ||
			    (r = get_int(c, e, "timeout", "hooks[]", 1, 3600, &to, NULL)) < 0)
				return r;
			if (!h->path || h->path[0] != '/')
				return fail(c, "hooks.%s[%zu].path: required absolute path", kinds[k], i);
			h->timeout = (int)to;
		}
	}
	return 0;
}

static int parse_root(struct pctx *c, json_t *o, struct oci_spec *s)
{
	static const char *const known[] = { "path", "readonly", NULL };
	int r;

	if (!o || !json_is_object(o))
		return fail(c, "root: required object");
	if ((r = get_str(c, o, "path", "root", &s->root_path)) < 0)
		return r;
	if (!s->root_path || !s->root_path[0])
		return fail(c, "root.path: required");
	if ((r = get_bool(c, o, "readonly", "root", &s->root_readonly)) < 0)
		return r;
	note_unknown(c, o, "root", known);
	return 0;
}

static int parse_top(struct pctx *c, json_t *o, struct oci_spec *s)
{
	static const char *const known[] = { "ociVersion", "process", "root", "hostname",
					     "domainname", "mounts", "linux", "annotations",
					     "hooks", NULL };
	json_t *v;
	int r;

	if (!json_is_object(o))
		return fail(c, "config.json: must be a JSON object");
	if ((r = get_str(c, o, "ociVersion", "config", &s->oci_version)) < 0)
		return r;
	if (!s->oci_version || strncmp(s->oci_version, "1.", 2) != 0)
		return fail(c, "ociVersion: required, 1.x (got %s)",
			    s->oci_version ? s->oci_version : "nothing");
	if ((v = json_object_get(o, "process")) && !json_is_null(v)) {
		s->has_process = 1;
		if ((r = parse_process(c, v, &s->process)) < 0)
			return r;
	}
	if ((r = parse_root(c, json_object_get(o, "root"), s)) < 0)
		return r;
	if ((r = get_str(c, o, "hostname", "config", &s->hostname)) < 0 ||
	    (r = get_str(c, o, "domainname", "config", &s->domainname)) < 0)
		return r;
	if (s->hostname && strlen(s->hostname) > 64)
		return fail(c, "hostname: longer than 64 bytes");
	if ((v = json_object_get(o, "mounts")) && !json_is_null(v) &&
	    (r = parse_mounts(c, v, s)) < 0)
		return r;
	if ((v = json_object_get(o, "linux")) && !json_is_null(v) &&
	    (r = parse_linux(c, v, s)) < 0)
		return r;
	if ((v = json_object_get(o, "annotations")) && !json_is_null(v) &&
	    (r = parse_kv(c, v, "annotations", &s->annotations, &s->n_annotations)) < 0)
		return r;
	if ((v = json_object_get(o, "hooks")) && !json_is_null(v) && (r = parse_hooks(c, v, s)) < 0)
		return r;
	note_unknown(c, o, "config", known);
	return 0;
}

int oci_spec_parse(const char *json, size_t len, struct oci_spec **ret, char **ret_error)
{
	struct pctx c = { 0 };
	struct oci_spec *s;
	json_error_t jerr;
	json_t *root;
	int r;

	*ret_error = NULL;
	if (len > SPEC_MAX_BYTES) {
		*ret_error = strdup("config.json: larger than 4 MiB");
		return -EINVAL;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (asprintf(ret_error, "config.json: line %d: %s", jerr.line, jerr.text) < 0)
			*ret_error = NULL;
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		json_decref(root);
		return -ENOMEM;
	}
	s->resources = (struct oci_resources){ .memory_limit = -1, .memory_swap = -1,
					       .cpu_quota = -1, .pids_limit = -1 };
	r = parse_top(&c, root, s);
	json_decref(root);
	s->ignored = c.ignored;
	c.ignored = NULL;
	if (r == 0 && c.oom)
		r = -ENOMEM;
	if (r < 0) {
		oci_spec_free(s);
		*ret_error = c.error;
		return r;
	}
	free(c.error);
	*ret = s;
	return 0;
}

int oci_spec_load(const char *bundle, struct oci_spec **ret, char **ret_error)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	*ret_error = NULL;
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (asprintf(ret_error, "%s: %s", path, strerror(e)) < 0)
			*ret_error = NULL;
		return -e;
	}
	buf = malloc(SPEC_MAX_BYTES + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + len, SPEC_MAX_BYTES + 1 - len);

		if (n < 0)
			return -errno;
		if (n == 0 || (len += (size_t)n) > SPEC_MAX_BYTES)
			break;
	}
	return oci_spec_parse(buf, len, ret, ret_error);
}

static void kv_free(struct oci_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void oci_spec_free(struct oci_spec *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->process.additional_gids);
	strv_free(s->process.args);
	strv_free(s->process.env);
	free(s->process.cwd);
	free(s->process.rlimits);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		free(s->mounts[i].data);
	}
	free(s->mounts);
	free(s->netns_path);
	free(s->uid_mappings);
	free(s->gid_mappings);
	kv_free(s->sysctl, s->n_sysctl);
	strv_free(s->masked_paths);
	strv_free(s->readonly_paths);
	kv_free(s->annotations, s->n_annotations);
	for (int k = 0; k < OCI_HOOK_NKINDS; k++) {
		for (size_t i = 0; i < s->hooks[k].n; i++) {
			free(s->hooks[k].v[i].path);
			strv_free(s->hooks[k].v[i].args);
			strv_free(s->hooks[k].v[i].env);
		}
		free(s->hooks[k].v);
	}
	strv_free(s->ignored);
	free(s);
}
