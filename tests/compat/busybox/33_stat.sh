# stat -c with deterministic formats: size, name, type, mode, link target.
umask 022
printf 'hello' > five
head -c 4096 /dev/zero > page
: > empty
mkdir d
ln -s five sym
ln five hard
chmod 600 five
stat -c '%s %n' five page empty
stat -c '%a %A %n' five page d
stat -c '%F' five empty d sym
stat -c '%h' five
stat -L -c '%s %F' sym
stat -c '%N' sym
stat missing 2>/dev/null; echo "missing status $?"
[ "$(stat -c %i five)" = "$(stat -c %i hard)" ] && echo "hard link shares inode"
[ "$(stat -c %i five)" != "$(stat -c %i page)" ] && echo "distinct inodes"
stat -c '%u %g' five | awk '{ print ($1 >= 0 && $2 >= 0) ? "ids ok" : "bad" }'
truncate -s 10000 sparse 2>/dev/null || dd if=/dev/zero of=sparse bs=1 count=0 seek=10000 2>/dev/null
stat -c '%s' sparse
stat -f -c '%n' . 
