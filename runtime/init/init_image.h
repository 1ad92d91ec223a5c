/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image of cvisor-init (runtime/init/init.c), a minimal pid 1 that runs
 * the program as pid 2, forwards signals to it and reaps orphans.
 */
#ifndef CVISOR_RUNTIME_INIT_IMAGE_H
#define CVISOR_RUNTIME_INIT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

extern const uint8_t cvisor_init_image[];
extern const uint8_t cvisor_init_image_end[];

static inline size_t cvisor_init_image_size(void)
{
	return (size_t)(cvisor_init_image_end - cvisor_init_image);
}

#endif
