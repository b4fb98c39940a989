// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/btf.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event_format.h"
#include "json_writer.h"
#include "run_output.h"

#define VALUE_BUF 4096

static void print_value(bool json, const struct btf *btf, __u32 type_id, const void *data,
			size_t size)
{
	char buf[VALUE_BUF];
	int n = bpf_sdt_format_value(btf, type_id, data, size, json, buf, sizeof(buf));

	if (n < 0 || (size_t)n >= sizeof(buf))
		fputs(json ? "null" : "?", stdout);
	else
		fputs(buf, stdout);
}

void run_output_free(struct run_output *out)
{
	event_format_free(out->fast);
	out->fast = NULL;
}

int run_output_flush(struct run_output *out)
{
	if (!out->write_err && fflush(stdout) == EOF)
		out->write_err = errno ? -errno : -EIO;
	if (!out->write_err && ferror(stdout))
		out->write_err = -EIO; /* a write failed and its errno is long gone */
	return out->write_err;
}

int print_event(void *ctx, const struct bpf_sdt_event *ev)
{
	struct run_output *out = ctx;
	const struct btf *btf = bpf_sdt_object__btf(out->sdt);
	char stamp[EVENT_STAMP_MAX];
	struct json_writer w;
	int i;

	out->events++;
	if (!out->fast)
		out->fast = event_format_new(out->sdt);
	if (out->fast && !event_format_line(out->fast, ev, out->json, &out->stamp, stdout))
		return 0;
	if (bpf_sdt_site__is_dynamic(ev->site))
		return event_format_registers(ev, out->json, &out->stamp, stdout) ? -1 : 0;
	if (out->json) {
		json_init(&w, stdout);
		json_object_start(&w);
		json_key(&w, "probe");
		json_string(&w, bpf_sdt_probe__name(ev->probe));
		json_key(&w, "function");
		json_string(&w, bpf_sdt_site__function(ev->site));
		json_key(&w, "insn");
		json_uint(&w, bpf_sdt_site__insn(ev->site));
		json_key(&w, "args");
		json_array_start(&w);
		for (i = 0; i < ev->nargs; i++) {
			json_raw_value_prefix(&w);
			print_value(true, btf, bpf_sdt_probe__arg_type_id(ev->probe, i), &ev->args[i], 8);
		}
		json_array_end(&w);
		event_stamp_suffix(stamp, ev, &out->stamp, true);
		fputs(stamp, stdout);
		json_object_end(&w);
		json_finish(&w);
		return 0;
	}
	stamp[event_stamp_prefix(stamp, ev, &out->stamp, false)] = '\0';
	fputs(stamp, stdout);
	printf("%s insn %u: %s(", bpf_sdt_site__function(ev->site) ?: "?",
	       bpf_sdt_site__insn(ev->site), bpf_sdt_probe__name(ev->probe));
	for (i = 0; i < ev->nargs; i++) {
		fputs(i ? ", " : "", stdout);
		print_value(false, btf, bpf_sdt_probe__arg_type_id(ev->probe, i), &ev->args[i], 8);
	}
	stamp[event_stamp_suffix(stamp, ev, &out->stamp, false)] = '\0';
	printf(")%s\n", stamp);
	return 0;
}

static bool listed(const char *const *probes, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(probes[i], name))
			return true;
	return false;
}

static void print_count(struct run_output *out, struct json_writer *w, const char *probe,
			const struct bpf_sdt_site *s, __u64 hits)
{
	const char *fn = bpf_sdt_site__function(s);

	out->events += hits;
	if (!out->json) {
		printf("%-20s %s insn %u: %llu\n", probe, fn ?: "?", bpf_sdt_site__insn(s),
		       (unsigned long long)hits);
		return;
	}
	json_object_start(w);
	json_key(w, "probe");
	json_string(w, probe);
	json_key(w, "function");
	json_string(w, fn);
	json_key(w, "insn");
	json_uint(w, bpf_sdt_site__insn(s));
	json_key(w, "hits");
	json_uint(w, hits);
	json_object_end(w);
}

