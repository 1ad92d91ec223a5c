# sed, awk (mawk), grep, diff
seq 1 20 > n
sed -n '3,5p;/1[5-6]/s/1/one/p' n
awk '{s += $1} END {print s, NR}' n
awk -F: '$3 == 0 {print $1}' /etc/passwd
grep -c '^1' n
grep -E -n '^(2|20)$' n
seq 1 21 > m
diff n m
echo "diff status $?"
printf 'x\ny\n' | sed 's/x/X/' | tr '\n' ' '; echo
