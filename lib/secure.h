/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confinement steps shared by the Gofer and the Sentry.
 *
 *   sec_chroot_empty()  chroot into a fresh, empty, read-only 4 KiB tmpfs
 *                       that is attached nowhere (the mount namespace must
 *                       be private and the caller able to mount).
 *   sec_caps_limit()    keep only @keep of the permitted capabilities:
 *                       ambient cleared, the bounding set reduced to @keep,
 *                       (whether permitted or not),
 *                       effective = permitted = what is kept, inheritable
 *                       empty, then no_new_privs.  Without CAP_SETPCAP the
 *                       bounding set is left alone unless @must_bound (then
 *                       the drop fails with EPERM).
 * Both return 0 or a negative errno.
 */
#ifndef CVISOR_LIB_SECURE_H
#define CVISOR_LIB_SECURE_H

#include <stdbool.h>
#include <stdint.h>

int sec_chroot_empty(void);
int sec_caps_limit(uint64_t keep, bool must_bound);

#endif
