#!/bin/sh
# man_commands.sh - the include file help2man adds to lrt's manual page: a
# section COMMANDS holding `lrt help NAME` of every command that `lrt --help`
# lists, so the manual says all the help texts say, and says it again after
# each change (the Makefile makes lrt.1 from lrt and this).
#
#   sh src/tools/man_commands.sh build/lrt > build/lrt.h2m
#
# Each help is set as it is printed (no fill: its columns are aligned with
# spaces), with what roff would take for its own escaped: a backslash, and a
# line starting with a dot or an apostrophe.
set -eu
lrt=$1

names=$("$lrt" --help | sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$names" ] || { echo "man_commands.sh: $lrt --help lists no command" >&2; exit 1; }

echo '[COMMANDS]'
for name in $names; do
	echo ".SS \"lrt $name\""
	echo '.nf'
	"$lrt" help "$name" | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
	echo '.fi'
done
cat <<'ROFF'
[SEE ALSO]
.BR psql (1):
lrt connects as it does (a database name, a connection string or URI, and
the PG* environment variables).
The README of the source tree says more: the SPEC of the accounting, the
database's tables and reporting views, the roles, the service.
ROFF
