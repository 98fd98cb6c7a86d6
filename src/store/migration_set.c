/*
 * migration_set.c - finds, reads, names and orders the files `lrt migrate`
 * applies (see migration_set.h).
 *
 * The files are few and small, read once per migrate: every file is read
 * whole and hashed up front, so that a misnamed, unreadable or changed file
 * is reported before anything is applied.  The hash is libcrypto's SHA-256:
 * computed here, where the bytes are, with no server needed (libpq links
 * libcrypto already, so it costs no new library).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "core/assert.h"
#include "lrt/error.h"
#include "store/embedded.h"
#include "store/migration_set.h"

#define MIGRATIONS_FOLDER "migrations"
#define SQL_FOLDER "sql"

static bool ends_with(const char *text, const char *suffix)
{
	size_t text_bytes = strlen(text), suffix_bytes = strlen(suffix);

	return text_bytes >= suffix_bytes &&
	       strcmp(text + text_bytes - suffix_bytes, suffix) == 0;
}

/* Reads "NNNN_title.sql" into file->version and file->title. */
static int parse_migration_name(lrt_migration_file *file)
{
	const char *name = file->name;
	size_t title_bytes, i;

	if (strlen(name) < 10 || !ends_with(name, ".sql") || name[4] != '_')
		goto bad;
	for (i = 0; i < 4; i++)
		if (name[i] < '0' || name[i] > '9')
			goto bad;
	title_bytes = strlen(name) - 9;
	if (title_bytes > LRT_MIGRATION_TITLE_BYTES_MAX)
		goto bad;
	for (i = 5; i < 5 + title_bytes; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_' ||
		      (name[i] >= '0' && name[i] <= '9')))
			goto bad;
	file->version = (unsigned)strtoul(name, NULL, 10);
	if (file->version == 0)
		goto bad;
	memcpy(file->title, name + 5, title_bytes);
	file->title[title_bytes] = '\0';
	return 0;
bad:
	lrt_error_set("%s: not a migration name: want NNNN_title.sql, NNNN "
		      "from 0001, title of a-z, 0-9 and _ (at most %d)",
		      file->path, LRT_MIGRATION_TITLE_BYTES_MAX);
	return LRT_EINVAL;
}

int lrt_migration_checksum(char hex[LRT_MIGRATION_CHECKSUM_BYTES],
			   const void *data, size_t length)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_bytes = 0, i;

	if (EVP_Digest(data, length, digest, &digest_bytes, EVP_sha256(), NULL) != 1) {
		unsigned long code = ERR_get_error();
		const char *reason = code != 0 ? ERR_reason_error_string(code) : NULL;

		lrt_error_set("out of memory for a SHA-256 (libcrypto: %s)",
			      reason != NULL ? reason : "no reason given");
		ERR_clear_error();
		return LRT_ENOMEM;
	}
	LRT_ASSERT(2 * digest_bytes + 1 == LRT_MIGRATION_CHECKSUM_BYTES);
	for (i = 0; i < digest_bytes; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[2 * digest_bytes] = '\0';
	return 0;
}

/*
 * Appends a file to the set: `path` is copied, `text` borrowed unless
 * `owned_text` (then the set frees it, on error too).
 */
