# dash: job control basics, traps, here-docs, arithmetic, functions
f() { echo "f $# $*"; return 4; }
f a "b c"; echo "status $?"
i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo "i=$i"
trap 'echo trapped' USR1
kill -USR1 $$
sleep 0.1 & wait $!; echo "bg status $?"
(exit 9); echo "subshell $?"
cat <<END | tr a-z A-Z
here $i
END
case "abc" in a*) echo match;; esac
set -- x y z; shift; echo "$@"