void print_counts(struct run_output *out, const struct bpf_sdt_tracer *tracer,
		  const char *const *probes, int nprobes, const char *prog)
{
	struct json_writer w;
	size_t i;
	int k;

	json_init(&w, stdout);
	if (out->json) {
		json_object_start(&w);
		json_key(&w, "counts");
		json_array_start(&w);
	}
	for (i = 0; i < bpf_sdt_object__site_cnt(out->sdt); i++) {
		const struct bpf_sdt_site *s = bpf_sdt_object__site(out->sdt, i);
		const char *probe = bpf_sdt_probe__name(bpf_sdt_site__probe(s));
		const char *fn = bpf_sdt_site__function(s);

		if (!listed(probes, nprobes, probe) && !bpf_sdt_tracer__traces_site(tracer, s))
			continue;
		if (!bpf_sdt_tracer__traces_site(tracer, s))
			continue; /* PROBE@SITES: not this one */
		if (prog && strcmp(bpf_sdt_site__section(s), ".text") && fn && strcmp(fn, prog))
			continue; /* a site of another program */
		print_count(out, &w, probe, s, bpf_sdt_tracer__site_hits(tracer, s));
	}
	/* dynamic sites, after the object's, in the order they were named */
	for (k = 0; out->target && k < nprobes; k++) {
		const struct bpf_sdt_probe *p;

		if (bpf_sdt_object__find_probe(out->sdt, probes[k]) || strchr(probes[k], '@'))
			continue;
		p = bpf_sdt_target__find_probe(out->target, probes[k]);
		for (i = 0; p && i < bpf_sdt_probe__site_cnt(p); i++)
			print_count(out, &w, probes[k], bpf_sdt_probe__site(p, i),
				    bpf_sdt_tracer__site_hits(tracer, bpf_sdt_probe__site(p, i)));
	}
	if (out->json) {
		json_array_end(&w);
		json_object_end(&w);
		json_finish(&w);
	}
}

/* Every global of the observer (its .bss, .data and .rodata variables), by
 * name and BTF type, read from the maps that hold them. */
void print_globals(struct run_output *out, struct bpf_object *obj)
{
	const struct btf *btf = bpf_object__btf(obj);
	__u32 id, n = btf ? btf__type_cnt(btf) : 0;
	struct json_writer w;
	__u32 key = 0;

	json_init(&w, stdout);
	if (out->json) {
		json_object_start(&w);
		json_key(&w, "globals");
		json_object_start(&w);
	}
	for (id = 1; id < n; id++) {
		const struct btf_type *sec = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *v;
		struct bpf_map *map = NULL, *m;
		const char *sname;
		char *val;
		int i;

		if (!btf_is_datasec(sec))
			continue;
		sname = btf__name_by_offset(btf, sec->name_off);
		bpf_object__for_each_map(m, obj) {
			size_t ml = strlen(bpf_map__name(m)), sl = strlen(sname);

			if (ml >= sl && !strcmp(bpf_map__name(m) + ml - sl, sname))
				map = m;
		}
		if (!map || !(val = calloc(1, bpf_map__value_size(map))))
			continue;
		if (bpf_map_lookup_elem(bpf_map__fd(map), &key, val)) {
			free(val);
			continue;
		}
		v = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++) {
			const struct btf_type *var = btf__type_by_id(btf, v[i].type);
			const char *name = btf__name_by_offset(btf, var->name_off);

			if (v[i].offset + v[i].size > bpf_map__value_size(map))
				continue;
			if (out->json) {
				json_key(&w, name);
				json_raw_value_prefix(&w);
			} else {
				printf("%s = ", name);
			}
			print_value(out->json, btf, var->type, val + v[i].offset, v[i].size);
			if (!out->json)
				putchar('\n');
		}
		free(val);
	}
	if (out->json) {
		json_object_end(&w);
		json_object_end(&w);
		json_finish(&w);
	}
}

static const char *retval_name(enum bpf_prog_type type, __u32 v)
{
	static const char *const xdp[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					   "XDP_REDIRECT" };
	static const char *const tc[] = { "TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",
					  "TC_ACT_PIPE", "TC_ACT_STOLEN", "TC_ACT_QUEUED",
					  "TC_ACT_REPEAT", "TC_ACT_REDIRECT" };

	if (type == BPF_PROG_TYPE_XDP && v < sizeof(xdp) / sizeof(xdp[0]))
		return xdp[v];
	if (type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT) {
		if ((int)v == -1)
			return "TC_ACT_UNSPEC";
		if (v < sizeof(tc) / sizeof(tc[0]))
			return tc[v];
	}
	return NULL;
}

void print_retval(struct run_output *out, enum bpf_prog_type type, __u32 retval,
		  unsigned long long lost, __u32 duration_ns)
{
	const char *name = retval_name(type, retval);
	struct json_writer w;

	if (!out->json) {
		printf("retval %d%s%s%s, %llu event%s, %llu lost, %u ns per run\n", (int)retval,
		       name ? " (" : "", name ?: "", name ? ")" : "", out->events,
		       out->events == 1 ? "" : "s", lost, duration_ns);
		return;
	}
	json_init(&w, stdout);
	json_object_start(&w);
	json_key(&w, "retval");
	json_int(&w, (int)retval);
	json_key(&w, "retval_name");
	json_string(&w, name);
	json_key(&w, "events");
	json_uint(&w, out->events);
	json_key(&w, "lost");
	json_uint(&w, lost);
	json_key(&w, "duration_ns");
	json_uint(&w, duration_ns);
	json_object_end(&w);
	json_finish(&w);
}
