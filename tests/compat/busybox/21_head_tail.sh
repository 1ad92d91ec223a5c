# head and tail: -n, -c, +N, multiple files.
seq 1 100 > n
head n | tr '\n' ' '; echo
head -n 3 n
head -n -97 n
tail -n 2 n
tail -n +98 n
tail -c 7 n
head -c 5 n; echo
seq 1 3 > m
head -n 1 n m
tail -n 1 n m
seq 1 100000 | tail -n 1
seq 1 100000 | head -n 100000 | tail -c 7
tail -f /dev/null & p=$!
kill $p; wait $p 2>/dev/null; echo "tail -f status $?"
