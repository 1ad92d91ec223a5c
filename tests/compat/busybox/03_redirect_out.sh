# Output redirections: >, >>, >| , truncation, multiple targets, noclobber.
echo first > f
echo second >> f
cat f
echo third > f
cat f
: > f
wc -c < f
echo a > g; echo b >> g; echo c >> g
wc -l < g
set -C
if (echo clobber > g) 2>/dev/null; then echo "clobbered"; else echo "noclobber ok"; fi
echo forced >| g
set +C
cat g
echo to-null > /dev/null; echo "null status $?"
ls nonexistent > out 2> err; echo "ls status $?"
wc -c < out
test -s err && echo "err has text"
{ echo x; echo y; } > grouped; cat grouped
for i in 1 2 3; do echo "line $i"; done > loop; cat loop
