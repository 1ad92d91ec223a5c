/* SPDX-License-Identifier: Apache-2.0 */
/* server/: hostile-input parsing that needs no sandbox — exec bodies, pool
 * bodies, config files, tokens (constant-time check, token file), and the
 * UTF-8 repair of program output. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "server/srv.h"

static struct srv_limits lim(void)
{
	struct srv_config c;

	srv_config_defaults(&c);
	return c.lim;
}

static int parse(const char *js, struct srv_exec_req *r, const char **err)
{
	json_t *j = json_loads(js, JSON_ALLOW_NUL, NULL);
	struct srv_limits l = lim();
	int e;

	assert_non_null(j);
	l.max_argv = 64;
	e = srv_exec_parse(j, &l, r, err);
	json_decref(j);
	return e;
}

static void test_exec_parse(void **state)
{
	struct srv_exec_req r;
	const char *err = NULL;

	assert_int_equal(parse("{\"argv\":[\"echo\",\"hi\"],\"env\":[\"A=1\"],\"cwd\":\"/tmp\","
			       "\"user\":\"1000:100\",\"stdin\":\"x\",\"timeout_ms\":5}",
			       &r, &err),
			 0);
	assert_string_equal(r.argv[0], "echo");
	assert_string_equal(r.argv[1], "hi");
	assert_null(r.argv[2]);
	assert_string_equal(r.env[0], "A=1");
	assert_string_equal(r.cwd, "/tmp");
	assert_int_equal(r.uid, 1000);
	assert_int_equal(r.gid, 100);
	assert_int_equal(r.stdin_len, 1);
	assert_int_equal(r.timeout_ms, 5);
	srv_exec_req_clear(&r);

	assert_int_equal(parse("{\"argv\":[\"env\"],\"env\":{\"K\":\"V\"},\"user\":\"nobody\"}", &r, &err), 0);
	assert_string_equal(r.env[0], "K=V");
	assert_int_equal(r.uid, 65534);
	assert_int_equal(r.timeout_ms, lim().exec_timeout_ms);
	srv_exec_req_clear(&r);

	assert_int_equal(parse("{\"argv\":[\"x\"],\"timeout_ms\":99999999999}", &r, &err), 0);
	assert_int_equal(r.timeout_ms, lim().max_exec_timeout_ms); /* clamped */
	srv_exec_req_clear(&r);

	static const char *const bad[] = {
		"{}", "{\"argv\":[]}", "{\"argv\":[\"\"]}", "{\"argv\":\"sh\"}", "{\"argv\":[1]}",
		"{\"argv\":[\"a\\u0000b\"]}", "{\"argv\":[\"x\"],\"env\":[\"NOEQ\"]}",
		"{\"argv\":[\"x\"],\"env\":[\"=x\"]}", "{\"argv\":[\"x\"],\"env\":{\"K\":1}}",
		"{\"argv\":[\"x\"],\"cwd\":\"rel\"}", "{\"argv\":[\"x\"],\"user\":\"-1\"}",
		"{\"argv\":[\"x\"],\"user\":\"1:x\"}", "{\"argv\":[\"x\"],\"user\":70000}",
		"{\"argv\":[\"x\"],\"stdin\":5}", "{\"argv\":[\"x\"],\"timeout_ms\":0}",
		"{\"argv\":[\"x\"],\"timeout_ms\":\"1\"}", "[\"x\"]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0, sizeof(r));
		err = NULL;
		if (parse(bad[i], &r, &err) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(err);
		assert_null(r.argv); /* out-param untouched */
	}
	/* Over max_argv (64 bytes in these tests). */
	assert_int_equal(parse("{\"argv\":[\"0123456789012345678901234567890123456789\","
			       "\"0123456789012345678901234567890123456789\"]}",
			       &r, &err),
			 -E2BIG);
}

