/*
 * atomic_file.c - a file written whole or not at all (atomic_file.h).
 *
 * rename(2) within one file system is atomic, so the temporary file lives
 * in the destination's folder, never in /tmp.  Names are tried with
 * O_EXCL, so that a stale temporary file of a crashed writer (or another
 * writer of the same destination) is never overwritten or shared.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/assert.h"
#include "io/atomic_file.h"
#include "lrt/error.h"

/* Names tried before giving up: each taken one is another writer's or a
 * crashed writer's left-over, and more than a few is a folder gone wrong. */
#define TEMPORARY_NAME_TRIES 100

static int io_error(const char *path, int error)
{
	lrt_error_set("cannot write %s: %s", path, strerror(error));
	return LRT_EIO;
}

static int out_of_memory(const char *path)
{
	lrt_error_set("out of memory writing %s", path);
	return LRT_ENOMEM;
}

/* The folder of `path` ("." when it names none) and where its name starts. */
static char *folder_of(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');

	*name = slash != NULL ? slash + 1 : path;
	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Creates ".NAME.tmp-PID-N" in the folder; its descriptor, or -1 with errno. */
static int create_temporary(char **temporary_out, const char *folder, const char *name)
{
	size_t size = strlen(folder) + strlen(name) + 64;
	char *temporary = malloc(size);
	int try, fd = -1;

	*temporary_out = NULL;
	if (temporary == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (try = 0; try < TEMPORARY_NAME_TRIES && fd < 0; try++) {
		snprintf(temporary, size, "%s/.%s.tmp-%ld-%d", folder, name,
			 (long)getpid(), try);
		fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int error = errno;

		free(temporary);
		errno = error;
		return -1;
	}
	*temporary_out = temporary;
	return fd;
}

int lrt_atomic_file_open(lrt_atomic_file *out, const char *path)
{
	const char *name;
	char *folder = NULL;
	int fd = -1, rc = 0;

	LRT_ASSERT(out != NULL && path != NULL);
	memset(out, 0, sizeof(*out));
	if (path[0] == '\0' || path[strlen(path) - 1] == '/') {
		lrt_error_set("cannot write \"%s\": not a file name", path);
		return LRT_EIO;
	}
	if ((folder = folder_of(path, &name)) == NULL ||
	    (out->path = strdup(path)) == NULL) {
		rc = out_of_memory(path);
		goto done;
	}
	if ((fd = create_temporary(&out->temporary, folder, name)) < 0) {
		rc = errno == ENOMEM ? out_of_memory(path) : io_error(path, errno);
		goto done;
	}
	if ((out->file = fdopen(fd, "w")) == NULL) {
		rc = io_error(path, errno);
		goto done;
	}
	fd = -1;
done:
	if (rc != 0) {
		if (fd >= 0)
			close(fd);
		if (out->temporary != NULL)
			unlink(out->temporary);
		free(out->temporary);
		free(out->path);
		memset(out, 0, sizeof(*out));
	}
	free(folder);
	return rc;
}

/* Syncs the folder holding `path`, so that a rename into it is durable.
 * Best effort: a file system that cannot open or sync a folder has still
 * renamed the file. */
static void sync_folder(const char *path)
{
	const char *name;
	char *folder = folder_of(path, &name);
	int fd;

	if (folder == NULL)
		return;
	fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(folder);
}

static void release(lrt_atomic_file *f)
{
	free(f->temporary);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

int lrt_atomic_file_commit(lrt_atomic_file *f)
{
	int error = 0;
	FILE *file;

	LRT_ASSERT(f != NULL && f->file != NULL);
	file = f->file;
	f->file = NULL;
	errno = 0;
	if (fflush(file) != 0 || ferror(file))
		error = errno != 0 ? errno : EIO;
	else if (fsync(fileno(file)) != 0)
		error = errno;
	if (fclose(file) != 0 && error == 0)
		error = errno;
	if (error == 0 && rename(f->temporary, f->path) != 0)
		error = errno;
	if (error != 0) {
		unlink(f->temporary);
		io_error(f->path, error);
		release(f);
		return LRT_EIO;
	}
	sync_folder(f->path);
	release(f);
	return 0;
}

void lrt_atomic_file_abandon(lrt_atomic_file *f)
{
	if (f == NULL || f->temporary == NULL)
		return;
	if (f->file != NULL)
		fclose(f->file);
	unlink(f->temporary);
	release(f);
}
