# tr: ranges, classes, delete, squeeze, complement.
echo "Hello World" | tr a-z A-Z
echo "Hello World" | tr '[:upper:]' '[:lower:]'
echo "hello" | tr -d l
echo "aaabbbccc  dd" | tr -s 'a-c '
echo "a1b2c3" | tr -d '[:digit:]'
echo "a1b2c3" | tr -cd '[:digit:]'; echo
echo "one two three" | tr ' ' '\n'
printf 'a\tb\n' | tr '\t' ,
echo "rot13 test" | tr 'a-zA-Z' 'n-za-mN-ZA-M'
echo "abc" | tr abc x
head -c 100 /dev/zero | tr '\0' z; echo
