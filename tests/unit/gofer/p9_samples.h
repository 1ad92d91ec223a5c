/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One filled-in sample of every 9P2000.L message type (T and R), for the
 * codec tests and to seed the fuzzer's corpus.
 */
#ifndef CVISOR_TESTS_P9_SAMPLES_H
#define CVISOR_TESTS_P9_SAMPLES_H

#include <stddef.h>

#include "gofer/p9.h"

/* Number of samples; p9_sample(i) fills *m with sample i (0 <= i < n). */
size_t p9_sample_count(void);
void p9_sample(size_t i, struct p9_msg *m);

#endif
