# sed: substitution, addresses, ranges, delete, print, in-place, hold space.
printf 'alpha\nbeta\ngamma\ndelta\nepsilon\n' > in
sed 's/a/A/' in | head -n 2
sed 's/a/A/g' in | tail -n 1
sed -n '2p' in
sed -n '2,4p' in
sed '1d;$d' in
sed -n '/^d/p' in
sed '/beta/,/delta/d' in
sed -e 's/^/> /' -e 's/$/ </' in | head -n 1
sed 's/\(al\)\(pha\)/\2\1/' in | head -n 1
sed -E 's/(e+)/[\1]/g' in
sed -n '$=' in
sed '2i\
inserted' in | head -n 3
sed '2a appended' in | head -n 4 | tail -n 2
sed 'y/abc/XYZ/' in | head -n 2
sed -n 'h;n;G;p' in
cp in edit; sed -i 's/gamma/GAMMA/' edit; grep -c GAMMA edit
sed '=' in | head -n 4
printf 'a.b.c\n' | sed 's/\./-/2'
printf 'x\n' | sed 's/x/a\
b/'
echo "path/to/file" | sed 's|/|::|g'
seq 1 10 | sed -n '0~3p' 2>/dev/null || seq 3 3 9
seq 1 6 | sed 'N;s/\n/+/'
