# du: apparent sizes (-b) of files we create, and sanity bounds on blocks.
mkdir -p d/sub
head -c 1000 /dev/zero > d/a
head -c 5000 /dev/zero > d/sub/b
: > d/empty
head -c 40960 /dev/urandom > big
du -b d/a d/sub/b d/empty
du -cb d/a d/sub/b | tail -n 1
du -k d/empty
du -a d | awk '{ print $2 }' | sort
du -s d | awk '{ print ($1 >= 0) ? "du -s ok" : "bad" }'
k=$(du -k big | cut -f1)
if [ "$k" -ge 40 ] && [ "$k" -le 1024 ]; then echo "big blocks ok"; else echo "big blocks $k"; fi
du -d 0 d | awk '{ print $2 }'
du -b missing 2>/dev/null; echo "missing status $?"
