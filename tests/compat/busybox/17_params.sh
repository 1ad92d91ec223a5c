# Parameter expansion and positional parameters.
unset u; e=""; v=value
echo "${u:-default} ${e:-empty-default} ${v:-unused}"
echo "${u-unset-only} [${e-unset-only}]"
echo "${u:+alt}|${v:+alt}"
echo "${w:=assigned}"; echo "w=$w"
echo "${#v}"
p=/usr/local/lib/libfoo.so.1
echo "${p##*/} ${p#*/} ${p%/*} ${p%%.*}"
f=archive.tar.gz; echo "${f%.gz} ${f%%.*} ${f#*.}"
s=abcabc; echo "${s/b/X} ${s//b/X}"
echo "${s:1:3} ${s:3}"
set -- one "two words" three
echo "$# $1 $3"
for a in "$@"; do echo "[$a]"; done
for a in $*; do echo "($a)"; done
echo "star: $*"
IFS=,; echo "ifs star: $*"; IFS=' 	
'
shift; echo "after shift: $# $1"
shift 2; echo "after shift 2: $#"
set -- a b c d e f g h i j k
echo "${10} ${11}"
(: "${req:?must be set}") 2>/dev/null; echo "unset :? status $?"
echo "$((${#p} > 10))"
x=5; echo "${x}th $x"
echo "\$ \" \\ '"
