/*
 * cluster.h - a private, throwaway PostgreSQL cluster for the tests.
 *
 * initdb into a fresh folder under $LRT_TEST_TMPDIR, else $TMPDIR, else
 * /tmp; the server listens only on a Unix socket in that folder (no TCP),
 * with settings that trade durability for speed.  As root (CI), initdb and
 * the server run as the `postgres` system user of Debian's package
 * (LRT_TEST_PG_USER to choose another), since initdb refuses root; as
 * anyone else they run as that user.  The binaries are found with
 * `pg_config --bindir`, else in /usr/lib/postgresql/NN/bin (LRT_PG_BINDIR
 * to choose).
 *
 * The runner (tests/runner.c) starts one cluster for the whole run and
 * always stops it and removes its folder: after passing tests, failing
 * tests, a crashed test process and SIGINT/SIGTERM/SIGHUP alike.
 *
 * A suite may start a hot standby of it (lrt_test_cluster_start_standby):
 * a folder inside the cluster's, so that it goes with it, and a server
 * that is the starting process's child and goes with that process.
 */
#ifndef LRT_TESTS_CLUSTER_H
#define LRT_TESTS_CLUSTER_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* How long the server may take to start and to stop before it is killed. */
#define LRT_TEST_CLUSTER_START_SECONDS 60
#define LRT_TEST_CLUSTER_STOP_SECONDS 30
/* The port names the socket file (.s.PGSQL.5432) in the private folder only. */
#define LRT_TEST_CLUSTER_PORT "5432"
/* The cluster's superuser, the same whoever runs the tests. */
#define LRT_TEST_CLUSTER_SUPERUSER "postgres"

typedef struct {
	char folder[PATH_MAX];    /* the temporary folder: socket, logs, data/ */
	char data[PATH_MAX + 8];  /* folder/data */
	char bindir[PATH_MAX];    /* initdb, postgres */
	bool as_other_user;       /* run as uid/gid below (we are root) */
	uid_t uid;
	gid_t gid;
	char port[8];             /* names the socket file .s.PGSQL.PORT */
	pid_t postmaster;         /* 0 when not running */
	char version[32];         /* "15.18" */
	double start_seconds;     /* time taken by initdb and start */
} lrt_test_cluster;

/*
 * Set by the runner's signal handler: the start gives up, kills what it
 * started, and returns -1 as soon as it sees it.
 */
extern volatile sig_atomic_t lrt_test_interrupted;

/*
 * Creates the folder, runs initdb and starts the server, waiting until it
 * accepts connections.  Returns 0, or -1 after printing why to stderr (with
 * the tail of initdb's or the server's log); the caller then calls
 * lrt_test_cluster_stop all the same, to remove what was made.
 */
int lrt_test_cluster_start(lrt_test_cluster *cluster);

/*
 * A streaming-replication hot standby of the running cluster whose socket
 * is PRIMARY_FOLDER/.s.PGSQL.PRIMARY_PORT: a new folder
 * PRIMARY_FOLDER/standby-XXXXXX holding its socket (port PORT) and its
 * data, taken with `pg_basebackup -R -X stream`, and its server, started
 * with the primary's settings, waited for until it accepts (read-only)
 * connections.  The server is the caller's child, in a session of its own,
 * and gets SIGQUIT (immediate shutdown) if the caller dies first.  Returns
 * 0, or -1 after printing why to stderr; the caller then calls
 * lrt_test_cluster_stop all the same, as after lrt_test_cluster_start.
 */
int lrt_test_cluster_start_standby(lrt_test_cluster *standby,
				   const char *primary_folder,
				   const char *primary_port, const char *port);

/*
 * Points libpq's environment at the cluster (PGHOST, PGPORT, PGUSER,
 * PGDATABASE=postgres) and clears the variables that could send a
 * connection elsewhere (PGHOSTADDR, PGSERVICE, ...), for the tests and the
 * `lrt` processes they start.  Also sets LRT_TEST_CLUSTER_DIR.
 */
void lrt_test_cluster_export(const lrt_test_cluster *cluster);

/*
 * Stops the server (fast shutdown, then immediate, then SIGKILL) and removes
 * the folder.  Returns 0 when no server process and no folder are left,
 * else -1 after saying what is left.  Safe on a cluster that never started.
 */
int lrt_test_cluster_stop(lrt_test_cluster *cluster);

#endif
