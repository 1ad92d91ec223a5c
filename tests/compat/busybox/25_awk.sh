# awk: fields, patterns, BEGIN/END, arrays, printf, functions, -v, -F.
printf 'alice 30 paris\nbob 25 london\ncarol 35 paris\ndave 28 rome\n' > people
awk '{ print $1 }' people
awk '$2 > 28 { print $1, $2 }' people
awk '{ s += $2 } END { print "total", s, "avg", s / NR }' people
awk '{ c[$3]++ } END { for (k in c) print k, c[k] }' people | sort
awk -F: '{ print NF, $NF }' <<EOF2
a:b:c
d:e
EOF2
awk -v x=7 'BEGIN { print x * 6 }'
awk 'BEGIN { printf "%5.2f|%-4s|%03d\n", 3.14159, "ab", 9 }'
awk 'function sq(n) { return n * n } BEGIN { print sq(12) }'
awk 'BEGIN { s = "hello world"; print length(s), substr(s, 7), index(s, "o"), toupper(s) }'
awk 'BEGIN { n = split("a,b,c", arr, ","); print n, arr[3] }'
awk 'BEGIN { s = "foo bar foo"; gsub(/foo/, "baz", s); print s }'
awk '/paris/ { n++ } END { print n " in paris" }' people
awk 'NR == 2, NR == 3' people
awk '{ $2 = $2 + 1; print }' OFS=- people | head -n 2
awk 'BEGIN { while (i < 3) { i++; printf "%d ", i }; print "" }'
seq 1 10 | awk 'NR % 3 == 0'
awk 'BEGIN { print 10 % 3, int(7.9), int(-7.9), 7 / 2 }'
echo "a b c" | awk '{ for (i = NF; i > 0; i--) printf "%s", $i; print "" }'
awk 'BEGIN { if (match("xxabcxx", /abc/)) print RSTART, RLENGTH }'
awk 'BEGIN { printf "%s\n", sprintf("%c%c", 72, 105) }'
awk 'BEGIN { exit 3 }'; echo "awk exit $?"
