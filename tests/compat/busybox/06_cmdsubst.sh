# Command substitution: $(...), backticks, nesting, trailing newlines, status.
a=$(echo hi)
echo "a=$a"
b=`echo back`
echo "b=$b"
c=$(echo $(echo nested $(echo deep)))
echo "c=$c"
d=$(printf 'x\n\n\n')
echo "d=[$d]"
e=$(false); echo "status of false subst: $?"
f=$(exit 3); echo "status 3: $?"
n=$(seq 1 100 | wc -l); echo "n=$n"
echo "inline: $(echo one) $(echo two)"
words=$(echo "a  b   c")
echo $words
echo "$words"
for w in $(echo x y z); do echo "item $w"; done
g=$(cd / && pwd); echo "g=$g"
h="$(echo "quoted \"inner\"")"; echo "$h"
len=$(printf '%s' "$(seq 1 5)" | wc -c); echo "len=$len"
