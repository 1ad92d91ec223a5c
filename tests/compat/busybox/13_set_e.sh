# set -e: exit on failure, and the contexts where failures are ignored.
sh -c 'set -e; echo before; false; echo not reached'; echo "status $?"
sh -c 'set -e; if false; then :; fi; echo "if ok"'; echo "status $?"
sh -c 'set -e; false || echo "or ok"; echo after-or'; echo "status $?"
sh -c 'set -e; false && echo no; echo "and-list ok"'; echo "status $?"
sh -c 'set -e; ! true; echo "negation ok"'; echo "status $?"
sh -c 'set -e; while false; do :; done; echo "while ok"'; echo "status $?"
sh -c 'set -e; false | true; echo "pipeline ok"'; echo "status $?"
sh -c 'set -e; true | false; echo not reached'; echo "status $?"
sh -c 'set -e; (exit 6); echo not reached'; echo "status $?"
sh -c 'set -e; f() { false; echo in-f; }; f || echo "f failed"; echo end'; echo "status $?"
sh -c 'set -e; x=$(false); echo not reached'; echo "status $?"
sh -c 'set -e; trap "echo exit trap \$?" EXIT; sh -c "exit 7"; echo no'; echo "status $?"
set -e
set +e
false
echo "set +e survives: $?"
sh -c 'set -u; echo "$undefined_var"; echo no' 2>/dev/null; echo "set -u status $?"
