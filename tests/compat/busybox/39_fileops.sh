# File operations: mkdir/rmdir/rm/mv/cp/ln/readlink/realpath/touch/chmod.
umask 022
mkdir -p a/b/c; echo ok > a/b/c/f
cp -r a a2; cat a2/b/c/f
mv a2 a3; [ -d a2 ] || echo "a2 gone"; cat a3/b/c/f
cp a/b/c/f g; cp -p g g2; cmp g g2 && echo "cp -p same"
mv g h; [ -e g ] || echo "g moved"
ln -s h symlink; readlink symlink; cat symlink
ln h hardlink; stat -c %h h
ln -sf a/b/c dirlink; ls dirlink
realpath a/b/../b/c | sed 's|.*/work/||'
rm symlink; [ -L symlink ] || echo "symlink removed"
rmdir a 2>/dev/null || echo "rmdir non-empty fails"
rm -r a3; [ -e a3 ] || echo "rm -r ok"
rm missing 2>/dev/null; echo "rm missing $?"
rm -f missing; echo "rm -f missing $?"
touch t; chmod 0 t; stat -c %a t; chmod u+rw,g+r t; stat -c %a t; chmod +x t; stat -c %a t
chmod 4755 t; stat -c %A t
mkdir -m 700 priv; stat -c %a priv
mkdir sub 2>/dev/null; mkdir sub 2>/dev/null; echo "mkdir exists $?"
echo data > src; cp src dst; echo more >> dst; cat src dst
mv src dst; cat dst
mkdir -p x/y; touch x/y/z; mv x/y .; ls y
cp -a y yy; ls yy
rm -rf x y yy a h hardlink t priv sub dst dirlink
ls | wc -l
