# tar, gzip, xz, bzip2 round trips
mkdir -p src/sub
seq 1 2000 > src/numbers
printf 'hello\n' > src/sub/hello
tar -cf a.tar src && tar -tf a.tar | sort
gzip -9 -k a.tar && gzip -dc a.tar.gz | cmp - a.tar && echo gzip ok
xz -k a.tar && xz -dc a.tar.xz | cmp - a.tar && echo xz ok
bzip2 -k a.tar && bzip2 -dc a.tar.bz2 | cmp - a.tar && echo bzip2 ok
mkdir out && tar -C out -xzf a.tar.gz && diff -r src out/src && echo tree ok
tar -czf - src | tar -tzvf - | awk '{print $1, $3, $6}' | sort -k3
