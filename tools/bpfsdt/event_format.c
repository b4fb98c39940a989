// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE /* fwrite_unlocked: one thread prints */
/*
 * The event printer's fast path. Everything about a site that does not
 * change between its events -- the text before its arguments, how each
 * argument is printed, enumerator names -- is worked out once and cached;
 * an event then costs one table lookup, integer conversions by hand and one
 * write. Output is identical to formatting each value with
 * bpf_sdt_format_value() (tests/unit/test_cli_run.c holds it to that).
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "event_format.h"

#define CACHE_SLOTS 1024	/* power of two */
#define LINE_MAX_LEN 4096

enum arg_kind { A_UINT, A_INT, A_BOOL, A_ENUM, A_PTR };

struct arg_plan {
	enum arg_kind kind;
	int bits;			/* value bits of integers and enums */
	bool is_signed;			/* enums */
	const struct btf_type *enum_t;
};

struct site_plan {
	const struct bpf_sdt_site *site;
	bool json;
	char prefix[256];
	size_t prefix_len;
	int nargs;
	struct arg_plan args[BPF_SDT_MAX_ARGS];
};

struct event_format {
	const struct btf *btf;
	struct site_plan *slots[CACHE_SLOTS];
};

struct event_format *event_format_new(const struct bpf_sdt_object *sdt)
{
	struct event_format *f = calloc(1, sizeof(*f));

	if (f)
		f->btf = bpf_sdt_object__btf(sdt);
	return f;
}

void event_format_free(struct event_format *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < CACHE_SLOTS; i++)
		free(f->slots[i]);
	free(f);
}

static void plan_arg(const struct btf *btf, __u32 type_id, struct arg_plan *a)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, type_id));

	memset(a, 0, sizeof(*a));
	a->kind = A_PTR;
	if (!t)
		return;
	if (btf_is_int(t)) {
		__u8 enc = btf_int_encoding(t);

		a->bits = btf_int_bits(t);
		a->kind = enc & BTF_INT_BOOL ? A_BOOL : enc & BTF_INT_SIGNED ? A_INT : A_UINT;
	} else if (btf_is_any_enum(t)) {
		a->kind = A_ENUM;
		a->bits = 8 * t->size;
		a->is_signed = btf_kflag(t);
		a->enum_t = t;
	}
}

static struct site_plan *plan_site(struct event_format *f, const struct bpf_sdt_event *ev,
				   bool json)
{
	const char *fn = bpf_sdt_site__function(ev->site);
	struct site_plan *p = calloc(1, sizeof(*p));
	int i;

	if (!p)
		return NULL;
	p->site = ev->site;
	p->json = json;
	p->nargs = ev->nargs;
	if (json)
		snprintf(p->prefix, sizeof(p->prefix),
			 "{\"probe\": \"%s\", \"function\": %s%s%s, \"insn\": %u, \"args\": [",
			 bpf_sdt_probe__name(ev->probe), fn ? "\"" : "", fn ? fn : "null",
			 fn ? "\"" : "", bpf_sdt_site__insn(ev->site));
	else
		snprintf(p->prefix, sizeof(p->prefix), "%s insn %u: %s(", fn ? fn : "?",
			 bpf_sdt_site__insn(ev->site), bpf_sdt_probe__name(ev->probe));
	p->prefix_len = strlen(p->prefix);
	for (i = 0; i < ev->nargs; i++)
		plan_arg(f->btf, bpf_sdt_probe__arg_type_id(ev->probe, i), &p->args[i]);
	return p;
}

static struct site_plan *lookup(struct event_format *f, const struct bpf_sdt_event *ev, bool json)
{
	size_t h = (((size_t)ev->site >> 4) * 2 + json) & (CACHE_SLOTS - 1), i;

	for (i = 0; i < CACHE_SLOTS; i++, h = (h + 1) & (CACHE_SLOTS - 1)) {
		if (!f->slots[h])
			return f->slots[h] = plan_site(f, ev, json);
		if (f->slots[h]->site == ev->site && f->slots[h]->json == json)
			return f->slots[h];
	}
	return NULL; /* more distinct sites than slots: the caller falls back */
}

