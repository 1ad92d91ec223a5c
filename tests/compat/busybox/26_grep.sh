# grep: basic, -i -v -c -n -l -q -o -E -F -w -x -r, statuses.
printf 'apple pie\nBanana split\ncherry tart\napple crumble\n' > food
grep apple food
grep -i banana food
grep -v apple food
grep -c apple food
grep -n tart food
grep -o 'a[a-z]*' food | head -n 4
grep -E 'pie|tart' food
grep -F 'a[' food; echo "F status $?"
grep -w pie food
grep -x 'cherry tart' food
grep -q split food && echo "quiet found"
grep nothing food; echo "no match status $?"
grep pattern missing-file 2>/dev/null; echo "missing status $?"
mkdir -p d/sub; echo needle > d/sub/f1; echo hay > d/f2; echo needle > d/f3
grep -rl needle d | sort
grep -r needle d | sort
grep -l apple food
grep -h needle d/f3 d/sub/f1
grep -e apple -e cherry food
grep '^a.*e$' food
grep -A1 Banana food
grep -B1 Banana food
egrep -c '^(apple|cherry)' food
fgrep -c "a[" food; echo "fgrep status $?"
