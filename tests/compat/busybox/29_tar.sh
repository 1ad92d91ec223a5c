# tar: create, list, extract, compressed, round trip content checks.
mkdir -p src/sub
echo hello > src/a.txt
seq 1 500 > src/sub/numbers
printf 'bin\001\002' > src/sub/raw
ln -s a.txt src/link
tar cf out.tar src
tar tf out.tar | sort
mkdir x; tar xf out.tar -C x
cmp src/a.txt x/src/a.txt && cmp src/sub/numbers x/src/sub/numbers && echo "extracted identical"
readlink x/src/link
tar czf out.tgz src
tar tzf out.tgz | sort | head -n 3
mkdir y; (cd y && tar xzf ../out.tgz)
md5sum y/src/sub/numbers y/src/sub/raw
tar cf - -C src sub | tar tf - | sort
tar xf out.tar -O src/a.txt
tar cf two.tar src/a.txt src/sub/numbers; tar tf two.tar
tar xf missing.tar 2>/dev/null; echo "missing status $?"
tar cf partial.tar -C src a.txt; mkdir z; tar xf partial.tar -C z; ls z
