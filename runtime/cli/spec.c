/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor spec [--bundle DIR] [--force]`: write a default config.json (as
 * `runc spec` does) into DIR (default: the current directory), refusing to
 * overwrite one unless --force.  The file is checked by our own parser
 * before it is written.
 */
#define LOG_PREFIX "cvisor spec"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "runtime/cli/commands.h"
#include "runtime/oci/spec.h"

int cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *bundle = ".";
	_cleanup_free_ char *json = NULL, *err = NULL;
	_cleanup_close_ int fd = -EBADF;
	struct oci_spec *s = NULL;
	char path[PATH_MAX];
	int c, force = 0;
	size_t len;

	while ((c = getopt_long(argc, argv, "b:f", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			printf("usage: cvisor spec [--bundle DIR] [--force]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: cvisor spec [--bundle DIR] [--force]\n");
		return 2;
	}
	json = oci_spec_default_json();
	if (!json)
		return log_error_errno(-ENOMEM, "out of memory"), 1;
	len = strlen(json);
	if (oci_spec_parse(json, len, &s, &err) < 0)
		return log_error("default spec does not parse: %s", err ? err : "?"), 1;
	oci_spec_free(s);
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return log_error("%s: path too long", bundle), 1;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0)
		return log_error_errno(-errno, "%s", path), 1;
	if (write(fd, json, len) != (ssize_t)len)
		return log_error_errno(-EIO, "write %s", path), 1;
	return 0;
}
