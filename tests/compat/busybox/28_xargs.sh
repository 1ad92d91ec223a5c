# xargs: batching, -n, -I, -0, exit statuses.
seq 1 10 | xargs echo
seq 1 10 | xargs -n 3 echo
echo "a b c" | xargs -n 1 echo item
printf 'x\ny\n' | xargs -I{} echo "<{}>"
printf 'with space\0other\0' | xargs -0 -n 1 echo
touch f1 f2 f3
ls f* | xargs rm; ls f* 2>/dev/null | wc -l
printf '' | xargs echo empty-run
printf '' | xargs -r echo not-run; echo "r status $?"
echo 1 2 | xargs sh -c 'exit 3'; echo "failing cmd status $?"
seq 1 2000 | xargs echo | wc -w
echo "'quoted arg' plain" | xargs -n 1 echo
seq 1 5 | xargs -t -n 2 echo 2>&1