static int add_file(lrt_migration_set *set, bool is_migration,
		    const char *path, const char *text, size_t length,
		    char *owned_text)
{
	lrt_migration_file **files = is_migration ? &set->migrations : &set->sql;
	size_t *count = is_migration ? &set->migration_count : &set->sql_count;
	size_t limit = is_migration ? LRT_MIGRATION_VERSION_MAX : LRT_SQL_FILES_MAX;
	lrt_migration_file *grown, *file;
	const char *slash;
	char *copy = NULL;

	if (*count >= limit) {
		lrt_error_set("%s: more than %zu files in %s/", path, limit,
			      is_migration ? MIGRATIONS_FOLDER : SQL_FOLDER);
		free(owned_text);
		return LRT_ELIMIT;
	}
	grown = realloc(*files, (*count + 1) * sizeof(**files));
	if (grown != NULL)
		*files = grown;
	if (grown == NULL || (copy = strdup(path)) == NULL) {
		lrt_error_set("out of memory reading the migrations");
		free(owned_text);
		return LRT_ENOMEM;
	}
	file = &grown[(*count)++];
	memset(file, 0, sizeof(*file));
	file->path = copy;
	slash = strrchr(copy, '/');
	file->name = slash != NULL ? slash + 1 : copy;
	file->text = text;
	file->length = length;
	file->owned_text = owned_text;
	if (strlen(text) != length) {
		lrt_error_set("%s: holds a NUL byte", path);
		return LRT_EINVAL;
	}
	if (lrt_migration_checksum(file->checksum, text, length) != 0) {
		lrt_error_prefix("%s", path);
		return LRT_ENOMEM;
	}
	return is_migration ? parse_migration_name(file) : 0;
}

static int load_embedded(lrt_migration_set *set)
{
	const struct lrt_embedded_file *entry;
	int rc;

	for (entry = lrt_embedded_files; entry->path != NULL; entry++) {
		bool is_migration = strncmp(entry->path, MIGRATIONS_FOLDER "/",
					    sizeof(MIGRATIONS_FOLDER)) == 0;

		if ((rc = add_file(set, is_migration, entry->path, entry->data,
				   entry->length, NULL)) != 0)
			return rc;
	}
	return 0;
}

/* Reads a whole file into a new NUL-terminated buffer. */
static int read_whole(char **out, size_t *length, const char *path)
{
	FILE *in = NULL;
	struct stat info;
	char *text = NULL;
	int rc = 0;

	*out = NULL;
	if ((in = fopen(path, "rb")) == NULL || fstat(fileno(in), &info) != 0) {
		lrt_error_set("%s: %s", path, strerror(errno));
		rc = LRT_EIO;
		goto done;
	}
	if (!S_ISREG(info.st_mode) ||
	    (unsigned long long)info.st_size > LRT_MIGRATION_FILE_BYTES_MAX) {
		lrt_error_set("%s: %s", path, !S_ISREG(info.st_mode)
			      ? "not a regular file" : "larger than 16 MiB");
		rc = S_ISREG(info.st_mode) ? LRT_ELIMIT : LRT_EIO;
		goto done;
	}
	if ((text = malloc((size_t)info.st_size + 1)) == NULL) {
		lrt_error_set("%s: out of memory", path);
		rc = LRT_ENOMEM;
		goto done;
	}
	*length = fread(text, 1, (size_t)info.st_size, in);
	if (ferror(in) || *length != (size_t)info.st_size) {
		lrt_error_set("%s: cannot be read whole", path);
		rc = LRT_EIO;
		goto done;
	}
	text[*length] = '\0';
	*out = text;
	text = NULL;
done:
	free(text);
	if (in != NULL)
		fclose(in);
	return rc;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names)
{
	size_t i;

	for (i = 0; names != NULL && names[i] != NULL; i++)
		free(names[i]);
	free(names);
}

/* The names of the *.sql files of `folder`, sorted; NULL-terminated. */
static int list_folder(char ***out, const char *folder, size_t limit)
{
	DIR *dir = NULL;
	struct dirent *entry;
	char **names = NULL, **grown;
	size_t count = 0;
	int rc = 0;

	*out = NULL;
	if ((dir = opendir(folder)) == NULL) {
		lrt_error_set("%s: %s", folder, strerror(errno));
		rc = LRT_EIO;
		goto done;
	}
	if ((names = calloc(1, sizeof(*names))) == NULL)
		goto no_memory;
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.' || !ends_with(entry->d_name, ".sql"))
			continue;
		if (count >= limit) {
			lrt_error_set("%s: more than %zu .sql files", folder, limit);
			rc = LRT_ELIMIT;
			goto done;
		}
		if ((grown = realloc(names, (count + 2) * sizeof(*names))) == NULL)
			goto no_memory;
		names = grown;
		names[count + 1] = NULL;
		if ((names[count] = strdup(entry->d_name)) == NULL)
			goto no_memory;
		count++;
	}
	qsort(names, count, sizeof(*names), compare_names);
	*out = names;
	names = NULL;
	goto done;
