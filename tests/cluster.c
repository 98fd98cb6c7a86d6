/*
 * cluster.c - the private PostgreSQL cluster of the tests (see cluster.h).
 *
 * The server is our own child process, in a session of its own so that a
 * Ctrl-C at the terminal reaches the runner, which stops it in order, and
 * with a parent-death signal so that it goes away even if the runner is
 * killed outright (SIGKILL leaves only the folder).  It is started directly
 * rather than through pg_ctl, so the runner knows its pid and can wait for
 * it to be gone.  Start-up costs about one second: initdb without fsync,
 * one server for the whole run, a fresh database per test.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cluster.h"

volatile sig_atomic_t lrt_test_interrupted;

/* Lines of a log shown when initdb or the server fails. */
#define LOG_TAIL_LINES 25

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_milliseconds(long milliseconds)
{
	struct timespec t = { milliseconds / 1000, (milliseconds % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

static bool is_executable(const char *folder, const char *program)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", folder, program);
	return access(path, X_OK) == 0;
}

/* LRT_PG_BINDIR, else `pg_config --bindir`, else the newest Debian one. */
static int find_bindir(lrt_test_cluster *cluster)
{
	const char *chosen = getenv("LRT_PG_BINDIR");
	FILE *pg_config;
	glob_t found;
	size_t i;

	if (chosen != NULL && chosen[0] != '\0') {
		snprintf(cluster->bindir, sizeof(cluster->bindir), "%s", chosen);
		if (is_executable(cluster->bindir, "initdb"))
			return 0;
		fprintf(stderr, "test cluster: LRT_PG_BINDIR=%s has no initdb\n",
			chosen);
		return -1;
	}
	pg_config = popen("pg_config --bindir 2>/dev/null", "r");
	if (pg_config != NULL) {
		if (fgets(cluster->bindir, sizeof(cluster->bindir), pg_config))
			cluster->bindir[strcspn(cluster->bindir, "\n")] = '\0';
		pclose(pg_config);
		if (cluster->bindir[0] && is_executable(cluster->bindir, "initdb"))
			return 0;
	}
	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &found) == 0) {
		long best = -1;

		for (i = 0; i < found.gl_pathc; i++) {
			long version = strtol(found.gl_pathv[i] + 20, NULL, 10);

			if (version > best) {
				best = version;
				snprintf(cluster->bindir, sizeof(cluster->bindir),
					 "/usr/lib/postgresql/%ld/bin", version);
			}
		}
		globfree(&found);
		if (best >= 0)
			return 0;
	}
	fprintf(stderr, "test cluster: no initdb found (pg_config --bindir, "
		"/usr/lib/postgresql/*/bin): install postgresql-15\n");
	return -1;
}

/* As root, the user that runs the server; as anyone else, ourselves. */
static int choose_user(lrt_test_cluster *cluster)
{
	const char *name = getenv("LRT_TEST_PG_USER");
	struct passwd *user;

	cluster->as_other_user = geteuid() == 0;
	if (!cluster->as_other_user)
		return 0;
	if (name == NULL || name[0] == '\0')
		name = "postgres";
	if ((user = getpwnam(name)) == NULL || user->pw_uid == 0) {
		fprintf(stderr, "test cluster: running as root, and there is no "
			"unprivileged user %s to run initdb and the server (the "
			"postgresql-15 package creates `postgres`; or set "
			"LRT_TEST_PG_USER)\n", name);
		return -1;
	}
	cluster->uid = user->pw_uid;
	cluster->gid = user->pw_gid;
	return 0;
}

