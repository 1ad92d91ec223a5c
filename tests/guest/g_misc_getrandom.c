/* SPDX-License-Identifier: Apache-2.0 */
/* getrandom: sizes and flags only (the bytes themselves are never
 * printed); two draws differ; errors. */
#include "common.h"
#include <sys/random.h>

int main(void)
{
	static unsigned char a[65536], b[65536];
	int zero = 1, all_same = 1;
	long n;

	g_start();
	t_eq("16 bytes", getrandom(a, 16, 0), 16);
	t_eq("0 bytes", getrandom(a, 0, 0), 0);
	t_eq("GRND_NONBLOCK", getrandom(a, 32, GRND_NONBLOCK), 32);
	t_eq("GRND_RANDOM small", getrandom(a, 8, GRND_RANDOM), 8);
	t_eq("GRND_INSECURE", getrandom(a, 8, GRND_INSECURE), 8);
	n = getrandom(a, sizeof(a), 0);
	t_eq("64 KiB at once", n, 65536);
	getrandom(b, sizeof(b), 0);
	t_yes("two 64 KiB draws differ", memcmp(a, b, sizeof(a)) != 0);
	for (size_t i = 0; i < sizeof(a); i++)
		zero &= a[i] == 0;
	t_yes("not all zero", !zero);
	/* every byte value shows up in 64 KiB of random data (p(miss) ~ 1e-106) */
	int seen[256] = { 0 }, distinct = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		seen[a[i]] = 1;
	for (int i = 0; i < 256; i++)
		distinct += seen[i];
	t_eq("distinct byte values", distinct, 256);
	for (size_t i = 1; i < 64; i++)
		all_same &= a[i] == a[0];
	t_yes("not constant", !all_same);

	unsigned char *big = malloc(1 << 20);
	t_eq("1 MiB at once", getrandom(big, 1 << 20, 0), 1 << 20);
	free(big);
	t_err("unknown flag", getrandom(a, 8, 0x100), EINVAL);
	t_err("GRND_RANDOM|GRND_INSECURE", getrandom(a, 8, GRND_RANDOM | GRND_INSECURE), EINVAL);
	t_err("bad buffer", syscall(SYS_getrandom, G_BADPTR, 16, 0), EFAULT);
	return g_finish();
}
