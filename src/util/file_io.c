// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/util.h"

/* Larger than any BPF object we have seen by two orders of magnitude; a
 * bound keeps a mistaken path (a disk image, /dev/zero) from eating memory. */
#define MAX_OBJECT_SIZE (1ULL << 30)

void *sdt_read_file(const char *path, size_t *size, int *err)
{
	struct stat st;
	size_t got = 0;
	char *buf = NULL;
	ssize_t n;
	int fd;

	*err = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	if (fstat(fd, &st)) {
		*err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = -EINVAL;
		goto out;
	}
	if ((unsigned long long)st.st_size > MAX_OBJECT_SIZE) {
		*err = -EFBIG;
		goto out;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		*err = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n < 0 ? -errno : -EIO;
			free(buf);
			buf = NULL;
			goto out;
		}
		got += n;
	}
	*size = got;
out:
	close(fd);
	return buf;
}
