# Generate the dispatch table, the handler prototypes or the compatibility
# document from syscalls.tbl.  POSIX awk (works with mawk and gawk).
#   awk -v out=c  -f gen_table.awk syscalls.tbl > syscall_table.c
#   awk -v out=h  -f gen_table.awk syscalls.tbl > syscall_handlers.h
#   awk -v out=md -f gen_table.awk syscalls.tbl > docs/syscalls.md
function fail(msg) {
	printf("syscalls.tbl:%d: %s\n", NR, msg) > "/dev/stderr"
	bad = 1
	exit 1
}
function cstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	return "\"" s "\""
}
/^[ \t]*#/ || /^[ \t]*$/ { next }
{
	if (NF < 4)
		fail("need: nr name status args [note]")
	nr = $1; name = $2; st = $3; args = $4
	if (nr !~ /^[0-9]+$/ || nr + 0 >= 512)
		fail("bad number " nr)
	if (name !~ /^[a-z_][a-z0-9_]*$/)
		fail("bad name " name)
	if (st != "supported" && st != "partial" && st != "enosys")
		fail("bad status " st)
	if (args !~ /^(-|[dupxso](,[dupxso])*)$/)
		fail("bad args " args)
	if ((nr + 0) in seen)
		fail("duplicate number " nr)
	if (name in names)
		fail("duplicate name " name)
	seen[nr + 0] = 1
	names[name] = 1
	note = ""
	for (i = 5; i <= NF; i++)
		note = note (i > 5 ? " " : "") $i
	n++
	NRS[n] = nr + 0; NAME[n] = name; ST[n] = st; ARGS[n] = args; NOTE[n] = note
	count[st]++
}
END {
	if (bad)
		exit 1
	if (out == "c") {
		print "/* Generated from sentry/syscalls/syscalls.tbl by gen_table.awk: do not edit. */"
		print "#include \"sentry/syscalls/syscalls.h\""
		print "#include \"syscall_handlers.h\""
		print ""
		print "const struct syscall_desc syscall_table[SYSCALL_NR_MAX] = {"
		for (i = 1; i <= n; i++) {
			fn = ST[i] == "enosys" ? "NULL" : "sys_" NAME[i]
			stc = ST[i] == "supported" ? "SC_SUPPORTED" : (ST[i] == "partial" ? "SC_PARTIAL" : "SC_ENOSYS")
			printf("\t[%d] = { %s, %s, %s, %s, %s },\n", NRS[i], cstr(NAME[i]), stc, fn,
			       cstr(ARGS[i]), cstr(NOTE[i]))
		}
		print "};"
	} else if (out == "h") {
		print "/* Generated from sentry/syscalls/syscalls.tbl by gen_table.awk: do not edit. */"
		print "#ifndef CVISOR_SYSCALL_HANDLERS_H"
		print "#define CVISOR_SYSCALL_HANDLERS_H"
		print "#include <stdint.h>"
		print "struct task;"
		for (i = 1; i <= n; i++)
			if (ST[i] != "enosys")
				printf("int64_t sys_%s(struct task *t, const uint64_t a[6]);\n", NAME[i])
		print "#endif"
	} else if (out == "md") {
		print "# System call compatibility (x86-64)"
		print ""
		print "Generated from `sentry/syscalls/syscalls.tbl` by"
		print "`sentry/syscalls/gen_table.awk` (`cmake --build build --target syscalls-doc`);"
		print "the `syscalls_doc` test fails when this file is stale."
		print ""
		printf("%d syscalls: %d supported, %d partial, %d return ENOSYS.\n",
		       n, count["supported"] + 0, count["partial"] + 0, count["enosys"] + 0)
		print ""
		print "| nr | name | status | note |"
		print "|---:|---|---|---|"
		for (i = 1; i <= n; i++)
			printf("| %d | %s | %s | %s |\n", NRS[i], NAME[i], ST[i], NOTE[i])
	} else {
		print "gen_table.awk: set out=c, h or md" > "/dev/stderr"
		exit 1
	}
}
