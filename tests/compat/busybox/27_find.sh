# find: names, types, depth, size, empty, perm, exec, prune (sorted output).
mkdir -p t/a/b t/c
echo x > t/a/one.txt; echo yy > t/a/b/two.txt; : > t/c/empty.log
seq 1 1000 > t/big.bin
ln -s a/one.txt t/link
chmod 755 t/a/one.txt
find t | sort
find t -type f | sort
find t -type d | sort
find t -type l
find t -name '*.txt' | sort
find t -maxdepth 1 | sort
find t -mindepth 2 -type f | sort
find t -empty | sort
find t -type f -size +2k  # directory sizes differ between file systems
find t -perm -u+x -type f
find t -name '*.txt' -exec echo found {} \; | sort
find t -path t/a -prune -o -type f -print | sort
find t -type f -name '*.log' -o -name 'big*' | sort
find t/a -newer t/nonexistent 2>/dev/null; echo "bad newer status $?"
find t -iname 'ONE*'
find t -name '*.txt' -exec cat {} + | sort
find t -type f | wc -l
