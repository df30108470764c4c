/*
 * input_file.c - opening inputs (regular files only), whole-file reads with
 * a size limit, and the list of the command's inputs by device and inode.
 */
#include "input/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the inputs of this command ---- */

typedef struct input_id {
	dev_t device;
	ino_t inode;
	char *path;                /* as first named, for messages */
} input_id;

static input_id *inputs;       /* every distinct file read so far */
static size_t input_count, input_capacity;

int vr_input_note(const char *path, dev_t device, ino_t inode, vr_diag *diag)
{
	for (size_t i = 0; i < input_count; i++)
		if (inputs[i].device == device && inputs[i].inode == inode)
			return 0;
	if (input_count == input_capacity) {
		size_t grown = input_capacity ? input_capacity * 2 : 16;
		input_id *bigger = realloc(inputs, grown * sizeof *bigger);
		if (!bigger)
			return vr_diag_at(diag, (vr_where){path, 0, 0}, "out of memory");
		inputs = bigger;
		input_capacity = grown;
	}
	char *copy = strdup(path);
	if (!copy)
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "out of memory");
	inputs[input_count++] = (input_id){device, inode, copy};
	return 0;
}

void vr_inputs_forget(void)
{
	for (size_t i = 0; i < input_count; i++)
		free(inputs[i].path);
	free(inputs);
	inputs = NULL;
	input_count = input_capacity = 0;
}

int vr_output_check(const char *path, const char *label, vr_diag *diag)
{
	if (path[0] == '\0')
		return vr_diag_at(diag, (vr_where){label, 0, 0}, "found an empty path, expected the name of a file to write");
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;   /* nothing there yet (or unreachable: the open will say why) */
	for (size_t i = 0; i < input_count; i++)
		if (inputs[i].device == st.st_dev && inputs[i].inode == st.st_ino)
			return vr_diag_at(diag, (vr_where){label, 0, 0},
					  "found the output '%s', which is the input '%s' of this command, expected an output that replaces no input",
					  path, inputs[i].path);
	return 0;
}

/* ---- opening and reading ---- */

static const char *file_type(mode_t mode)
{
	return S_ISDIR(mode) ? "a folder" : S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) ? "a character device"
	       : S_ISBLK(mode) ? "a block device" : S_ISSOCK(mode) ? "a socket" : "not a regular file";
}

FILE *vr_input_open(const char *path, const char *what, vr_diag *diag)
{
	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	 * writer, forever.  It is cleared again once the file is known to be
	 * regular (where it changes nothing anyway). */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot open the file: %s", strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot read the file: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		vr_diag_at(diag, (vr_where){path, 0, 0}, "found %s, expected a regular file (%s)", file_type(st.st_mode), what);
		return NULL;
	}
	FILE *f = NULL;
	if (fcntl(fd, F_SETFL, 0) != 0 || vr_input_note(path, st.st_dev, st.st_ino, diag) != 0 || !(f = fdopen(fd, "rb"))) {
		if (!diag->failed)
			vr_diag_at(diag, (vr_where){path, 0, 0}, "cannot read the file: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

static int refuse(FILE *f, char *text, vr_diag *diag, const char *path, const char *message, const char *detail)
{
	free(text);
	fclose(f);
	return vr_diag_at(diag, (vr_where){path, 0, 0}, "%s%s", message, detail);
}

int vr_read_file(const char *path, size_t max_bytes, const char *what, char **out, size_t *length, vr_diag *diag)
{
	*out = NULL;
	*length = 0;
	FILE *f = vr_input_open(path, what, diag);
	if (!f)
		return -1;
	char *text = NULL;
	size_t capacity = 0;
	for (;;) {
		if (*length + 1 >= capacity) {
			size_t grown_capacity = capacity ? capacity * 2 : 4096;
			if (capacity > max_bytes) {
				char detail[160];
				snprintf(detail, sizeof detail, "found a file larger than %zu MiB, expected %s", max_bytes >> 20, what);
				return refuse(f, text, diag, path, "", detail);
			}
			char *grown = realloc(text, grown_capacity);
			if (!grown)
				return refuse(f, text, diag, path, "out of memory", "");
			text = grown;
			capacity = grown_capacity;
		}
		size_t got = fread(text + *length, 1, capacity - 1 - *length, f);
		*length += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		return refuse(f, text, diag, path, "cannot read the file: ", strerror(errno));
	fclose(f);
	if (*length > max_bytes) {
		free(text);
		return vr_diag_at(diag, (vr_where){path, 0, 0}, "found a file larger than %zu MiB, expected %s", max_bytes >> 20, what);
	}
	text[*length] = '\0';
	*out = text;
	return 0;
}
