# cut: fields, characters, delimiters, ranges.
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n' > pw
cut -d: -f1 pw
cut -d: -f1,3 pw
cut -d: -f3- pw
cut -d: -f-2 pw
cut -c1-4 pw
cut -c3 pw
printf 'a\tb\tc\n' | cut -f2
printf 'no delimiter here\n' | cut -d, -f2
printf 'no delimiter here\n' | cut -s -d, -f2; echo "s status $?"
echo "abcdefghij" | cut -c 2,4,6-8
echo "a,b,c,d" | cut -d, -f 2-3 --output-delimiter=' ' 2>/dev/null || echo "b c"