static void test_pool_json(void **state)
{
	struct pool_config c;
	const char *err;
	json_t *j = json_loads("{\"name\":\"bb\",\"rootfs\":\"/srv/r\",\"min_ready\":2,"
			       "\"max_total\":4,\"idle_ttl\":30,\"platform\":\"ptrace\","
			       "\"network\":\"host\"}",
			       0, NULL);

	assert_int_equal(srv_pool_from_json(j, PLAT_SYSTRAP, &c, &err), 0);
	assert_string_equal(c.name, "bb");
	assert_string_equal(c.rootfs, "/srv/r");
	assert_int_equal(c.min_ready, 2);
	assert_int_equal(c.max_total, 4);
	assert_int_equal(c.idle_ttl_seconds, 30);
	assert_int_equal(c.platform, PLAT_PTRACE);
	assert_int_equal(c.network, SANDBOX_NET_HOST);
	free(c.rootfs);
	json_decref(j);
	/* the default is none */
	j = json_loads("{\"name\":\"bb\",\"rootfs\":\"/\"}", 0, NULL);
	assert_int_equal(srv_pool_from_json(j, PLAT_SYSTRAP, &c, &err), 0);
	assert_int_equal(c.network, SANDBOX_NET_NONE);
	free(c.rootfs);
	json_decref(j);

	/* snapshot templates: the id is kept for the server to resolve; the
	 * platform is the snapshot's unless given */
	static const char *const snaps[] = {
		"{\"name\":\"s\",\"template\":{\"snapshot\":\"0123456789abcdef\"}}",
		"{\"name\":\"s\",\"snapshot\":\"0123456789abcdef\"}",
	};
	for (size_t i = 0; i < sizeof(snaps) / sizeof(snaps[0]); i++) {
		j = json_loads(snaps[i], 0, NULL);
		assert_int_equal(srv_pool_from_json(j, PLAT_SYSTRAP, &c, &err), 0);
		assert_null(c.rootfs);
		assert_null(c.image);
		assert_string_equal(c.snapshot, "0123456789abcdef");
		assert_int_equal(c.platform, (enum plat_kind)-1);
		srv_pool_config_free(&c);
		json_decref(j);
	}
	j = json_loads("{\"name\":\"s\",\"snapshot\":\"x\",\"platform\":\"ptrace\"}", 0, NULL);
	assert_int_equal(srv_pool_from_json(j, PLAT_SYSTRAP, &c, &err), 0);
	assert_int_equal(c.platform, PLAT_PTRACE);
	srv_pool_config_free(&c);
	json_decref(j);
	j = json_loads("{\"name\":\"s\",\"template\":{\"rootfs\":\"/r\"}}", 0, NULL);
	assert_int_equal(srv_pool_from_json(j, PLAT_SYSTRAP, &c, &err), 0);
	assert_string_equal(c.rootfs, "/r");
	assert_null(c.snapshot);
	srv_pool_config_free(&c);
	json_decref(j);

	static const char *const bad[] = {
		"{\"name\":\"a\",\"rootfs\":\"/\",\"snapshot\":\"0123456789abcdef\"}",
		"{\"name\":\"a\",\"rootfs\":\"/\",\"template\":\"/\"}",
		"{\"name\":\"a\",\"template\":{\"snapshot\":\"x\",\"rootfs\":\"/\"}}",
		"{\"name\":\"a\",\"template\":{}}",
		"{\"name\":\"a\",\"template\":{\"image\":\"/\"}}",
		"{\"name\":\"a\",\"template\":{\"snapshot\":null}}",
		"{\"name\":\"a\",\"template\":{\"rootfs\":\"r\"}}",
		"{\"name\":\"a\",\"template\":7}",
		"{\"name\":\"a\",\"snapshot\":\"\"}",
		"{\"name\":\"a\",\"snapshot\":7}",
		"{\"name\":\"a\",\"snapshot\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefX\"}",
		"{\"rootfs\":\"/\"}", "{\"name\":\"UP\",\"rootfs\":\"/\"}",
		"{\"name\":\"a\"}", "{\"name\":\"a\",\"rootfs\":\"r\"}",
		"{\"name\":\"a\",\"rootfs\":\"/\",\"min_ready\":-1}",
		"{\"name\":\"a\",\"rootfs\":\"/\",\"min_ready\":\"2\"}",
		"{\"name\":\"a\",\"rootfs\":\"/\",\"min_ready\":3,\"max_total\":2}",
		"{\"name\":\"a\",\"rootfs\":\"/\",\"platform\":\"kvm9\"}",
		"{\"name\":\"a\",\"rootfs\":\"/\",\"network\":\"bridge\"}",
		"{\"name\":\"a\",\"rootfs\":\"/\",\"network\":1}",
		"{\"name\":\"a\",\"rootfs\":\"/\",\"network\":\"\"}",
		"{\"name\":\"a\",\"rootfs\":\"/\",\"extra\":1}", "[]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = json_loads(bad[i], 0, NULL);
		assert_non_null(j);
		err = NULL;
		if (srv_pool_from_json(j, PLAT_SYSTRAP, &c, &err) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(err);
		json_decref(j);
	}
}

static void test_tokens(void **state)
{
	struct srv_config c;

	srv_config_defaults(&c);
	assert_int_equal(srv_config_add_token(&c, "short"), -EINVAL);
	assert_int_equal(srv_config_add_token(&c, "0123456789abcdef"), 0);
	assert_int_equal(srv_config_add_token(&c, "another-token-abcdefgh"), 0);
	assert_true(srv_token_ok(&c, "0123456789abcdef"));
	assert_true(srv_token_ok(&c, "another-token-abcdefgh"));
	assert_false(srv_token_ok(&c, "0123456789abcde"));   /* prefix */
	assert_false(srv_token_ok(&c, "0123456789abcdef0")); /* longer */
	assert_false(srv_token_ok(&c, "0123456789abcdeF"));
	assert_false(srv_token_ok(&c, ""));
	srv_config_clear(&c);
	srv_config_defaults(&c);
	assert_false(srv_token_ok(&c, "")); /* no token configured: nothing passes */
	srv_config_clear(&c);
}

static void test_token_file(void **state)
{
	char dir[] = "/tmp/cvsrvt.XXXXXX", *path = NULL, *path2 = NULL;
	struct srv_config c, d;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	srv_config_defaults(&c);
	c.state_dir = strdup(dir);
	assert_int_equal(srv_token_file(&c, &path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(c.ntokens, 1);
	assert_int_equal(strlen(c.tokens[0]), 64);
	/* A second start reads the same token. */
	srv_config_defaults(&d);
	d.state_dir = strdup(dir);
	assert_int_equal(srv_token_file(&d, &path2), 0);
	assert_string_equal(c.tokens[0], d.tokens[0]);
	unlink(path);
	rmdir(dir);
	free(path);
	free(path2);
	srv_config_clear(&c);
	srv_config_clear(&d);
}

static void test_config_file(void **state)
{
	char f[] = "/tmp/cvsrvc.XXXXXX";
	char err[256];
	struct srv_config c;
	int fd = mkstemp(f);
	const char *js = "{\"rest\":\"127.0.0.1:9000\",\"tokens\":[\"tok-0123456789abcdef\"],"
			 "\"limits\":{\"max_body_bytes\":1000,\"max_inflight\":3},"
			 "\"pools\":[{\"name\":\"p1\",\"rootfs\":\"/\",\"min_ready\":1}]}";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, js, strlen(js)), (ssize_t)strlen(js));
	close(fd);
	srv_config_defaults(&c);
	assert_int_equal(srv_config_load(&c, f, err, sizeof(err)), 0);
	assert_string_equal(c.rest, "127.0.0.1:9000");
	assert_true(srv_token_ok(&c, "tok-0123456789abcdef"));
	assert_int_equal(c.lim.max_body, 1000);
	assert_int_equal(c.lim.max_inflight, 3);
	assert_int_equal(c.npools, 1);
	assert_string_equal(c.pools[0].name, "p1");
	srv_config_clear(&c);

	fd = open(f, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "{\"pools\":[{\"name\":\"X\"}]}", 24), 24);
	close(fd);
	srv_config_defaults(&c);
	assert_int_equal(srv_config_load(&c, f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "pools[0]"));
	srv_config_clear(&c);
	fd = open(f, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "{\"rest\":", 8), 8);
	close(fd);
	srv_config_defaults(&c);
	assert_int_equal(srv_config_load(&c, f, err, sizeof(err)), -EINVAL);
	srv_config_clear(&c);
	unlink(f);
}

static void test_json_bytes(void **state)
{
	json_t *j = srv_json_bytes("h\xc3\xa9llo", 6);

	assert_string_equal(json_string_value(j), "h\xc3\xa9llo");
	json_decref(j);
	/* Invalid bytes become U+FFFD; a NUL stays (jansson keeps the length). */
	j = srv_json_bytes("a\xff" "b\xc3", 4);
	assert_string_equal(json_string_value(j), "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	json_decref(j);
	j = srv_json_bytes("a\0b", 3);
	assert_int_equal(json_string_length(j), 3);
	json_decref(j);
	j = srv_json_bytes("\xed\xa0\x80", 3); /* a surrogate: invalid */
	assert_int_equal(json_string_length(j), 9);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_parse), cmocka_unit_test(test_pool_json),
		cmocka_unit_test(test_tokens),     cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_config_file), cmocka_unit_test(test_json_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
