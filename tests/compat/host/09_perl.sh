# perl -e scripts
perl -e 'my %h = (b => 2, a => 1); print join(",", map {"$_=$h{$_}"} sort keys %h), "\n"'
perl -e 'print scalar(reverse "sandbox"), " ", 2**40, " ", sprintf("%.3f", atan2(1,1)*4), "\n"'
printf 'one two\nthree four five\n' | perl -lane 'print scalar(@F), " ", uc $F[0]'
perl -e 'opendir(my $d, ".") or die; my @e = grep {!/^\./} readdir $d; print scalar(@e), "\n"'
perl -e 'my $pid = fork; if (!$pid) { exit 5 } waitpid($pid, 0); print $? >> 8, "\n"'
