# Pipelines: multi-stage, status of a pipeline, ! negation, large data.
seq 1 10 | tac | head -n 3
seq 1 1000 | grep 7 | wc -l
echo "a b c" | tr ' ' '\n' | sort -r | tr '\n' ','; echo
false | true; echo "status false|true: $?"
true | false; echo "status true|false: $?"
! false; echo "negated: $?"
! true; echo "negated: $?"
seq 1 200000 | awk '{ s += $1 } END { print s }'
yes abcdefgh | head -c 1000000 | wc -c
printf 'x\ny\n' | while read l; do echo "[$l]"; done | cat -n
{ echo one; echo two; } | sed 's/^/grp:/'
echo done | { read v; echo "read $v"; }
