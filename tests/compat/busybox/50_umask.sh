# umask: printing, symbolic form, effect on files, dirs and subshells.
umask 022; umask
umask -S
umask 077; umask; : > f077; mkdir d077
umask 002; : > f002; mkdir d002
umask u=rwx,g=rx,o=; umask
: > fsym
stat -c '%a %n' f077 d077 f002 d002 fsym
(umask 0); umask
sh -c 'umask'
umask 022
printf '#!/bin/sh\n' > script; chmod +x script; stat -c %a script
