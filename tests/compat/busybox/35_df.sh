# df: only exit status and the header (values depend on the host).
df . > out; echo "df status $?"
head -n 1 out | awk '{ print $1, $2, $NF }'
[ "$(wc -l < out)" -ge 2 ] && echo "has a data line"
df -P . | head -n 1 | awk '{ print $1, $2 }'
df -k . >/dev/null; echo "df -k status $?"
df -h . >/dev/null; echo "df -h status $?"
awk 'NR == 2 { print ($2 >= $3) ? "size >= used" : "bad" }' out
