# python3: files, directories, tempfile, shutil, os.walk, stat
/usr/bin/python3 - <<'PY'
import os, shutil, tempfile, stat
os.makedirs("a/b/c", exist_ok=True)
with open("a/b/file", "w") as f:
    f.write("data\n" * 100)
shutil.copytree("a", "copy")
for root, dirs, files in sorted(os.walk("copy")):
    print(root, sorted(dirs), sorted(files))
print(os.path.getsize("copy/b/file"))
with tempfile.TemporaryDirectory(dir=".") as t:
    p = os.path.join(t, "x")
    open(p, "w").close()
    os.chmod(p, 0o640)
    print(oct(stat.S_IMODE(os.stat(p).st_mode)), os.path.exists(p))
print(os.path.exists(t))
shutil.rmtree("a")
print(sorted(os.listdir(".")))
os.rename("copy", "moved")
print(sorted(os.listdir("moved/b")))
fd = os.open("moved/b/file", os.O_RDONLY)
print(os.pread(fd, 5, 10), os.lseek(fd, 0, os.SEEK_END))
os.close(fd)
PY
