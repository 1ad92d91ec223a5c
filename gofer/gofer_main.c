/* SPDX-License-Identifier: Apache-2.0 */
#include "gofer.h"

#include <stdio.h>

int gofer_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "cvisor gofer: not implemented yet (issue 3)\n");
	return 2;
}
