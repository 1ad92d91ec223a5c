# Subshells: isolation of variables, cwd, traps, exit; grouping.
v=outer
( v=inner; echo "in: $v" ); echo "out: $v"
mkdir -p d/e
( cd d/e && pwd | sed 's|.*/work/||' ); pwd | sed 's|.*/||'
( exit 4 ); echo "exit status $?"
( ( ( echo deep; exit 2 ); echo "inner $?"; exit 3 ) ); echo "outer $?"
{ v=grouped; }; echo "group: $v"
x=$( (echo a; echo b) | wc -l ); echo "x=$x"
( set -- p q r; echo "subshell args $#" ); echo "main args $#"
(umask 077; : > private); (umask 022; : > public)
stat -c '%a %n' private public
( trap 'echo sub trap' EXIT ); echo after
f() ( v=in-func-subshell; echo "$v" ); f; echo "v=$v"
echo $(( $(echo 3) + $( (echo 4) ) ))
(echo 1; sleep 0.05; echo 2) | (read a; read b; echo "$b$a")
