/*
 * rusage.c - runs a command and records its wall time, CPU time and peak
 * resident memory, for tests/bench/run.sh (getrusage through wait4, so that
 * the bench needs neither GNU time nor a shell with sub-second timing).
 *
 *   rusage OUT COMMAND [ARGS...]
 *
 * Writes one line to OUT: wall_ns=N user_us=N sys_us=N maxrss_kb=N
 * status=N, and exits with the command's status (125 when it cannot run).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long nanoseconds(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long microseconds(const struct timeval *t)
{
	return (long long)t->tv_sec * 1000000LL + t->tv_usec;
}

int main(int argc, char **argv)
{
	struct timespec start, end;
	struct rusage usage;
	FILE *out;
	pid_t child;
	int status = 0, code;

	if (argc < 3) {
		fprintf(stderr, "usage: rusage OUT COMMAND [ARGS...]\n");
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	child = fork();
	if (child < 0) {
		perror("rusage: fork");
		return 125;
	}
	if (child == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "rusage: %s: %s\n", argv[2], strerror(errno));
		_exit(125);
	}
	while (wait4(child, &status, 0, &usage) < 0) {
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 125;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	out = fopen(argv[1], "w");
	if (out == NULL) {
		perror(argv[1]);
		return 125;
	}
	fprintf(out, "wall_ns=%lld user_us=%lld sys_us=%lld maxrss_kb=%ld status=%d\n",
		nanoseconds(&end) - nanoseconds(&start), microseconds(&usage.ru_utime),
		microseconds(&usage.ru_stime), usage.ru_maxrss, code);
	if (fclose(out) != 0)
		return 125;
	return code;
}
