/* SPDX-License-Identifier: Apache-2.0 */
/* /dev/full, /dev/urandom, /dev/random: lengths and errors only. */
#include "common.h"
#include <poll.h>
#include <sys/sysmacros.h>

static void devno(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		say("%s: %s\n", path, ename(errno));
		g_failures++;
		return;
	}
	say("%s: chr %s %u:%u\n", path, S_ISCHR(st.st_mode) ? "yes" : "no", major(st.st_rdev),
	    minor(st.st_rdev));
}

int main(void)
{
	static unsigned char a[65536], b[65536];
	int full, ur, r, ok = 1;
	struct pollfd p;

	g_start();
	devno("/dev/full");
	devno("/dev/urandom");
	devno("/dev/random");

	full = open("/dev/full", O_RDWR);
	t_err("write /dev/full", write(full, "x", 1), ENOSPC);
	t_err("zero-length write /dev/full: ENOSPC too", write(full, "", 0), ENOSPC);
	memset(a, 1, 100);
	t_eq("read /dev/full gives zeros", read(full, a, 100), 100);
	for (int i = 0; i < 100; i++)
		ok &= a[i] == 0;
	t_yes("zeros", ok);
	t_eq("lseek /dev/full", lseek(full, 10, SEEK_SET), 0);

	ur = open("/dev/urandom", O_RDONLY);
	t_eq("read 64 KiB of urandom", read(ur, a, sizeof(a)), 65536);
	t_eq("read 1 byte", read(ur, b, 1), 1);
	t_eq("read 0 bytes", read(ur, b, 0), 0);
	read(ur, b, sizeof(b));
	t_yes("two reads differ", memcmp(a, b, sizeof(a)) != 0);
	t_err("read urandom into a bad buffer", read(ur, G_BADPTR, 8), EFAULT);
	int w = open("/dev/urandom", O_WRONLY);
	t_eq("writing to urandom mixes in, returns the count", write(w, "seed", 4), 4);

	r = open("/dev/random", O_RDONLY | O_NONBLOCK);
	t_eq("nonblocking /dev/random read (pool initialised)", read(r, a, 32), 32);
	p = (struct pollfd){ r, POLLIN, 0 };
	t_eq("/dev/random polls readable", poll(&p, 1, 0), 1);
	p = (struct pollfd){ ur, POLLIN, 0 };
	t_eq("/dev/urandom polls readable", poll(&p, 1, 0), 1);
	return g_finish();
}
