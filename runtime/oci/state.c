/* SPDX-License-Identifier: Apache-2.0 */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"

#define STATE_MAX_BYTES (1u << 20)

static const char *const status_names[] = {
	[OCI_CREATING] = "creating", [OCI_CREATED] = "created", [OCI_RUNNING] = "running",
	[OCI_STOPPED] = "stopped",   [OCI_PAUSED] = "paused",
};

const char *oci_status_name(enum oci_status s)
{
	return (unsigned)s < ARRAY_SIZE(status_names) ? status_names[s] : "unknown";
}

int oci_status_from_name(const char *name, enum oci_status *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
		if (!strcmp(name, status_names[i])) {
			*ret = (enum oci_status)i;
			return 0;
		}
	return -EINVAL;
}

int oci_id_valid(const char *id)
{
	size_t n;

	if (!id)
		return -EINVAL;
	n = strlen(id);
	if (n == 0 || n > OCI_ID_MAX || !strcmp(id, ".") || !strcmp(id, ".."))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '+' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

int oci_state_path(const char *root, const char *id, const char *name, char *buf, size_t len)
{
	int n;

	if (oci_id_valid(id) < 0)
		return -EINVAL;
	if (name)
		n = snprintf(buf, len, "%s/%s/%s", root, id, name);
	else
		n = snprintf(buf, len, "%s/%s", root, id);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* mkdir -p of @path with mode 0700 for what it creates. */
static int mkdir_p(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return neg_errno();
		*p = '/';
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return neg_errno();
	return 0;
}

int oci_state_mkdir(const char *root, const char *id)
{
	char path[4096];
	int r = oci_state_path(root, id, NULL, path, sizeof(path));

	if (r < 0)
		return r;
	r = mkdir_p(root);
	if (r < 0)
		return r;
	if (mkdir(path, 0700) < 0)
		return neg_errno();
	return 0;
}

int oci_state_lock(const char *root, const char *id)
{
	char path[4096];
	_cleanup_close_ int fd = -EBADF;
	int r = oci_state_path(root, id, "lock", path, sizeof(path));
	struct stat st;

	if (r < 0)
		return r;
	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return errno == ENOENT ? -ENOENT : neg_errno();
		if (fcntl(fd, F_SETLKW, &(struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET }) < 0)
			return neg_errno();
		/* a `delete` may have removed the directory while we waited */
		if (fstat(fd, &st) < 0)
			return neg_errno();
		if (st.st_nlink > 0)
			return TAKE_FD(fd);
		fd = safe_close(fd);
		/* unlinked: the container is gone (or re-created: retry once more) */
		if (access(path, F_OK) < 0)
			return -ENOENT;
	}
}

static int set_str(json_t *o, const char *key, const char *v)
{
	if (!v)
		return 0;
	return json_object_set_new(o, key, json_string(v)) < 0 ? -ENOMEM : 0;
}

static json_t *annotations_json(const struct oci_state *s)
{
	json_t *a = json_object();

	for (size_t i = 0; a && i < s->n_annotations; i++)
		if (json_object_set_new(a, s->annotations[i].key,
					json_string(s->annotations[i].value)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The OCI fields, shared by the public state and state.json. */
static json_t *state_public(const struct oci_state *s)
{
	json_t *o = json_object(), *a;
	int r = 0;

	if (!o)
		return NULL;
	r |= set_str(o, "ociVersion", "1.0.2");
	r |= set_str(o, "id", s->id);
	r |= json_object_set_new(o, "pid", json_integer(s->pid)) < 0 ? -ENOMEM : 0;
	r |= set_str(o, "status", oci_status_name(s->status));
	r |= set_str(o, "bundle", s->bundle);
	r |= set_str(o, "rootfs", s->rootfs);
	r |= set_str(o, "created", s->created);
	r |= set_str(o, "owner", s->owner ? s->owner : "");
	a = annotations_json(s);
	if (!a || json_object_set_new(o, "annotations", a) < 0)
		r = -ENOMEM;
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *oci_state_to_json(const struct oci_state *s)
{
	json_t *o = state_public(s);
	char *out;

	if (!o)
		return NULL;
	/* as runc: a stopped container has no process */
	if (s->status == OCI_STOPPED && json_object_set_new(o, "pid", json_integer(0)) < 0) {
		json_decref(o);
		return NULL;
	}
	out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return out;
}

int oci_state_save(const char *root, const struct oci_state *s)
{
	char path[4096], tmp[4096];
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -EBADF;
	json_t *o = state_public(s);
	size_t len;
	int r;

	if (!o)
		return -ENOMEM;
	r = 0;
	r |= set_str(o, "controlSocket", s->control_path);
	r |= set_str(o, "cgroup", s->cgroup);
	r |= json_object_set_new(o, "sandboxPid", json_integer(s->sandbox_pid));
	r |= json_object_set_new(o, "sandboxStartTime", json_integer((json_int_t)s->sandbox_start));
	r |= json_object_set_new(o, "started", json_boolean(s->started));
	if (s->has_exit)
		r |= json_object_set_new(o, "exitStatus", json_integer(s->exit_status));
	r |= json_object_set_new(o, "oomKilled", json_boolean(s->oom_killed));
	if (r) {
		json_decref(o);
		return -ENOMEM;
	}
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return -ENOMEM;
	if ((r = oci_state_path(root, s->id, "state.json", path, sizeof(path))) < 0 ||
	    (r = oci_state_path(root, s->id, "state.json.tmp", tmp, sizeof(tmp))) < 0)
		return r;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return neg_errno();
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		r = errno ? neg_errno() : -EIO;
		unlink(tmp);
		return r;
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		r = neg_errno();
		unlink(tmp);
		return r;
	}
	return 0;
}

/* Optional string: NULL when absent; -EINVAL when not a string. */
static int dup_str(json_t *o, const char *key, char **ret)
{
	json_t *v = json_object_get(o, key);

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	*ret = strdup(json_string_value(v));
	return *ret ? 0 : -ENOMEM;
}

int oci_state_load(const char *root, const char *id, struct oci_state **ret)
{
	char path[4096];
	json_error_t jerr;
	struct oci_state *s;
	json_t *o, *v, *a;
	const char *key;
	int r = oci_state_path(root, id, "state.json", path, sizeof(path));

	if (r < 0)
		return r;
	o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		if (access(path, F_OK) < 0)
			return -ENOENT;
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		json_decref(o);
		return -ENOMEM;
	}
	r = -EINVAL;
	if (!json_is_object(o))
		goto out;
	if (dup_str(o, "id", &s->id) < 0 || !s->id || strcmp(s->id, id))
		goto out;
	v = json_object_get(o, "status");
	if (!json_is_string(v) || oci_status_from_name(json_string_value(v), &s->status) < 0)
		goto out;
	v = json_object_get(o, "pid");
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
		goto out;
	s->pid = (pid_t)json_integer_value(v);
	v = json_object_get(o, "sandboxPid");
	if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= INT32_MAX)
		s->sandbox_pid = (pid_t)json_integer_value(v);
	v = json_object_get(o, "sandboxStartTime");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		s->sandbox_start = (uint64_t)json_integer_value(v);
	if (dup_str(o, "bundle", &s->bundle) < 0 || dup_str(o, "rootfs", &s->rootfs) < 0 ||
	    dup_str(o, "created", &s->created) < 0 || dup_str(o, "owner", &s->owner) < 0 ||
	    dup_str(o, "controlSocket", &s->control_path) < 0 ||
	    dup_str(o, "cgroup", &s->cgroup) < 0)
		goto out;
	s->started = json_is_true(json_object_get(o, "started"));
	s->oom_killed = json_is_true(json_object_get(o, "oomKilled"));
	v = json_object_get(o, "exitStatus");
	if (json_is_integer(v)) {
		s->has_exit = true;
		s->exit_status = (int)json_integer_value(v);
	}
	a = json_object_get(o, "annotations");
	if (a && json_is_object(a) && json_object_size(a) > 0) {
		s->annotations = calloc(json_object_size(a), sizeof(*s->annotations));
		if (!s->annotations) {
			r = -ENOMEM;
			goto out;
		}
		json_object_foreach(a, key, v) {
			struct oci_state_kv *kv = &s->annotations[s->n_annotations];

			if (!json_is_string(v))
				goto out;
			kv->key = strdup(key);
			kv->value = strdup(json_string_value(v));
			s->n_annotations++;
			if (!kv->key || !kv->value) {
				r = -ENOMEM;
				goto out;
			}
		}
	}
	r = 0;
	*ret = TAKE_PTR(s);
out:
	json_decref(o);
	oci_state_free(s);
	return r;
}

int oci_state_remove(const char *root, const char *id)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	int r = oci_state_path(root, id, NULL, path, sizeof(path)), dfd;

	if (r < 0)
		return r;
	d = opendir(path);
	if (!d)
		return neg_errno();
	dfd = dirfd(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dfd, e->d_name, 0) < 0 && errno != ENOENT)
			r = neg_errno();
	}
	closedir(d);
	if (r < 0)
		return r;
	if (rmdir(path) < 0)
		return neg_errno();
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void oci_state_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

