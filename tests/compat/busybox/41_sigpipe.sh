# SIGPIPE and large pipe transfers.
(yes; echo "yes status $?" >&2) 2>status | head -n 2
cat status
(seq 1 1000000; echo "seq status $?" >&2) 2>status | head -n 1
cat status
head -c 10000000 /dev/zero | cat | cat | wc -c
sh -c 'trap "" PIPE; yes 2>/dev/null; echo "ignored pipe status $?" >&2' 2>status | head -c 1 >/dev/null
cat status
seq 1 100000 | sort -rn | head -n 1
dd if=/dev/zero bs=65536 count=16 2>/dev/null | md5sum
