# md5sum, sha1sum, sha256sum, sha512sum: known vectors and -c.
printf '' | md5sum
printf 'abc' | md5sum
printf 'abc' | sha1sum
printf 'abc' | sha256sum
printf '' | sha256sum
printf 'abc' | sha512sum | cut -c1-32
printf 'The quick brown fox jumps over the lazy dog' > fox
md5sum fox
sha256sum fox
seq 1 100000 | md5sum
head -c 1048576 /dev/zero | sha256sum
md5sum fox > sums; md5sum -c sums
echo changed >> fox; md5sum -c sums 2>/dev/null; echo "mismatch status $?"
sha256sum fox | sha256sum -c
crc32 fox 2>/dev/null || echo skip
