# python3: threads, locks, queues, a thread pool
/usr/bin/python3 - <<'PY'
import threading, queue
from concurrent.futures import ThreadPoolExecutor
total = 0
lock = threading.Lock()
def work(n):
    global total
    for _ in range(1000):
        with lock:
            total += n
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print("total", total)
q = queue.Queue()
def producer():
    for i in range(100):
        q.put(i)
    q.put(None)
threading.Thread(target=producer).start()
s = 0
while (x := q.get()) is not None:
    s += x
print("queue sum", s)
with ThreadPoolExecutor(max_workers=4) as ex:
    print(sorted(ex.map(lambda v: v * v, range(10))))
ev = threading.Event()
threading.Timer(0.05, ev.set).start()
print("event", ev.wait(5))
PY
