# wc: lines, words, bytes, chars, several files.
printf 'one two\nthree\n\nfour five six\n' > a
printf 'no newline' > b
wc -l < a; wc -w < a; wc -c < a
wc -l a b
wc a
wc -c b
wc -L a
seq 1 10000 | wc -l
printf '' | wc
wc -l < /dev/null
head -c 12345 /dev/zero | wc -c
