// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Reads tests/corpus/subset.txt (see corpus_subset.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_subset.h"

#define MAX_WORDS 6

struct parser {
	const char *path;
	int line;
	char *err;
	size_t err_size;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	int n = snprintf(p->err, p->err_size, "%s:%d: ", p->path, p->line);
	va_list args;

	va_start(args, fmt);
	if (n >= 0 && (size_t)n < p->err_size)
		vsnprintf(p->err + n, p->err_size - n, fmt, args);
	va_end(args);
	return -EINVAL;
}

static int copy_name(struct parser *p, char *dst, const char *src)
{
	if (strlen(src) >= CORPUS_NAME_MAX)
		return fail(p, "name too long: %s", src);
	strcpy(dst, src);
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0b000000" or "0000_0200": bytes in memory order, '_' to group them. */
static int parse_hex(struct parser *p, const char *s, unsigned char *out, size_t *size)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (*s == '_')
			continue;
		v = hex_value(*s);
		if (v < 0)
			return fail(p, "not a hex digit: '%c'", *s);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == CORPUS_BYTES_MAX)
			return fail(p, "more than %d bytes", CORPUS_BYTES_MAX);
		out[n++] = hi << 4 | v;
		hi = -1;
	}
	if (hi >= 0 || !n)
		return fail(p, "hex bytes need an even, non-zero number of digits");
	*size = n;
	return 0;
}

static int parse_number(struct parser *p, const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 0);
	if (errno || *end || end == s)
		return fail(p, "not a number: %s", s);
	return 0;
}

static int parse_line(struct parser *p, char **w, int n, struct corpus_prog *cur)
{
	long long v;
	int err;

	if (!strcmp(w[0], "type")) {
		if (n != 2)
			return fail(p, "usage: type xdp|tc");
		if (!strcmp(w[1], "xdp"))
			cur->type = BPF_PROG_TYPE_XDP;
		else if (!strcmp(w[1], "tc"))
			cur->type = BPF_PROG_TYPE_SCHED_CLS;
		else
			return fail(p, "unknown type %s (xdp or tc)", w[1]);
		return 0;
	}
	if (!strcmp(w[0], "with")) {
		if (n != 2)
			return fail(p, "usage: with PROGRAM");
		if (cur->with_cnt == CORPUS_LIST_MAX)
			return fail(p, "more than %d 'with' lines", CORPUS_LIST_MAX);
		return copy_name(p, cur->with[cur->with_cnt++], w[1]);
	}
	if (!strcmp(w[0], "map")) {
		struct corpus_map_entry *m;

		if (n != 4)
			return fail(p, "usage: map MAP KEY VALUE");
		if (cur->map_cnt == CORPUS_LIST_MAX)
			return fail(p, "more than %d 'map' lines", CORPUS_LIST_MAX);
		m = &cur->maps[cur->map_cnt++];
		err = copy_name(p, m->map, w[1]);
		if (!err)
			err = parse_hex(p, w[2], m->key, &m->key_size);
		if (!err && !strncmp(w[3], "prog:", 5))
			err = copy_name(p, m->value_prog, w[3] + 5);
		else if (!err)
			err = parse_hex(p, w[3], m->value, &m->value_size);
		return err;
	}
	if (!strcmp(w[0], "run")) {
		struct corpus_run *r;

		if (n < 3 || n > 5)
			return fail(p, "usage: run PACKET RETVAL [SIZE [OUTPUT]]");
		if (cur->run_cnt == CORPUS_LIST_MAX)
			return fail(p, "more than %d 'run' lines", CORPUS_LIST_MAX);
		r = &cur->runs[cur->run_cnt++];
		err = copy_name(p, r->packet, w[1]);
		if (!err)
			err = parse_number(p, w[2], &r->retval);
		r->size_out = -1;
		if (!err && n >= 4) {
			err = parse_number(p, w[3], &v);
			r->size_out = v;
		}
		if (!err && n == 5)
			err = parse_hex(p, w[4], r->out_prefix, &r->out_prefix_size);
		return err;
	}
	return fail(p, "unknown keyword %s (prog, type, with, map, run)", w[0]);
}

/* "prog OBJECT PROGRAM" starts the next entry. */
static int add_prog(struct parser *p, char **w, int n, struct corpus_prog **progs, size_t *cnt)
{
	struct corpus_prog *more;

	if (n != 3)
		return fail(p, "usage: prog OBJECT PROGRAM");
	more = realloc(*progs, (*cnt + 1) * sizeof(**progs));
	if (!more)
		return fail(p, "out of memory");
	*progs = more;
	more += (*cnt)++;
	memset(more, 0, sizeof(*more));
	more->line = p->line;
	return copy_name(p, more->object, w[1]) ?: copy_name(p, more->program, w[2]);
}

int corpus_subset_read(const char *path, struct corpus_prog **progs, size_t *cnt,
		       char *err, size_t err_size)
{
	struct parser p = { .path = path, .err = err, .err_size = err_size };
	char line[1024], *w[MAX_WORDS + 1], *save;
	int n, ret = 0;
	FILE *f;

	*progs = NULL;
	*cnt = 0;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		p.line++;
		line[strcspn(line, "#\n")] = '\0';
		for (n = 0, w[0] = strtok_r(line, " \t", &save); w[n] && n < MAX_WORDS;)
			w[++n] = strtok_r(NULL, " \t", &save);
		if (!n)
			continue;
		if (n > MAX_WORDS - 1)
			ret = fail(&p, "too many words");
		else if (!strcmp(w[0], "prog"))
			ret = add_prog(&p, w, n, progs, cnt);
		else if (!*cnt)
			ret = fail(&p, "%s before the first prog line", w[0]);
		else
			ret = parse_line(&p, w, n, &(*progs)[*cnt - 1]);
	}
	fclose(f);
	if (!ret && !*cnt)
		ret = fail(&p, "no prog line");
	if (ret) {
		free(*progs);
		*progs = NULL;
		*cnt = 0;
	}
	return ret;
}
