# git credential-cache: a daemon listening on an AF_UNIX path socket, clients
# that connect to it to store and get a credential, then ask it to exit
export HOME=$PWD
printf 'protocol=https\nhost=example.com\nusername=u\npassword=secret\n\n' | git credential-cache --timeout=30 store
printf 'protocol=https\nhost=example.com\n\n' | git credential-cache get
git credential-cache exit
echo exit $?
