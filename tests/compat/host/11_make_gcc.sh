# gcc compiles and links a small multi-file program; make -j2 builds it
cat > util.c <<'C'
int add(int a, int b) { return a + b; }
C
cat > util.h <<'C'
int add(int a, int b);
C
cat > main.c <<'C'
#include <stdio.h>
#include "util.h"
int main(void) { printf("sum %d\n", add(40, 2)); return 0; }
C
printf 'prog: main.o util.o\n\tgcc -o prog main.o util.o\n%%.o: %%.c util.h\n\tgcc -O1 -c $<\n' > Makefile
make -j2 -s && ./prog
echo "make status $?"
gcc -o direct main.c util.c && ./direct
ls *.o | sort
