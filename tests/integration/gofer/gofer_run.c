/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-alone `cvisor gofer` for the tests: the same gofer_main() that the
 * cvisor binary calls, without depending on the runtime.
 */
#include "gofer/gofer.h"

int main(int argc, char **argv)
{
	return gofer_main(argc, argv);
}
