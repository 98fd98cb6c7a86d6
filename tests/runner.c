/*
 * runner.c - runs every Check suite of tests/check_*.c in one runner, so the
 * summary line counts every test that ran, against one private PostgreSQL
 * cluster (tests/cluster.h) started before the first test.
 *
 * The suites are found at build time (build/gen/suites.h, made by the
 * Makefile from the `Suite *NAME_suite(void)` definitions).  CK_RUN_SUITE,
 * CK_RUN_CASE and CK_VERBOSITY select a part and the detail, as Check
 * documents.
 *
 * Two processes: this one owns the cluster, and a child runs the suites
 * (each test forked again by Check).  Whatever becomes of the child, passing,
 * failing, crashing, or stopped by a signal this process forwards to it,
 * this one stops the server and removes the folder before it exits.  A
 * signal is then raised again, so that make and shells see it.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"

#define LRT_SUITE(name) Suite *name##_suite(void);
#include "suites.h"
#undef LRT_SUITE

/* How long the suites get to stop after a forwarded signal. */
#define STOP_GRACE_SECONDS 10

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define STOP_SIGNAL_COUNT (sizeof(stop_signals) / sizeof(stop_signals[0]))

static void on_stop_signal(int number)
{
	lrt_test_interrupted = number;
}

/* No SA_RESTART: a signal interrupts waitpid, so the owner sees it. */
static void set_stop_handlers(void (*handler)(int))
{
	struct sigaction action;
	size_t i;

	memset(&action, 0, sizeof(action));
	action.sa_handler = handler;
	sigemptyset(&action.sa_mask);
	for (i = 0; i < STOP_SIGNAL_COUNT; i++)
		sigaction(stop_signals[i], &action, NULL);
}

static int run_suites(void)
{
	SRunner *runner = srunner_create(NULL);
	int failed;

#define LRT_SUITE(name) srunner_add_suite(runner, name##_suite());
#include "suites.h"
#undef LRT_SUITE

	srunner_run_all(runner, CK_ENV);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * The suites' process: a process group of its own (Check kills its own
 * group when interrupted, which must not reach this owner) and death with
 * its parent.
 */
static pid_t start_suites(void)
{
	pid_t owner = getpid();
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fprintf(stderr, "runner: fork: %s\n", strerror(errno));
	if (pid != 0)
		return pid;
	set_stop_handlers(SIG_DFL);
	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != owner)
		_exit(EXIT_FAILURE);
	_exit(run_suites());
}

/*
 * Waits for the suites, passing a stop signal on, then killing them if they
 * outlive the grace period.  Polls, so that a signal that lands just before
 * a wait is not missed.  Returns their wait status, or -1.
 */
static int wait_suites(pid_t suites)
{
	const struct timespec pause = { 0, 20 * 1000000L };
	int forwarded = 0, waited_ms = 0;
	int status;

	if (suites < 0)
		return -1;
	for (;;) {
		pid_t done = waitpid(suites, &status, WNOHANG);

		if (done == suites)
			return status;
		if (done < 0 && errno != EINTR)
			return -1;
		if (lrt_test_interrupted && !forwarded) {
			/* Check stops the running test on SIGINT and SIGTERM. */
			forwarded = lrt_test_interrupted;
			kill(suites, forwarded == SIGINT ? SIGINT : SIGTERM);
		}
		nanosleep(&pause, NULL);
		if (forwarded && (waited_ms += 20) == STOP_GRACE_SECONDS * 1000)
			kill(-suites, SIGKILL);
	}
}

static int suites_result(int status)
{
	if (status == -1) {
		fprintf(stderr, "runner: lost the process running the suites\n");
		return EXIT_FAILURE;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "runner: the process running the suites died "
			"of signal %d (%s)\n", WTERMSIG(status),
			strsignal(WTERMSIG(status)));
		return EXIT_FAILURE;
	}
	return WEXITSTATUS(status);
}

int main(void)
{
	lrt_test_cluster cluster;
	int result = EXIT_FAILURE;
	int stopped;

	set_stop_handlers(on_stop_signal);
	if (lrt_test_cluster_start(&cluster) == 0) {
		fprintf(stderr, "test cluster: PostgreSQL %s in %s, started in "
			"%.1f s\n", cluster.version, cluster.folder,
			cluster.start_seconds);
		lrt_test_cluster_export(&cluster);
		result = suites_result(wait_suites(start_suites()));
	}
	/* Check's summary line stays the last line of a run that went well;
	 * a cluster that would not stop says so itself */
	stopped = lrt_test_cluster_stop(&cluster);
	if (lrt_test_interrupted) {
		fprintf(stderr, "runner: stopped by signal %d\n",
			(int)lrt_test_interrupted);
		signal(lrt_test_interrupted, SIG_DFL);
		raise(lrt_test_interrupted);
	}
	return stopped == 0 ? result : EXIT_FAILURE;
}
