# while read: IFS splitting, -r, last line without newline, counters.
printf 'k1=v1\nk2=v2\nk3=v3' > kv
while IFS='=' read -r k v; do echo "key $k val $v"; done < kv
printf 'a\\tb\n' > bs
read -r raw < bs; echo "raw: $raw"
read cooked < bs; echo "cooked: $cooked"
printf '  lead and trail  \n' | { read x; echo "[$x]"; }
printf '  lead and trail  \n' | { IFS= read -r x; echo "[$x]"; }
n=0
while read line; do n=$((n + 1)); done <<EOF2
1
2
3
EOF2
echo "n=$n"
printf 'one two three four\n' | { read a b c; echo "a=$a b=$b c=$c"; }
seq 1 5 | while read i; do
	if [ "$i" -eq 4 ]; then break; fi
	echo "i=$i"
done
printf 'x:y:z\n' | { IFS=: read p q r; echo "$r$q$p"; }
if read nothing < /dev/null; then echo "read ok"; else echo "read eof status $?"; fi
