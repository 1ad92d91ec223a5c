# Named pipes: mkfifo, writer/reader in background, blocking open.
mkfifo p
stat -c %F p
(seq 1 5 > p) &
while read l; do echo "from fifo $l"; done < p
wait
(cat p > received) &
echo through fifo > p
wait
cat received
mkfifo q
(exec 3>q; echo first >&3; echo second >&3) &
cat q
wait
[ -p p ] && echo "test -p ok"
rm p q; ls
