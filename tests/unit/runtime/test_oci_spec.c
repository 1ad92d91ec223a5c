/* SPDX-License-Identifier: Apache-2.0 */
/* config.json parsing (runtime/oci/spec.c): the default spec, every field
 * kind, and errors that name the field. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "runtime/oci/spec.h"

static struct oci_spec *parse_ok(const char *json)
{
	struct oci_spec *s = NULL;
	char *err = NULL;
	int r = oci_spec_parse(json, strlen(json), &s, &err);

	if (r != 0)
		fail_msg("parse failed: %s", err ? err : "?");
	free(err);
	return s;
}

/* Parse must fail with an error mentioning @field. */
static void parse_bad(const char *json, const char *field)
{
	struct oci_spec *s = NULL;
	char *err = NULL;
	int r = oci_spec_parse(json, strlen(json), &s, &err);

	assert_int_equal(r, -EINVAL);
	assert_null(s);
	assert_non_null(err);
	if (!strstr(err, field))
		fail_msg("error \"%s\" does not name %s", err, field);
	free(err);
}

static void test_default(void **state)
{
	char *json = oci_spec_default_json();
	struct oci_spec *s;

	(void)state;
	s = parse_ok(json);
	assert_string_equal(s->oci_version, "1.0.2");
	assert_true(s->has_process);
	assert_string_equal(s->process.args[0], "sh");
	assert_null(s->process.args[1]);
	assert_string_equal(s->process.cwd, "/");
	assert_string_equal(s->root_path, "rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "cvisor");
	assert_int_equal(s->n_mounts, 7);
	assert_string_equal(s->mounts[0].destination, "/proc");
	assert_int_equal(s->mounts[1].flags & (MS_NOSUID | MS_STRICTATIME),
			 MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(s->mounts[1].data, "mode=755,size=65536k");
	assert_true(s->mounts[5].flags & MS_RDONLY);
	assert_int_equal(s->namespaces & (OCI_NS_PID | OCI_NS_NETWORK | OCI_NS_USER),
			 OCI_NS_PID | OCI_NS_NETWORK);
	assert_int_equal(s->process.n_rlimits, 1);
	assert_int_equal(s->process.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s->process.rlimits[0].soft, 1024);
	assert_true(s->process.has_caps);
	assert_int_equal(s->process.caps[OCI_CAP_BOUNDING], (1ULL << 29) | (1ULL << 5) | (1ULL << 10));
	assert_true(s->process.no_new_privileges);
	assert_non_null(s->masked_paths);
	assert_string_equal(s->readonly_paths[0], "/proc/bus");
	/* linux.resources.devices is not acted on: listed as ignored */
	assert_non_null(s->ignored);
	assert_string_equal(s->ignored[0], "linux.resources.devices");
	oci_spec_free(s);
	free(json);
}

#define MIN_PROC "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"true\"],\"cwd\":\"/\"}"
#define MIN_ROOT "\"root\":{\"path\":\"r\"}"

static void test_fields(void **state)
{
	struct oci_spec *s;

	(void)state;
	s = parse_ok("{\"ociVersion\":\"1.1.0\"," MIN_ROOT ","
		     "\"process\":{\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,"
		     "\"additionalGids\":[5,6]},\"args\":[\"a\",\"b\"],\"env\":[\"X=1\"],"
		     "\"cwd\":\"/w\",\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
		     "\"oomScoreAdj\":-10},"
		     "\"mounts\":[{\"destination\":\"/data\",\"source\":\"/srv\",\"options\":"
		     "[\"rbind\",\"ro\",\"nosuid\"]}],"
		     "\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
		     "\"resources\":{\"memory\":{\"limit\":1048576},\"cpu\":{\"quota\":50000,"
		     "\"period\":100000},\"pids\":{\"limit\":64}},\"sysctl\":{\"net.x\":\"1\"}},"
		     "\"annotations\":{\"k\":\"v\"},"
		     "\"hooks\":{\"poststart\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],"
		     "\"timeout\":5}]}, \"x-extension\": 1}");
	assert_int_equal(s->process.uid, 1000);
	assert_int_equal(s->process.gid, 100);
	assert_true(s->process.has_umask);
	assert_int_equal(s->process.umask, 022);
	assert_int_equal(s->process.n_additional_gids, 2);
	assert_int_equal(s->process.additional_gids[1], 6);
	assert_string_equal(s->process.env[0], "X=1");
	assert_true(s->process.terminal);
	assert_int_equal(s->process.console_width, 80);
	assert_int_equal(s->process.oom_score_adj, -10);
	assert_true(s->mounts[0].bind && s->mounts[0].recursive);
	assert_int_equal(s->mounts[0].flags & (MS_RDONLY | MS_NOSUID | MS_BIND | MS_REC),
			 MS_RDONLY | MS_NOSUID | MS_BIND | MS_REC);
	assert_null(s->mounts[0].data);
	assert_int_equal(s->n_uid_mappings, 1);
	assert_int_equal(s->uid_mappings[0].host_id, 1000);
	assert_int_equal(s->resources.memory_limit, 1048576);
	assert_int_equal(s->resources.cpu_quota, 50000);
	assert_int_equal(s->resources.pids_limit, 64);
	assert_int_equal(s->resources.memory_swap, -1);
	assert_string_equal(s->sysctl[0].key, "net.x");
	assert_string_equal(s->annotations[0].value, "v");
	assert_int_equal(s->hooks[OCI_HOOK_POSTSTART].n, 1);
	assert_int_equal(s->hooks[OCI_HOOK_POSTSTART].v[0].timeout, 5);
	assert_string_equal(s->ignored[0], "config.x-extension");
	oci_spec_free(s);

	/* no process: fine for a spec (create needs one, the CLI checks) */
	s = parse_ok("{\"ociVersion\":\"1.0.0\"," MIN_ROOT "}");
	assert_false(s->has_process);
	assert_null(s->ignored);
	oci_spec_free(s);
}

static void test_errors(void **state)
{
	(void)state;
	parse_bad("", "config.json");
	parse_bad("[]", "JSON object");
	parse_bad("{\"ociVersion\":\"1.0.0\",\"ociVersion\":\"1.0.0\"," MIN_ROOT "}", "duplicate");
	parse_bad("{\"ociVersion\":\"2.0.0\"," MIN_ROOT "}", "ociVersion");
	parse_bad("{\"ociVersion\":1," MIN_ROOT "}", "ociVersion");
	parse_bad("{\"ociVersion\":\"1.0.0\"}", "root");
	parse_bad("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"\"}}", "root.path");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"process\":{\"user\":{\"uid\":0,"
		  "\"gid\":0},\"args\":[],\"cwd\":\"/\"}}", "process.args");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"process\":{\"user\":{\"uid\":0,"
		  "\"gid\":0},\"args\":[\"x\"],\"cwd\":\"rel\"}}", "process.cwd");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"process\":{\"user\":{\"uid\":-1,"
		  "\"gid\":0},\"args\":[\"x\"],\"cwd\":\"/\"}}", "process.user.uid");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"process\":{\"user\":{\"uid\":0,"
		  "\"gid\":0},\"args\":[\"x\"],\"cwd\":\"/\",\"env\":[\"NOEQUALS\"]}}", "process.env");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"process\":{\"user\":{\"uid\":0,"
		  "\"gid\":0},\"args\":[\"x\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":"
		  "[\"CAP_NOPE\"]}}}", "capabilities.bounding");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"process\":{\"user\":{\"uid\":0,"
		  "\"gid\":0},\"args\":[\"x\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
		  "\"soft\":10,\"hard\":5}]}}", "soft exceeds hard");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"mounts\":[{\"destination\":\"rel\","
		  "\"type\":\"tmpfs\"}]}", "mounts[0].destination");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"mounts\":[{\"destination\":\"/x\"}]}",
		  "mounts[0]");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"linux\":{\"namespaces\":[{\"type\":"
		  "\"pid\"},{\"type\":\"pid\"}]}}", "duplicate");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"linux\":{\"namespaces\":[{\"type\":"
		  "\"bogus\"}]}}", "linux.namespaces[0].type");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"hooks\":{\"prestart\":[{\"path\":"
		  "\"rel\"}]}}", "hooks.prestart[0].path");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"hostname\":\""
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		  "hostname");
	parse_bad("{\"ociVersion\":\"1.0.0\"," MIN_ROOT ",\"process\":{\"user\":{\"uid\":0,"
		  "\"gid\":0},\"args\":[\"a\\u0000b\"],\"cwd\":\"/\"}}", "config.json");
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(oci_cap_from_name("CAP_SYS_ADMIN"), 21);
	assert_int_equal(oci_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(oci_cap_from_name("SYS_ADMIN"), -1);
	assert_int_equal(oci_rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	assert_int_equal(oci_rlimit_from_name("RLIMIT_BOGUS"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
