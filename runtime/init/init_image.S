/* SPDX-License-Identifier: Apache-2.0 */
/* The cvisor-init executable (init.c), embedded: cvisor_init_image[] up to
 * cvisor_init_image_end (runtime/init/init_image.h). */
#define STR_(x) #x
#define STR(x) STR_(x)
	.section .rodata
	.balign 16
	.globl cvisor_init_image
	.globl cvisor_init_image_end
cvisor_init_image:
	.incbin STR(CVISOR_INIT_PATH)
cvisor_init_image_end:
	.section .note.GNU-stack, "", @progbits
