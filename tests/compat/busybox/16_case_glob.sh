# case patterns and pathname expansion (sorted results).
for w in apple banana cherry 42 x.txt ""; do
	case $w in
	a*) echo "$w: starts with a" ;;
	*an*) echo "$w: contains an" ;;
	[0-9]*) echo "$w: number" ;;
	*.txt|*.md) echo "$w: text file" ;;
	"") echo "empty" ;;
	*) echo "$w: other" ;;
	esac
done
touch b.c a.c c.h .hidden Z1 z2
echo *.c
echo *.[ch]
echo ?.h
echo [a-b]*
echo .h*
echo no-match-*
set -f; echo *.c; set +f
for f in *; do echo "file $f"; done
mkdir sub; touch sub/x sub/y
echo sub/*
echo */x
case "hello world" in *" "*) echo "has space" ;; esac
case x in [!a-w]) echo "negated class" ;; esac