/* Two digits a step: each step waits for the one before (a multiply by
 * the reciprocal), and a JSON event's two timestamps have 33 digits. */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static char *put_u64(char *o, __u64 v)
{
	static const __u64 pow10[] = {
		10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
		100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
		1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
		1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
		1000000000000000000ULL, 10000000000000000000ULL,
	};
	char *end = o + 1, *p;
	size_t k;

	/* the length first (compares, no chain of divisions): digits go
	 * straight out */
	for (k = 0; k < sizeof(pow10) / sizeof(pow10[0]) && v >= pow10[k]; k++)
		end++;
	p = end;
	while (v >= 100) {
		p -= 2;
		p[0] = digit_pairs[2 * (v % 100)];
		p[1] = digit_pairs[2 * (v % 100) + 1];
		v /= 100;
	}
	if (v >= 10) {
		p[-2] = digit_pairs[2 * v];
		p[-1] = digit_pairs[2 * v + 1];
	} else {
		p[-1] = (char)('0' + v);
	}
	return end;
}

static char *put_s64(char *o, __s64 v)
{
	if (v < 0) {
		*o++ = '-';
		return put_u64(o, -(__u64)v);
	}
	return put_u64(o, (__u64)v);
}

static __u64 low_bits(__u64 v, int bits)
{
	return bits >= 64 ? v : v & ((1ULL << bits) - 1);
}

static __s64 sign_extend(__u64 v, int bits)
{
	return bits >= 64 ? (__s64)v : (__s64)(v << (64 - bits)) >> (64 - bits);
}

static char *put_str(char *o, const char *s, bool quoted)
{
	size_t n = strlen(s);

	if (quoted)
		*o++ = '"';
	memcpy(o, s, n);
	o += n;
	if (quoted)
		*o++ = '"';
	return o;
}

static char *put_enum(char *o, const struct event_format *f, const struct arg_plan *a, __u64 v,
		      bool json)
{
	const struct btf_type *t = a->enum_t;
	int i;

	v = low_bits(v, a->bits);
	for (i = 0; i < btf_vlen(t); i++) {
		__u64 ev = btf_is_enum(t) ? (__u32)btf_enum(t)[i].val :
					    btf_enum64_value(&btf_enum64(t)[i]);

		if (low_bits(ev, a->bits) == v)
			return put_str(o, btf__name_by_offset(f->btf, btf_is_enum(t) ?
				       btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off), json);
	}
	return a->is_signed ? put_s64(o, sign_extend(v, a->bits)) : put_u64(o, v);
}