int oci_state_list(const char *root, char ***ret_ids, size_t *ret_n)
{
	DIR *d = opendir(root);
	struct dirent *e;
	char **ids = NULL;
	size_t n = 0;

	if (!d) {
		if (errno != ENOENT)
			return neg_errno();
		*ret_ids = NULL;
		*ret_n = 0;
		return 0;
	}
	while ((e = readdir(d))) {
		char **nv;

		if (oci_id_valid(e->d_name) < 0)
			continue;
		nv = realloc(ids, (n + 1) * sizeof(*ids));
		if (!nv || !(nv[n] = strdup(e->d_name))) {
			closedir(d);
			oci_state_ids_free(nv ? nv : ids, n);
			return -ENOMEM;
		}
		ids = nv;
		n++;
	}
	closedir(d);
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_str);
	*ret_ids = ids;
	*ret_n = n;
	return 0;
}

int oci_pid_start_time(pid_t pid, uint64_t *ret)
{
	char path[64], buf[1024], *p;
	_cleanup_close_ int fd = -EBADF;
	unsigned long long start;
	char state;
	ssize_t n;

	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -ESRCH;
	buf[n] = 0;
	/* comm may contain spaces and parentheses: parse after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	/* fields from 3 on: state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime(22) */
	if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu",
		   &state, &start) != 2)
		return -EIO;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	*ret = start;
	return 0;
}

void oci_state_free(struct oci_state *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s->control_path);
	free(s->cgroup);
	for (size_t i = 0; i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	free(s);
}
