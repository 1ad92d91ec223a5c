# uniq: -c -d -u -i -f, combined with sort.
printf 'a\na\nb\nc\nc\nc\na\n' > in
uniq in
uniq -c in
uniq -d in
uniq -u in
sort in | uniq -c
printf 'A\na\nB\n' | uniq -i
printf '1 x\n2 x\n3 y\n' | uniq -f 1
printf 'the cat the dog the end\n' | tr ' ' '\n' | sort | uniq -c | sort -rn | head -n 2
uniq in out; cat out