static char *put_ptr(char *o, __u64 v, bool json)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	if (json)
		*o++ = '"';
	*o++ = '0';
	*o++ = 'x';
	do {
		tmp[n++] = hex[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		*o++ = tmp[--n];
	if (json)
		*o++ = '"';
	return o;
}

/* A register holds no type: numbers below 2^32 print in decimal, the rest
 * (addresses, mostly) in hex. */
static char *put_reg(char *o, __u64 v, bool json)
{
	return v >> 32 ? put_ptr(o, v, json) : put_u64(o, v);
}

int event_stamp_prefix(char *buf, const struct bpf_sdt_event *ev, const struct event_stamp *st,
		       bool json)
{
	time_t sec = (time_t)(ev->wall_ns / 1000000000ULL);
	struct tm tm;

	if (json || !st || !st->text_time || !localtime_r(&sec, &tm))
		return 0;
	return snprintf(buf, EVENT_STAMP_MAX, "%02d:%02d:%02d.%09llu [%03u] ", tm.tm_hour,
			tm.tm_min, tm.tm_sec, (unsigned long long)(ev->wall_ns % 1000000000ULL),
			ev->cpu);
}

int event_stamp_suffix(char *buf, const struct bpf_sdt_event *ev, const struct event_stamp *st,
		       bool json)
{
	unsigned long long frame = st ? st->frame : 0;
	char *o = buf;

	if (!json)
		return frame ? snprintf(buf, EVENT_STAMP_MAX, " frame %llu", frame) : 0;
	/* by hand, as the arguments: snprintf() here cost JSON four fifths
	 * of its rate */
	o = put_u64(put_str(o, ", \"site\": ", false), bpf_sdt_site__id(ev->site));
	o = put_u64(put_str(o, ", \"cpu\": ", false), ev->cpu);
	o = put_u64(put_str(o, ", \"time_ns\": ", false), ev->time_ns);
	o = put_u64(put_str(o, ", \"wall_ns\": ", false), ev->wall_ns);
	if (frame)
		o = put_u64(put_str(o, ", \"frame\": ", false), frame);
	return (int)(o - buf);
}

int event_format_registers(const struct bpf_sdt_event *ev, bool json,
			   const struct event_stamp *st, FILE *out)
{
	const char *fn = bpf_sdt_site__function(ev->site) ?: "?";
	char line[LINE_MAX_LEN], *o = line;
	bool first = true;
	int i;

	o += event_stamp_prefix(o, ev, st, json);
	if (json)
		o += snprintf(o, 512, "{\"probe\": \"%s\", \"function\": \"%s\", \"insn\": %u, \"regs\": {",
			      bpf_sdt_probe__name(ev->probe), fn, bpf_sdt_site__insn(ev->site));
	else
		o += snprintf(o, 512, "%s insn %u: %s:", fn, bpf_sdt_site__insn(ev->site),
			      bpf_sdt_probe__name(ev->probe));
	for (i = 0; i < ev->nargs && i < BPF_SDT_MAX_ARGS; i++) {
		int reg = bpf_sdt_site__arg(ev->site, i)->reg;

		if (bpf_sdt_site__arg(ev->site, i)->kind == BPF_SDT_ARG_NONE)
			continue;
		if (json)
			o += sprintf(o, "%s\"r%d\": ", first ? "" : ", ", reg);
		else
			o += sprintf(o, "%s r%d=", first ? "" : ",", reg);
		o = put_reg(o, ev->args[i], json);
		first = false;
	}
	o = put_str(o, json ? "}" : "", false);
	o += event_stamp_suffix(o, ev, st, json);
	o = put_str(o, json ? "}\n" : "\n", false);
	return fwrite_unlocked(line, 1, (size_t)(o - line), out) == (size_t)(o - line) ? 0 : -1;
}

int event_format_line(struct event_format *f, const struct bpf_sdt_event *ev, bool json,
		      const struct event_stamp *st, FILE *out)
{
	struct site_plan *p;
	char line[LINE_MAX_LEN], *o = line;
	int i;

	if (bpf_sdt_site__is_dynamic(ev->site))
		return event_format_registers(ev, json, st, out);
	p = lookup(f, ev, json);
	if (!p)
		return -1;
	o += event_stamp_prefix(o, ev, st, json);
	memcpy(o, p->prefix, p->prefix_len);
	o += p->prefix_len;
	for (i = 0; i < p->nargs; i++) {
		const struct arg_plan *a = &p->args[i];
		__u64 v = ev->args[i];

		if (i) {
			*o++ = ',';
			*o++ = ' ';
		}
		switch (a->kind) {
		case A_UINT:
			o = put_u64(o, low_bits(v, a->bits));
			break;
		case A_INT:
			o = put_s64(o, sign_extend(low_bits(v, a->bits), a->bits));
			break;
		case A_BOOL:
			o = put_str(o, low_bits(v, a->bits) ? "true" : "false", false);
			break;
		case A_ENUM:
			o = put_enum(o, f, a, v, json);
			break;
		case A_PTR:
			o = put_ptr(o, v, json);
			break;
		}
		if (o - line > LINE_MAX_LEN - 128) /* enum names are bounded by BTF */
			return -1;
	}
	o = put_str(o, json ? "]" : ")", false);
	o += event_stamp_suffix(o, ev, st, json);
	o = put_str(o, json ? "}\n" : "\n", false);
	return fwrite_unlocked(line, 1, (size_t)(o - line), out) == (size_t)(o - line) ? 0 : -1;
}
