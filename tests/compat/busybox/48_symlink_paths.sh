# Path resolution: relative paths, .., symlinks to dirs, loops, cd -P.
mkdir -p real/inner
echo content > real/inner/file
ln -s real alias
ln -s ../real/inner real/up
cat alias/inner/file
cat real/up/file
ls alias/inner
cd alias && pwd | sed 's|.*/work/||' && cd ..
cd -P alias && pwd | sed 's|.*/work/||' && cd ..
ln -s loop1 loop2; ln -s loop2 loop1
cat loop1 2>/dev/null; echo "loop status $?"
readlink loop1
readlink -f alias/inner/../inner/file | sed 's|.*/work/||'
ln -s /nonexistent/abs dangling
[ -L dangling ] && [ ! -e dangling ] && echo "dangling detected"
cat ./real/../real/./inner/file
mkdir -p deep/a/b/c/d/e/f/g; cd deep/a/b/c/d/e/f/g && cd ../../../../../../../.. && pwd | sed 's|.*/||'
echo x > "name with spaces"; cat "name with spaces"
echo y > 'quote"d'; ls | grep -c 'quote'