/* A new folder PARENT/NAME-XXXXXX for the cluster, its data/ inside. */
static int make_folder(lrt_test_cluster *cluster, const char *parent,
		       const char *name)
{
	struct sockaddr_un address;

	snprintf(cluster->folder, sizeof(cluster->folder), "%s/%s-XXXXXX",
		 parent, name);
	if (strlen(cluster->folder) + sizeof("/.s.PGSQL.") + strlen(cluster->port)
	    > sizeof(address.sun_path)) {
		fprintf(stderr, "test cluster: %s is too long a path for a Unix "
			"socket: set LRT_TEST_TMPDIR to a shorter folder\n", parent);
		cluster->folder[0] = '\0';
		return -1;
	}
	if (mkdtemp(cluster->folder) == NULL) {
		fprintf(stderr, "test cluster: cannot create a folder in %s: %s\n",
			parent, strerror(errno));
		cluster->folder[0] = '\0';
		return -1;
	}
	snprintf(cluster->data, sizeof(cluster->data), "%s/data", cluster->folder);
	if (cluster->as_other_user &&
	    chown(cluster->folder, cluster->uid, cluster->gid) != 0) {
		fprintf(stderr, "test cluster: cannot give %s to uid %d: %s\n",
			cluster->folder, (int)cluster->uid, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * In a freshly forked child: become the server's user, write to `log`, and
 * run `argv`.  Never returns.
 */
static void exec_child(const lrt_test_cluster *cluster, char *const argv[],
		       const char *log, bool is_server, pid_t parent)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 ||
	    dup2(fd, 2) < 0)
		_exit(127);
	if (is_server)
		setsid();        /* no terminal signals: the runner stops it */
	if (cluster->as_other_user &&
	    (setgroups(1, &cluster->gid) != 0 || setgid(cluster->gid) != 0 ||
	     setuid(cluster->uid) != 0)) {
		dprintf(2, "cannot become uid %d: %s\n", (int)cluster->uid,
			strerror(errno));
		_exit(127);
	}
	/* After the change of user, which clears it; then make sure the
	 * runner did not die before it was set. */
	if (prctl(PR_SET_PDEATHSIG, is_server ? SIGQUIT : SIGKILL) != 0 ||
	    getppid() != parent)
		_exit(127);
	if (chdir(cluster->folder) != 0)
		_exit(127);
	execv(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static pid_t spawn(const lrt_test_cluster *cluster, char *const argv[],
		   const char *log, bool is_server)
{
	pid_t parent = getpid();
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_child(cluster, argv, log, is_server, parent);
	if (pid < 0)
		fprintf(stderr, "test cluster: fork: %s\n", strerror(errno));
	return pid;
}

static void print_log_tail(const char *log)
{
	char lines[LOG_TAIL_LINES][512];
	size_t count = 0, i;
	FILE *in = fopen(log, "r");

	if (in == NULL)
		return;
	while (fgets(lines[count % LOG_TAIL_LINES], sizeof(lines[0]), in))
		count++;
	fclose(in);
	fprintf(stderr, "test cluster: the end of %s:\n", log);
	for (i = count > LOG_TAIL_LINES ? count - LOG_TAIL_LINES : 0; i < count; i++)
		fprintf(stderr, "  %s", lines[i % LOG_TAIL_LINES]);
}

/* Runs a program of the server's (argv[0] its name in bindir) to its end,
 * its output into FOLDER/NAME.log. */
static int run_tool(lrt_test_cluster *cluster, char *argv[])
{
	char program[PATH_MAX + 16], log[PATH_MAX + 16];
	const char *name = argv[0];
	pid_t pid;
	int status;

	snprintf(program, sizeof(program), "%s/%s", cluster->bindir, name);
	snprintf(log, sizeof(log), "%s/%s.log", cluster->folder, name);
	argv[0] = program;
	pid = spawn(cluster, argv, log, false);
	argv[0] = (char *)name;
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
		if (lrt_test_interrupted)
			kill(pid, SIGKILL);
	}
	if (lrt_test_interrupted)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "test cluster: %s failed\n", name);
		print_log_tail(log);
		return -1;
	}
	return 0;
}

static int run_initdb(lrt_test_cluster *cluster)
{
	char *argv[] = { "initdb", "-D", cluster->data,
		"-U", LRT_TEST_CLUSTER_SUPERUSER, "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync", "--no-instructions", NULL };

	return run_tool(cluster, argv);
}

/*
 * The primary's data as it is now, streamed over its socket, with what a
 * standby needs to follow it (-R: standby.signal, primary_conninfo).
 * initdb's pg_hba.conf already lets the superuser replicate over the
 * socket (trust).
 */
