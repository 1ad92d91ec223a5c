# echo and printf: escapes, formats, field reuse.
echo hello world
echo -n "no newline"; echo "|"
echo "tab:	end"
printf '%s-%s\n' a b c d
printf '%5d|%-5d|%05d\n' 42 42 42
printf '%x %o %X %c\n' 255 8 3054 Zed
printf '%.3f %e\n' 3.14159 12345.678
printf 'esc: \101\102 \\ \t|\n'
printf '%s\n' "quoted  spaces" 'single $HOME'
printf '%b\n' 'a\nb'
x=$(printf '%03d' 7); echo "x=$x"
echo "exit=$?"
