/* SPDX-License-Identifier: Apache-2.0 */
#include "kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/timeutil.h"

int kernel_create(struct plat *plat, const struct kernel_opts *opts, struct kernel **ret)
{
	struct kernel *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	k->plat = plat;
	if (opts)
		k->opts = *opts;
	snprintf(k->hostname, sizeof(k->hostname), "%s",
		 k->opts.hostname ? k->opts.hostname : "cvisor");
	k->opts.hostname = k->hostname;
	k->boot_ns = mono_ns();
	k->next_tid = 1;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	*ret = k;
	return 0;
}

void kernel_destroy(struct kernel *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	while (k->ntasks > 0)
		pthread_cond_wait(&k->cond, &k->lock);
	pthread_mutex_unlock(&k->lock);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->cond);
	free(k);
}

int kernel_alloc_tid_locked(struct kernel *k, struct task *t, int32_t *ret)
{
	/* Linux hands out increasing pids and wraps; so do we. */
	for (int i = 0; i < KERNEL_PID_MAX - 1; i++) {
		int32_t tid = k->next_tid;

		k->next_tid = tid + 1 >= KERNEL_PID_MAX ? 2 : tid + 1;
		if (!k->tids[tid] && !k->tgs[tid]) {
			k->tids[tid] = t;
			*ret = tid;
			return 0;
		}
	}
	return -EAGAIN;
}

void kernel_free_tid_locked(struct kernel *k, int32_t tid)
{
	if (tid > 0 && tid < KERNEL_PID_MAX)
		k->tids[tid] = NULL;
}

int kernel_wait_init(struct kernel *k)
{
	int status;

	pthread_mutex_lock(&k->lock);
	while (!k->init_exited)
		pthread_cond_wait(&k->cond, &k->lock);
	status = k->init_status;
	pthread_mutex_unlock(&k->lock);
	return status;
}
