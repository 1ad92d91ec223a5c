# od, hexdump, xxd, base64, printf escapes on binary data.
printf 'ABC\n\001\377' > bin
od -An -tx1 bin
od -An -c bin
od -An -to1 bin
od -Ad -tx2 bin
hexdump -C bin
xxd bin
xxd -p bin
printf 'hello world\n' | base64
printf 'aGVsbG8gd29ybGQK' | base64 -d
seq 1 200 | base64 | base64 -d | md5sum
printf '\x41\x42' 2>/dev/null | od -An -c
printf '\0\0\0' | wc -c
strings -n 3 bin
