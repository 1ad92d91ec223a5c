/* SPDX-License-Identifier: Apache-2.0 */
/* limits_memhog MIB: allocate and touch MIB MiB, one MiB at a time, then
 * print "allocated MIB MiB" and exit 0 (a guest of limits.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 0;

	for (long i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);

		if (!p) {
			printf("malloc failed after %ld MiB\n", i);
			return 1;
		}
		memset(p, (int)(i & 0xff) | 1, 1 << 20);
	}
	printf("allocated %ld MiB\n", mib);
	return 0;
}
