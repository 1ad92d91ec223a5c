# gzip/gunzip/zcat: round trips, -c -d -t -k, compressibility.
seq 1 20000 > data
md5sum data
gzip -c data > data.gz
gunzip -c data.gz | md5sum
zcat data.gz | tail -n 1
[ "$(wc -c < data.gz)" -lt "$(wc -c < data)" ] && echo "compressed is smaller"
gzip -t data.gz && echo "test ok"
cp data copy; gzip copy; ls copy*
gunzip copy.gz; ls copy*; cmp data copy && echo "restored"
gzip -d < data.gz | wc -l
printf 'not gzip\n' > bad.gz
gunzip -t bad.gz 2>/dev/null; echo "bad status $?"
head -c 100000 /dev/zero | gzip | gzip -d | wc -c
echo -n "" | gzip | gunzip | wc -c
gzip -c data | gzip -c | gunzip -c | gunzip -c | cmp - data && echo "double ok"
