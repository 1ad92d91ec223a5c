/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/init/pid1.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/macro.h"
#include "platform/platform.h"
#include "runtime/init/init_image.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"

#define INIT_NAME "/cvisor-init"

int init_pid1_create(struct kernel *k, struct plat *p, const char *const *argv,
		     const char *const *envp, struct task **ret)
{
	_cleanup_free_ const char **v = NULL;
	struct plat_as *as = NULL;
	struct loader_image li;
	struct task *t = NULL;
	size_t n = 0;
	int r;

	while (argv[n])
		n++;
	if (n == 0)
		return -EINVAL;
	v = calloc(n + 2, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[0] = INIT_NAME;
	for (size_t i = 0; i < n; i++)
		v[i + 1] = argv[i];
	r = plat_as_create(p, &as);
	if (r < 0)
		return r;
	r = loader_load(as, cvisor_init_image, cvisor_init_image_size(), v, envp, &li);
	if (r == 0)
		r = task_create_init(k, as, li.entry, li.sp, li.image_start, li.brk_start, &t);
	if (r < 0) {
		plat_as_destroy(as);
		return r;
	}
	/* the thread group owns @as now */
	task_set_program(t->tg, INIT_NAME, v);
	task_set_environ(t->tg, envp);
	task_set_auxv(t->tg, li.auxv, li.auxv_n);
	(void)mm_set_image(t->tg->mm, &li, INIT_NAME, 0, 0); /* /proc/1/maps */
	*ret = t;
	return 0;
}
