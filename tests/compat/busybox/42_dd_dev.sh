# dd and device files: /dev/null, /dev/zero, block sizes, skip/seek, conv.
dd if=/dev/zero of=z bs=1024 count=5 2>/dev/null; stat -c %s z
dd if=/dev/zero bs=1000 count=3 2>&1 >/dev/null | head -n 2
printf 'abcdefghij' > s
dd if=s bs=1 skip=3 count=4 2>/dev/null; echo
dd if=s of=o bs=2 seek=2 2>/dev/null; od -An -c o
printf 'abcd' | dd conv=swab 2>/dev/null; echo
cat /dev/null | wc -c
echo discarded > /dev/null && echo "null writable"
head -c 16 /dev/zero | od -An -tx1
[ "$(head -c 32 /dev/urandom | wc -c)" -eq 32 ] && echo "urandom gives 32 bytes"
[ -c /dev/null ] && echo "/dev/null is a char device"
printf 'x' > /dev/full 2>/dev/null; echo "/dev/full write status $?"
dd if=s of=t count=1 bs=5 2>/dev/null; cat t; echo
dd if=s bs=3 2>/dev/null | wc -c
