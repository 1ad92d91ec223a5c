# sort: default, -n -r -u -k -t -s -c, large input.
printf 'pear\napple\nfig\nbanana\napple\n' > fruit
sort fruit
sort -r fruit
sort -u fruit
printf '10\n9\n100\n-1\n2.5\n' | sort -n
printf '10\n9\n100\n' | sort
printf 'b 2\na 3\nc 1\n' | sort -k2,2n
printf 'x:3:c\ny:1:a\nz:2:b\n' | sort -t: -k3
printf 'b 1\na 1\nc 0\n' | sort -s -k2,2n
printf 'a\nb\nc\n' | sort -c && echo "sorted"
printf 'b\na\n' | sort -c 2>/dev/null || echo "not sorted $?"
seq 1 20000 | sort -r | head -n 3
seq 1 20000 | sort -rn | head -n 3
printf 'B\na\nC\nb\n' | sort -f
sort fruit -o sorted; cat sorted
