# coreutils and friends from the host root (dynamic glibc programs)
printf 'b 2\na 1\nc 3\nb 2\n' > in.txt
sort in.txt | uniq -c
sort -k2 -n -r in.txt | head -2
cut -d' ' -f1 in.txt | tr 'a-c' 'A-C' | paste -sd,
wc -l < in.txt
seq 1 5 | tac | xargs echo
mkdir -p d/e && touch d/e/f d/g && find d | sort
ls -ln d | awk 'NR > 1 {print $1, $9}'
stat -c '%A %s %n' in.txt
sha256sum in.txt
md5sum in.txt
cp -a in.txt copy.txt && cmp in.txt copy.txt && echo same
ln -s in.txt link && readlink link && cat link | head -1
rm -r d && ls
