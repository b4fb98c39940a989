// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Naming the process that holds a hook, and telling whether it still runs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "relink/session.h"

/* Field 22 of /proc/PID/stat. The command name (field 2) is in
 * parentheses and may hold spaces and parentheses itself: the fields
 * that follow start after its last ')'. */
static int proc_start_time(__u32 pid, __u64 *start)
{
	char path[32], buf[1024], *p;
	unsigned long long v;
	size_t n;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	p++;
	for (i = 3; i < 22 && p; i++) /* field i starts after the next space */
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &v) != 1)
		return -EINVAL;
	*start = v;
	return 0;
}

int sdt_session_self(struct sdt_session *s)
{
	memset(s, 0, sizeof(*s));
	s->pid = (__u32)getpid();
	s->since = (__u64)time(NULL);
	return proc_start_time(s->pid, &s->start);
}

bool sdt_session_alive(const struct sdt_session *s)
{
	__u64 start;

	return s->pid && !proc_start_time(s->pid, &start) && start == s->start;
}

void sdt_session_describe(const struct sdt_session *s, char *buf, size_t size)
{
	time_t since = (time_t)s->since;
	char when[32] = "?";
	struct tm tm;

	if (localtime_r(&since, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, size, "pid %u (%s), since %s", s->pid,
		 sdt_session_alive(s) ? "running" : "gone", when);
}
