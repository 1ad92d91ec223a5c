# ls: names, -a -1 -d -F -R, and ls -l reduced to mode/size/name.
umask 022
mkdir -p dir/sub
printf '12345' > dir/five
printf '1234567890' > dir/ten
: > dir/.dot
ln -s five dir/lnk
chmod 640 dir/five; chmod 755 dir/ten; chmod 1777 dir/sub
ls dir
ls -a dir
ls -1 dir
ls -A dir
ls -F dir
ls -d dir
ls -R dir
# mode and name for all; size only for regular files (directory sizes vary).
ls -l dir | awk 'NR > 1 { if ($1 ~ /^-/) print $1, $5, $NF; else print $1, $NF }'
ls -ln dir/five | awk '{ print $1, $5, $NF }'
ls -l dir/lnk | awk '{ print $1, $(NF-2), $(NF-1), $NF }'
ls -lS dir | awk '/^-/ { print $NF }'
ls -r dir
ls missing 2>/dev/null; echo "missing status $?"
ls -ld dir/sub | cut -c1-10
