# File descriptor redirections: 2>&1, >&2, n>, exec, ordering.
{ echo out; echo err >&2; } > both 2>&1
sort both
{ echo out; echo err >&2; } 2>&1 >/dev/null | sed 's/^/piped:/'
ls /nonexistent-dir 2>/dev/null; echo "status $?"
exec 4> fd4
echo via4 >&4
echo more >&4
exec 4>&-
cat fd4
exec 5>> fd4
echo appended >&5
exec 5>&-
cat fd4
sh -c 'echo child-err >&2' 2> childerr
cat childerr
x=$( { echo captured-err >&2; } 2>&1 )
echo "x=$x"
echo "to stderr" 1>&2
echo data 1<>rw; cat rw; echo "rw status $?"
