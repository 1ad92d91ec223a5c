# sqlite3 shell: a few hundred statements
{
	echo 'CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);'
	echo 'BEGIN;'
	i=1
	while [ $i -le 300 ]; do
		echo "INSERT INTO t(name, v) VALUES('n$i', $i * 1.5);"
		i=$((i + 1))
	done
	echo 'COMMIT;'
	echo 'SELECT count(*), sum(v), max(name) FROM t;'
	echo 'CREATE INDEX ix ON t(name);'
	echo "SELECT id FROM t WHERE name = 'n150';"
	echo 'DELETE FROM t WHERE id % 2 = 0;'
	echo 'SELECT count(*) FROM t;'
} | sqlite3 db.sqlite
sqlite3 db.sqlite 'PRAGMA integrity_check;'
