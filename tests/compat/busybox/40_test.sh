# test / [ ]: strings, integers, files; && || chains.
t() { if "$@"; then echo "T: $*"; else echo "F: $*"; fi; }
t [ abc = abc ]; t [ abc != abd ]; t [ -z "" ]; t [ -n "" ]; t [ -n x ]
t [ 3 -eq 3 ]; t [ 3 -ne 3 ]; t [ 2 -lt 10 ]; t [ 10 -le 9 ]; t [ -5 -gt -6 ]; t [ 4 -ge 4 ]
t [ a \< b ]; t [ b \> a ]
touch file; mkdir dir; ln -s file link; ln -s nowhere dangling; chmod 644 file
t [ -e file ]; t [ -f file ]; t [ -d dir ]; t [ -f dir ]; t [ -L link ]; t [ -h dangling ]
t [ -e dangling ]; t [ -s file ]; echo x > full; t [ -s full ]
t [ -r file ]; t [ -x file ]; t [ -x dir ]
t [ ! -e nope ]; t [ -f file -a -d dir ]; t [ -f nope -o -d dir ]
t [ \( 1 -eq 1 \) -a \( 2 -eq 3 \) ]
t test file -ef link; t test full -ef file
t [ "" ]; t [ x ]
t [[ abc == a* ]] 2>/dev/null
[ 1 -eq 2 ] || echo "or branch"; [ 1 -eq 1 ] && echo "and branch"
[ 1 -eq 2 ] && echo no || echo "chain fallback"
[ x -eq 1 ] 2>/dev/null; echo "bad int status $?"
