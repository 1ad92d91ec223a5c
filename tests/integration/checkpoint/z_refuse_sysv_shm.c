/* SPDX-License-Identifier: Apache-2.0 */
/* System V shared memory is not saved yet: with a segment attached the
 * checkpoint is refused, and the process goes on with its segment. */
#include <sys/ipc.h>
#include <sys/shm.h>

#include "zdtm.h"

int main(void)
{
	int id;
	char *m;

	zd_init();
	id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	m = id < 0 ? (char *)-1 : shmat(id, NULL, 0);
	if (m == (char *)-1)
		return zd_say("FAIL: shmget/shmat\n"), 1;
	memcpy(m, "sysv", 4);
	zd_ready();
	zd_wait_go();
	zd_check(!memcmp(m, "sysv", 4), "the segment");
	zd_check(shmdt(m) == 0 && shmctl(id, IPC_RMID, NULL) == 0, "shmdt/IPC_RMID");
	return zd_finish();
}
