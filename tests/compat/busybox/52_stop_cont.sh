# job control signals on a background job: kill -STOP / -CONT (state T in
# /proc, no progress while stopped), TERM held while stopped, trap + wait.
( i=0; while :; do i=$((i+1)); echo $i > count.tmp; mv count.tmp count; sleep 0.02; done ) &
p=$!
while [ ! -s count ]; do sleep 0.01; done
state() { cut -d' ' -f3 /proc/$1/stat; }
kill -STOP $p
for i in $(seq 300); do [ "$(state $p)" = T ] && break; sleep 0.01; done
echo "after STOP: $(state $p)"
c1=$(cat count); sleep 0.2; c2=$(cat count)
[ "$c1" = "$c2" ] && echo "no progress while stopped"
kill -CONT $p
for i in $(seq 300); do [ "$(cat count)" != "$c2" ] && break; sleep 0.01; done
[ "$(cat count)" != "$c2" ] && echo "progress after CONT"
kill -STOP $p
for i in $(seq 300); do [ "$(state $p)" = T ] && break; sleep 0.01; done
kill -TERM $p
sleep 0.1
echo "TERM while stopped: $(state $p)"
kill -CONT $p
wait $p 2>/dev/null; echo "TERM delivered after CONT, status $?"
# a trapped signal ends the shell's wait for a job
sh -c 'trap "kill \$s" USR1; sleep 10 & s=$!; : > ready; wait $s; st=$?
       [ $st -gt 128 ] && echo "wait ended by the signal"; exit 3' &
p=$!
while [ ! -e ready ]; do sleep 0.01; done
kill -USR1 $p
wait $p; echo "trap job status $?"
