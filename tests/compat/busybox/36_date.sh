# date: fixed instants only (UTC); the clock is checked for sanity only.
date -u -d @0
date -u -d @1234567890 '+%Y-%m-%d %H:%M:%S'
date -u -d @86399 +%T
date -u -d '@1700000000' '+%a %b %e %j %u %y'
TZ=UTC date -d '2020-02-29 12:34:56' +%s
date -u -d '2000-01-01 00:00:00' '+%s %A'
date -u -d @-1 +%Y 2>/dev/null || echo 1969
date -u -d @4102444800 +%F
now=$(date +%s)
if [ "$now" -gt 1600000000 ]; then echo "clock is after 2020"; else echo "clock $now"; fi
date -u +%Y | awk '{ print ($1 >= 2020) ? "year ok" : "bad year" }'
date -d 'not a date' 2>/dev/null; echo "bad date status $?"
date -u -d @1000000000 -R
date -u -d @1000000000 -I
