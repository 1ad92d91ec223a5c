# python3 multiprocessing: Pool (fork), Lock, Value/Array in shared memory,
# POSIX shared_memory and a semaphore (/dev/shm), a Queue between processes
/usr/bin/python3 - <<'PY'
import multiprocessing as mp
from multiprocessing import shared_memory

def square(x):
    return x * x

def add(counter, lock, n):
    for _ in range(n):
        with lock:
            counter.value += 1

if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Pool(2) as p:
        print("pool", p.map(square, range(8)))
        print("starmap", sorted(p.starmap(pow, [(2, 5), (3, 3)])))
    counter, lock = mp.Value("i", 0), mp.Lock()
    ps = [mp.Process(target=add, args=(counter, lock, 200)) for _ in range(3)]
    for x in ps: x.start()
    for x in ps: x.join()
    print("counter", counter.value, [x.exitcode for x in ps])
    arr = mp.Array("d", [1.0, 2.0, 3.0])
    q = mp.Process(target=lambda a: a.__setitem__(0, 42.0), args=(arr,))
    q.start(); q.join()
    print("array", list(arr))
    shm = shared_memory.SharedMemory(create=True, size=16)
    shm.buf[:5] = b"hello"
    other = shared_memory.SharedMemory(name=shm.name)
    print("shm", bytes(other.buf[:5]))
    other.close(); shm.close(); shm.unlink()
    sem = mp.Semaphore(2)
    print("sem", sem.acquire(timeout=1), sem.acquire(timeout=1), sem.acquire(timeout=0.1))
    qu = mp.Queue()
    w = mp.Process(target=qu.put, args=({"k": [1, 2]},))
    w.start(); print("queue", qu.get(timeout=10)); w.join()
PY