no_memory:
	lrt_error_set("%s: out of memory listing the folder", folder);
	rc = LRT_ENOMEM;
done:
	free_names(names);
	if (dir != NULL)
		closedir(dir);
	return rc;
}

/* Adds every *.sql file of share_dir/folder to the set. */
static int load_folder(lrt_migration_set *set, const char *share_dir,
		       const char *folder, bool is_migration)
{
	char path[4096];
	char **names = NULL;
	char *text;
	size_t length = 0, i;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", share_dir, folder);
	if ((rc = list_folder(&names, path, is_migration
			      ? LRT_MIGRATION_VERSION_MAX : LRT_SQL_FILES_MAX)) != 0)
		return rc;
	for (i = 0; names[i] != NULL; i++) {
		if (snprintf(path, sizeof(path), "%s/%s/%s", share_dir, folder,
			     names[i]) >= (int)sizeof(path)) {
			lrt_error_set("%s/%s: path too long", share_dir, folder);
			rc = LRT_ELIMIT;
			break;
		}
		if ((rc = read_whole(&text, &length, path)) != 0 ||
		    (rc = add_file(set, is_migration, path, text, length,
				   text)) != 0)
			break;
	}
	free_names(names);
	return rc;
}

static int load_share_dir(lrt_migration_set *set, const char *share_dir)
{
	char sql_folder[4096];
	struct stat info;
	int rc;

	if ((rc = load_folder(set, share_dir, MIGRATIONS_FOLDER, true)) != 0)
		return rc;
	snprintf(sql_folder, sizeof(sql_folder), "%s/%s", share_dir, SQL_FOLDER);
	if (stat(sql_folder, &info) != 0 && errno == ENOENT)
		return 0;        /* no reporting SQL yet */
	return load_folder(set, share_dir, SQL_FOLDER, false);
}

static int compare_versions(const void *a, const void *b)
{
	const lrt_migration_file *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

static int compare_paths(const void *a, const void *b)
{
	const lrt_migration_file *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int lrt_migration_set_load(lrt_migration_set *set, const char *share_dir)
{
	size_t i;
	int rc;

	memset(set, 0, sizeof(*set));
	rc = share_dir != NULL ? load_share_dir(set, share_dir)
			       : load_embedded(set);
	if (rc != 0)
		goto done;
	if (set->migration_count > 0)
		qsort(set->migrations, set->migration_count,
		      sizeof(*set->migrations), compare_versions);
	if (set->sql_count > 0)
		qsort(set->sql, set->sql_count, sizeof(*set->sql), compare_paths);
	for (i = 1; i < set->migration_count; i++) {
		if (set->migrations[i].version == set->migrations[i - 1].version) {
			lrt_error_set("%s and %s: two migrations of version %04u",
				      set->migrations[i - 1].path,
				      set->migrations[i].path,
				      set->migrations[i].version);
			rc = LRT_EINVAL;
			goto done;
		}
	}
done:
	if (rc != 0)
		lrt_migration_set_clear(set);
	return rc;
}

static void clear_files(lrt_migration_file *files, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(files[i].path);
		free(files[i].owned_text);
	}
	free(files);
}

void lrt_migration_set_clear(lrt_migration_set *set)
{
	clear_files(set->migrations, set->migration_count);
	clear_files(set->sql, set->sql_count);
	memset(set, 0, sizeof(*set));
}

lrt_migration_file *lrt_migration_set_find(lrt_migration_set *set,
					   unsigned version)
{
	lrt_migration_file key;

	if (set->migration_count == 0)
		return NULL;
	key.version = version;
	return bsearch(&key, set->migrations, set->migration_count,
		       sizeof(*set->migrations), compare_versions);
}
