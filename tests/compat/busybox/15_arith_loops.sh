# Arithmetic expansion and loop constructs.
echo $((1 + 2 * 3)) $(( (1 + 2) * 3 )) $((7 / 2)) $((7 % 3)) $((-7 / 2))
echo $((1 << 10)) $((255 & 15)) $((8 | 3)) $((6 ^ 3)) $((~0))
echo $((3 > 2)) $((3 < 2)) $((2 == 2)) $((1 && 0)) $((1 || 0)) $((!5))
i=5; echo $((i += 3)) $((i *= 2)) $((i--)) $i $((++i))
echo $((0x1f)) $((010)) $((2147483647 + 1)) $((9223372036854775807))
x=3; y=4; echo $(( x*x + y*y ))
echo $(( 5 > 3 ? 10 : 20 ))
s=0; i=0
while [ $i -lt 100 ]; do i=$((i + 1)); s=$((s + i)); done
echo "sum=$s"
n=0; until [ $n -ge 5 ]; do n=$((n + 1)); done; echo "until n=$n"
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ $((i % 2)) -eq 0 ] && continue
	[ $i -gt 7 ] && break
	printf '%d ' $i
done; echo
for a in 1 2; do for b in x y; do printf '%s%s ' $a $b; done; done; echo
for a in 1 2 3; do for b in 1 2 3; do [ $b -eq 2 ] && continue 2; echo "$a.$b"; done; done
expr 6 \* 7; expr length hello; expr 10 - 3 \> 5; expr substr abcdef 2 3
echo "$(seq -s + 1 10) = $(( $(seq -s + 1 10) ))"
