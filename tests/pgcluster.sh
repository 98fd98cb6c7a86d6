# pgcluster.sh - a private PostgreSQL cluster in a folder of one's own, for
# the shell tools (tests/demo.sh, tests/bench/db.sh); sourced, not run.
#
# The caller defines fail() (prints and exits) and sets, before sourcing:
#   cluster_dir     the folder: data/, logs and the Unix socket live in it
#   cluster_port    the socket's port number (the file .s.PGSQL.PORT)
# and then calls cluster_start, cluster_stop or cluster_is_running.
#
# The server listens only on the Unix socket in cluster_dir: no TCP, no clash
# with another server.  As root, initdb and the server run as the `postgres`
# user of Debian's package (initdb refuses root; LRT_PG_USER to choose
# another); anyone else runs them as themselves.  PostgreSQL's programs come
# from LRT_PG_BINDIR, else `pg_config --bindir`, else the newest
# /usr/lib/postgresql/NN/bin.

cluster_superuser=postgres
cluster_data=$cluster_dir/data

cluster_find_bindir() {
	if [ -n "${LRT_PG_BINDIR:-}" ]; then
		[ -x "$LRT_PG_BINDIR/initdb" ] || fail "LRT_PG_BINDIR=$LRT_PG_BINDIR has no initdb"
		echo "$LRT_PG_BINDIR"
		return
	fi
	dir=$(pg_config --bindir 2>/dev/null || true)
	if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
		echo "$dir"
		return
	fi
	best=0
	for dir in /usr/lib/postgresql/*/bin; do
		version=${dir#/usr/lib/postgresql/}
		version=${version%/bin}
		case $version in *[!0-9]*|"") continue ;; esac
		if [ -x "$dir/initdb" ] && [ "$version" -gt "$best" ]; then
			best=$version
		fi
	done
	if [ "$best" -eq 0 ]; then
		fail "no initdb (pg_config --bindir, /usr/lib/postgresql/*/bin): install postgresql-15 (make deps)"
	fi
	echo "/usr/lib/postgresql/$best/bin"
}
cluster_bindir=$(cluster_find_bindir)

cluster_user=""
if [ "$(id -u)" -eq 0 ]; then
	cluster_user=${LRT_PG_USER:-${DEMO_PG_USER:-postgres}}
	uid=$(id -u "$cluster_user" 2>/dev/null) ||
		fail "running as root, and there is no user $cluster_user to run the server (the postgresql-15 package creates postgres; or set LRT_PG_USER)"
	[ "$uid" -ne 0 ] || fail "LRT_PG_USER=$cluster_user is root; initdb refuses root"
	command -v runuser >/dev/null 2>&1 || fail "running as root needs runuser (util-linux)"
fi

# as_server COMMAND...: runs a PostgreSQL program as the server's user,
# from / (the caller's folder, e.g. a clone under /root, may be closed to
# it; every path given is absolute).
as_server() {
	if [ -n "$cluster_user" ]; then
		(cd / && runuser -u "$cluster_user" -- "$@")
	else
		"$@"
	fi
}

cluster_is_running() {
	[ -f "$cluster_data/PG_VERSION" ] &&
		as_server "$cluster_bindir/pg_ctl" -D "$cluster_data" status >/dev/null 2>&1
}

# Stops the server if it runs; prints nothing.
cluster_stop() {
	if cluster_is_running; then
		as_server "$cluster_bindir/pg_ctl" -D "$cluster_data" -m fast -w -s stop
	fi
}

# Starts the cluster, making it first when needed (or when an older major
# version made it); sets cluster_state to created, restarted or reused.
# Extra server settings may come as arguments ("-c name=value" ...).
cluster_start() {
	socket_file=$cluster_dir/.s.PGSQL.$cluster_port
	[ ${#socket_file} -lt 104 ] ||
		fail "$cluster_dir is too long a path for a Unix socket; use a shorter folder"
	mkdir -p "$cluster_dir"
	if [ -n "$cluster_user" ]; then
		chown "$cluster_user" "$cluster_dir"
		as_server test -w "$cluster_dir" ||
			fail "user $cluster_user cannot reach $cluster_dir: give it search permission on the folders above (chmod o+x)"
	fi
	major=$("$cluster_bindir/postgres" --version | sed -n 's/.* \([0-9][0-9]*\)[.0-9]*.*/\1/p')
	cluster_state=reused
	if [ -f "$cluster_data/PG_VERSION" ] && [ "$(cat "$cluster_data/PG_VERSION")" != "$major" ]; then
		cluster_stop
		echo "$cluster_data was made by PostgreSQL $(cat "$cluster_data/PG_VERSION"), not $major: making it again" >&2
		rm -rf "$cluster_data"
	fi
	if [ ! -f "$cluster_data/PG_VERSION" ]; then
		rm -rf "$cluster_data"
		as_server "$cluster_bindir/initdb" -D "$cluster_data" -U "$cluster_superuser" \
			-A trust -E UTF8 --locale=C --no-sync >"$cluster_dir/initdb.log" 2>&1 ||
			{ tail -n 20 "$cluster_dir/initdb.log" >&2; fail "initdb failed (the whole log: $cluster_dir/initdb.log)"; }
		cluster_state=created
	fi
	if ! cluster_is_running; then
		[ "$cluster_state" = created ] || cluster_state=restarted
		as_server "$cluster_bindir/pg_ctl" -D "$cluster_data" -l "$cluster_dir/postgres.log" -w -t 60 -s \
			-o "-c listen_addresses= -c unix_socket_directories=$cluster_dir -p $cluster_port $*" \
			start || { tail -n 20 "$cluster_dir/postgres.log" >&2; fail "the server did not start (log: $cluster_dir/postgres.log)"; }
	fi
	# Every libpq program from here on, psql and lrt alike, talks to this
	# cluster only.
	unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGOPTIONS PGPASSWORD PGPASSFILE \
		PGTARGETSESSIONATTRS PGSSLMODE PGREQUIRESSL PGCONNECT_TIMEOUT LRT_SHARE_DIR
	export PGHOST="$cluster_dir" PGPORT="$cluster_port" PGUSER="$cluster_superuser"
	export PGCLIENTENCODING=UTF8
}
