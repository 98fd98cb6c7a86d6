/*
 * atomic_file.h - a file written whole or not at all: the text goes to a
 * temporary file in the destination's own folder, which replaces the
 * destination in one rename(2) once every byte is on disk.  A reader of the
 * destination sees the old file or the new one, never half of one; a
 * failure anywhere leaves the old file (or no file) and removes the
 * temporary one.
 *
 *     lrt_atomic_file out;
 *
 *     if (lrt_atomic_file_open(&out, "report.html") != 0)
 *             return rc;
 *     fputs("...", out.file);
 *     rc = failed ? (lrt_atomic_file_abandon(&out), rc)
 *                 : lrt_atomic_file_commit(&out);
 *
 * The temporary file is created with mode 0666 less the umask, as the
 * destination would be by fopen, and named ".NAME.tmp-PID-N" beside it,
 * so that a file manager hides it and two writers never share one.
 */
#ifndef LRT_IO_ATOMIC_FILE_H
#define LRT_IO_ATOMIC_FILE_H

#include <stdio.h>

typedef struct {
	FILE *file;           /* write here; NULL once committed or abandoned */
	char *path;           /* the destination */
	char *temporary;      /* the file being written, beside it */
} lrt_atomic_file;

/*
 * Creates the temporary file beside `path` and opens it for writing.
 * LRT_EIO, with a message naming the destination and the reason ("cannot
 * write /x/report.html: Permission denied"), when the folder does not
 * exist or cannot be written; LRT_ENOMEM.  On error nothing is left open
 * or created, and `out` needs no abandon.
 */
int lrt_atomic_file_open(lrt_atomic_file *out, const char *path);

/*
 * Flushes the text, syncs it to disk, closes the file and renames it over
 * the destination (then syncs the folder, so the rename survives a crash).
 * LRT_EIO when a write, the sync, the close or the rename failed: the
 * temporary file is then removed and the destination left as it was.
 * Either way the file is closed afterwards.
 */
int lrt_atomic_file_commit(lrt_atomic_file *f);

/* Closes and removes the temporary file, leaving the destination as it
 * was; a no-op after a commit or an abandon. */
void lrt_atomic_file_abandon(lrt_atomic_file *f);

#endif
