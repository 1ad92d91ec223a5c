# git: init, add, commit, log, diff, branch, merge
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e
export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
export HOME=$PWD GIT_CONFIG_NOSYSTEM=1
git init -q -b main repo && cd repo
printf 'one\n' > f && git add f && git commit -q -m first
git checkout -q -b topic
printf 'two\n' >> f && git commit -q -am second
git checkout -q main
printf 'other\n' > g && git add g && git commit -q -m third
git merge -q --no-edit topic
git log --format='%s %an' | cat
git diff HEAD~1 --stat | cat
git branch | cat
git rev-parse HEAD
cat f
