# trap on signals sent to the shell itself; ignore; reset.
trap 'echo got USR1' USR1
kill -USR1 $$
echo after usr1
trap 'echo got USR2; n=$((n+1))' USR2
n=0
kill -USR2 $$; kill -USR2 $$
echo "n=$n"
trap '' HUP
kill -HUP $$
echo survived ignored HUP
trap - USR1
sh -c 'trap "echo child term; exit 5" TERM; kill -TERM $$; echo not reached'
echo "child status $?"
sh -c 'kill -TERM $$; echo not reached'
echo "default TERM status $?"
sh -c 'trap "" INT; kill -INT $$; echo ignored int'
echo "status $?"
trap 'echo trapped INT' INT
kill -INT $$
echo end
