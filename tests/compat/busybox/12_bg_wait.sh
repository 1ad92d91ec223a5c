# Background jobs and wait: per-pid statuses, wait with no args, ordering.
(sleep 0.2; exit 3) & p1=$!
(exit 5) & p2=$!
(sleep 0.1; echo bg output > bgfile) & p3=$!
wait $p2; echo "p2 status $?"
wait $p1; echo "p1 status $?"
wait $p3; echo "p3 status $?"
cat bgfile
for i in 1 2 3 4 5; do (echo "job $i" > "job.$i") & done
wait
cat job.1 job.2 job.3 job.4 job.5
echo -n > order
(while [ ! -e marker ]; do sleep 0.01; done; echo slow >> order) &
(echo fast >> order; : > marker) &
wait
cat order
true & wait $!; echo "true status $?"
false & wait $!; echo "false status $?"
sh -c 'exit 42' & wait $!; echo "sh status $?"
[ "$!" -gt 0 ] && echo "bang is a pid"