static int run_basebackup(lrt_test_cluster *standby, const char *primary_folder,
			  const char *primary_port)
{
	char *argv[] = { "pg_basebackup", "-D", standby->data,
		"-h", (char *)primary_folder, "-p", (char *)primary_port,
		"-U", LRT_TEST_CLUSTER_SUPERUSER, "-R", "-X", "stream",
		"--checkpoint=fast", "--no-sync", "--no-manifest", NULL };

	return run_tool(standby, argv);
}

static int start_server(lrt_test_cluster *cluster)
{
	char postgres[PATH_MAX + 16], log[PATH_MAX + 16];
	char socket_option[PATH_MAX + 40];
	char *argv[] = { postgres, "-D", cluster->data,
		"-p", cluster->port,
		"-c", "listen_addresses=", "-c", socket_option,
		/* Durability is worth nothing in a cluster thrown away. */
		"-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		/* Enough for a hot standby (tests/check_replica.c): its base
		 * backup takes two senders, its streaming one.  A standby
		 * needs at least the primary's max_connections and senders:
		 * the same settings serve both. */
		"-c", "wal_level=replica", "-c", "max_wal_senders=4",
		/* Small, and enough for the concurrency tests. */
		"-c", "shared_buffers=16MB", "-c", "max_connections=60",
		/* Shared memory in the folder, gone with it. */
		"-c", "dynamic_shared_memory_type=mmap",
		"-c", "autovacuum=off", "-c", "jit=off",
		"-c", "log_min_messages=warning", NULL };

	snprintf(postgres, sizeof(postgres), "%s/postgres", cluster->bindir);
	snprintf(log, sizeof(log), "%s/postgres.log", cluster->folder);
	snprintf(socket_option, sizeof(socket_option),
		 "unix_socket_directories=%s", cluster->folder);
	cluster->postmaster = spawn(cluster, argv, log, true);
	return cluster->postmaster > 0 ? 0 : -1;
}

static void conninfo(char *out, size_t size, const lrt_test_cluster *cluster)
{
	snprintf(out, size, "host=%s port=%s user=%s dbname=postgres",
		 cluster->folder, cluster->port, LRT_TEST_CLUSTER_SUPERUSER);
}

/* Waits until the server accepts connections, then reads its version. */
static int wait_ready(lrt_test_cluster *cluster, double deadline)
{
	char info[PATH_MAX + 64], log[PATH_MAX + 16];
	PGconn *conn;
	int status;

	conninfo(info, sizeof(info), cluster);
	snprintf(log, sizeof(log), "%s/postgres.log", cluster->folder);
	while (PQping(info) != PQPING_OK) {
		if (waitpid(cluster->postmaster, &status, WNOHANG) ==
		    cluster->postmaster) {
			cluster->postmaster = 0;
			fprintf(stderr, "test cluster: the server exited at start\n");
			print_log_tail(log);
			return -1;
		}
		if (lrt_test_interrupted)
			return -1;
		if (now_seconds() > deadline) {
			fprintf(stderr, "test cluster: the server did not start in "
				"%d s\n", LRT_TEST_CLUSTER_START_SECONDS);
			print_log_tail(log);
			return -1;
		}
		sleep_milliseconds(10);
	}
	conn = PQconnectdb(info);
	snprintf(cluster->version, sizeof(cluster->version), "%s",
		 PQstatus(conn) == CONNECTION_OK
		 ? PQparameterStatus(conn, "server_version") : "?");
	PQfinish(conn);
	return 0;
}

int lrt_test_cluster_start(lrt_test_cluster *cluster)
{
	const char *parent = getenv("LRT_TEST_TMPDIR");
	double started = now_seconds();

	memset(cluster, 0, sizeof(*cluster));
	snprintf(cluster->port, sizeof(cluster->port), "%s", LRT_TEST_CLUSTER_PORT);
	if (parent == NULL || parent[0] == '\0')
		parent = getenv("TMPDIR");
	if (parent == NULL || parent[0] == '\0')
		parent = "/tmp";
	if (find_bindir(cluster) != 0 || choose_user(cluster) != 0 ||
	    make_folder(cluster, parent, "lrt-test") != 0 ||
	    run_initdb(cluster) != 0 || start_server(cluster) != 0 ||
	    wait_ready(cluster, started + LRT_TEST_CLUSTER_START_SECONDS) != 0)
		return -1;
	cluster->start_seconds = now_seconds() - started;
	return 0;
}

