# Input redirections and here-documents.
printf 'alpha\nbeta\ngamma\n' > in
wc -l < in
while read w; do echo "w=$w"; done < in
name=world
cat <<END
hello $name
sum $((2 + 3))
cmd $(echo sub)
END
cat <<'END'
literal $name $(echo no)
END
cat <<-END
	tabs stripped $name
		inner tab kept one level
	END
tr a-z A-Z <<EOF2
shout
EOF2
read first rest <<EOF3
one two three
EOF3
echo "first=$first rest=$rest"
cat < in > copy; cmp in copy && echo "copy same"
exec 3< in
read l1 <&3; read l2 <&3
echo "fd3: $l1 $l2"
exec 3<&-
cat <<E1; cat <<E2
doc one
E1
doc two
E2
