# eval, exec, command, type, ., read from files, getopts.
cmd='echo evaluated $((6*7))'; eval "$cmd"
var=name; eval "$var=value"; echo "name=$name"
printf 'sourced_var=yes\nsourced_fn() { echo from sourced; }\n' > lib.sh
. ./lib.sh; echo "sourced_var=$sourced_var"; sourced_fn
command -v ls | sed 's|.*/||'
command -v cd
command -v nothing-here; echo "command -v missing $?"
type echo | sed 's/is a shell builtin/builtin/'
(exec echo "exec replaces subshell"; echo not reached)
sh -c 'exec 3>out3; echo via3 >&3'; cat out3
parse() {
	OPTIND=1
	while getopts 'ab:c' o; do
		case $o in a) echo "opt a";; b) echo "opt b=$OPTARG";; c) echo "opt c";; ?) echo "bad opt";; esac
	done
	shift $((OPTIND - 1)); echo "rest: $*"
}
parse -a -b val -c file1 file2
parse -ab x -- -c
parse -z 2>/dev/null
alias hi='echo aliased' 2>/dev/null
eval 'hi'
set -- x y z; eval "echo \${$#}"