int lrt_test_cluster_start_standby(lrt_test_cluster *standby,
				   const char *primary_folder,
				   const char *primary_port, const char *port)
{
	double started = now_seconds();

	memset(standby, 0, sizeof(*standby));
	snprintf(standby->port, sizeof(standby->port), "%s", port);
	if (find_bindir(standby) != 0 || choose_user(standby) != 0 ||
	    make_folder(standby, primary_folder, "standby") != 0 ||
	    run_basebackup(standby, primary_folder, primary_port) != 0 ||
	    start_server(standby) != 0 ||
	    wait_ready(standby, started + LRT_TEST_CLUSTER_START_SECONDS) != 0)
		return -1;
	standby->start_seconds = now_seconds() - started;
	return 0;
}

void lrt_test_cluster_export(const lrt_test_cluster *cluster)
{
	static const char *const elsewhere[] = {
		"PGHOSTADDR", "PGSERVICE", "PGSERVICEFILE", "PGOPTIONS",
		"PGPASSWORD", "PGPASSFILE", "PGTARGETSESSIONATTRS", "PGSSLMODE",
		"PGREQUIRESSL", "PGCONNECT_TIMEOUT", "LRT_SHARE_DIR", NULL
	};
	size_t i;

	for (i = 0; elsewhere[i] != NULL; i++)
		unsetenv(elsewhere[i]);
	setenv("PGHOST", cluster->folder, 1);
	setenv("PGPORT", LRT_TEST_CLUSTER_PORT, 1);
	setenv("PGUSER", LRT_TEST_CLUSTER_SUPERUSER, 1);
	setenv("PGDATABASE", "postgres", 1);
	setenv("LRT_TEST_CLUSTER_DIR", cluster->folder, 1);
}

/* Waits up to `seconds` for the server to exit; true when it has. */
static bool wait_exit(lrt_test_cluster *cluster, double seconds)
{
	double deadline = now_seconds() + seconds;
	int status;

	while (now_seconds() < deadline) {
		pid_t done = waitpid(cluster->postmaster, &status, WNOHANG);

		if (done == cluster->postmaster || (done < 0 && errno == ECHILD)) {
			cluster->postmaster = 0;
			return true;
		}
		sleep_milliseconds(5);
	}
	return false;
}

/* Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL. */
static void stop_server(lrt_test_cluster *cluster)
{
	if (cluster->postmaster <= 0)
		return;
	kill(cluster->postmaster, SIGINT);
	if (wait_exit(cluster, LRT_TEST_CLUSTER_STOP_SECONDS))
		return;
	fprintf(stderr, "test cluster: no fast shutdown in %d s; quitting\n",
		LRT_TEST_CLUSTER_STOP_SECONDS);
	kill(cluster->postmaster, SIGQUIT);
	if (wait_exit(cluster, 5))
		return;
	kill(cluster->postmaster, SIGKILL);
	wait_exit(cluster, 5);
}

static int remove_entry(const char *path, const struct stat *info, int type,
			struct FTW *where)
{
	(void)info;
	(void)type;
	(void)where;
	if (remove(path) != 0 && errno != ENOENT)
		fprintf(stderr, "test cluster: cannot remove %s: %s\n", path,
			strerror(errno));
	return 0;
}

int lrt_test_cluster_stop(lrt_test_cluster *cluster)
{
	pid_t postmaster = cluster->postmaster;
	struct stat info;
	int rc = 0;

	stop_server(cluster);
	if (cluster->postmaster > 0 || (postmaster > 0 && kill(postmaster, 0) == 0)) {
		fprintf(stderr, "test cluster: server process %d is still there\n",
			(int)postmaster);
		rc = -1;
	}
	if (cluster->folder[0] == '\0')
		return rc;
	nftw(cluster->folder, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (lstat(cluster->folder, &info) == 0 || errno != ENOENT) {
		fprintf(stderr, "test cluster: %s is still there\n",
			cluster->folder);
		rc = -1;
	}
	cluster->folder[0] = '\0';
	return rc;
}
