/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Printing events fast: per-site formatting plans, built once. */
#ifndef __BPFSDT_EVENT_FORMAT_H
#define __BPFSDT_EVENT_FORMAT_H

#include <stdbool.h>
#include <stdio.h>
#include "libbpfsdt.h"

struct event_format;

/* What an event line carries besides the probe and its arguments. JSON
 * always ends in the site id, CPU, monotonic and wall-clock time. */
struct event_stamp {
	bool text_time;		/* -T: wall-clock time and CPU before a text line */
	unsigned long long frame;	/* its packet's number in the capture, 0: none */
};

/* Writes the text before and the JSON after an event's own fields into
 * buf (room for EVENT_STAMP_MAX); the length written. */
#define EVENT_STAMP_MAX 160
int event_stamp_prefix(char *buf, const struct bpf_sdt_event *ev, const struct event_stamp *st,
		       bool json);
int event_stamp_suffix(char *buf, const struct bpf_sdt_event *ev, const struct event_stamp *st,
		       bool json);

struct event_format *event_format_new(const struct bpf_sdt_object *sdt);
void event_format_free(struct event_format *f);
/* Writes ev as one text or JSON line; -1 if it cannot (the caller then
 * formats it the slow way). */
int event_format_line(struct event_format *f, const struct bpf_sdt_event *ev, bool json,
		      const struct event_stamp *st, FILE *out);

/* An event of a dynamic site: its registers, "r1=14, r6=0xffff..." (JSON:
 * "regs": {"r1": 14, "r6": "0xffff..."}), the ones no path sets left out. */
int event_format_registers(const struct bpf_sdt_event *ev, bool json,
			   const struct event_stamp *st, FILE *out);

#endif
