# Text utilities: paste, nl, rev, fold, tac, comm, diff, tee, expand, seq.
seq 1 3 > a; printf 'x\ny\nz\n' > b
paste a b
paste -d, a b
paste -s a
nl b
rev <<EOF2
abc
hello
EOF2
echo "the quick brown fox" | fold -w 8
tac a
printf 'a\nb\nc\n' > c1; printf 'b\nc\nd\n' > c2
diff c1 c2; echo "diff status $?"
diff c1 c1; echo "same status $?"
echo tee-data | tee t1 t2 > /dev/null; cat t1 t2
echo append | tee -a t1 >/dev/null; cat t1
printf 'a\tb\n' | expand -t 4
seq 5 -1 1 | tr '\n' ' '; echo
seq -w 8 10
seq 0 0.5 2
printf 'dos\r\n' | dos2unix | od -An -c
basename /a/b/c.txt .txt; dirname /a/b/c.txt
cmp c1 c2; echo "cmp status $?"
printf 'l1\nl2\nl3\n' | sed -n '2{p;q}'
