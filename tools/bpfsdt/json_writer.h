/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Minimal streaming JSON writer for the CLI's --json output. */
#ifndef __BPFSDT_JSON_WRITER_H
#define __BPFSDT_JSON_WRITER_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json_writer {
	FILE *out;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json_writer *w, FILE *out);
void json_object_start(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_start(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);	/* NULL -> null */
void json_uint(struct json_writer *w, unsigned long long v);
void json_int(struct json_writer *w, long long v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);
/* Writes only the separator a value needs, for values the caller prints
 * itself (already-formatted JSON). */
void json_raw_value_prefix(struct json_writer *w);
/* Ends the document with a newline. */
void json_finish(struct json_writer *w);

#endif
