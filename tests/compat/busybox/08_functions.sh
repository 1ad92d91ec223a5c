# Functions: arguments, return, local, recursion, redefinition.
greet() { echo "hello $1 ($# args)"; }
greet world extra
ret() { return "$1"; }
ret 7; echo "ret=$?"
fact() {
	if [ "$1" -le 1 ]; then echo 1; return; fi
	local p
	p=$(fact $(($1 - 1)))
	echo $(($1 * p))
}
echo "fact 10 = $(fact 10)"
v=global
scope() { local v=local; echo "in: $v"; }
scope; echo "out: $v"
modify() { v=changed; }
modify; echo "after: $v"
args() { for a in "$@"; do echo "<$a>"; done; }
args "a b" c "" d
greet() { echo "redefined"; }
greet
fib() { if [ $1 -lt 2 ]; then echo $1; else echo $(( $(fib $(($1-1))) + $(fib $(($1-2))) )); fi; }
echo "fib 12 = $(fib 12)"
count() { echo $#; }
count; count 1 2 3; set -- x y; count "$@"
