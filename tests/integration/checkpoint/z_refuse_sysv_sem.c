/* SPDX-License-Identifier: Apache-2.0 */
/* System V semaphores are not saved yet: with a set the checkpoint is
 * refused, and the process goes on with it. */
#include <sys/ipc.h>
#include <sys/sem.h>

#include "zdtm.h"

int main(void)
{
	struct sembuf up = { 0, 1, 0 };
	int id;

	zd_init();
	id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (id < 0 || semop(id, &up, 1) < 0)
		return zd_say("FAIL: semget/semop\n"), 1;
	zd_ready();
	zd_wait_go();
	zd_check(semctl(id, 0, GETVAL) == 1, "the semaphore");
	zd_check(semctl(id, 0, IPC_RMID) == 0, "IPC_RMID");
	return zd_finish();
}
