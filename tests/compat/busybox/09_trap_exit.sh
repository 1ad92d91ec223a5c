# trap EXIT in the shell, in subshells and in sh -c, with exit statuses.
trap 'echo "exit trap status $?"' EXIT
( trap 'echo subshell exit trap' EXIT; echo in subshell; exit 3 ); echo "sub status $?"
sh -c 'trap "echo child trap" EXIT; echo child body; exit 4'; echo "child status $?"
sh -c 'trap "echo trap sees \$?" EXIT; false'; echo "child2 status $?"
f=$(sh -c 'trap "echo captured" EXIT; echo body')
echo "f=$f"
trap 'echo replaced trap; exit 9' EXIT
echo main done
exit 2
