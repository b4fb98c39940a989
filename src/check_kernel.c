// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel-verified check. A check copy of each program (relink.c) passes
 * every site's arguments to global functions declared with the probe's
 * types; the verifier checks each call's registers against those types, as
 * it would check the sites themselves in the RFC. One copy per site; a
 * rejection's last words (with the level-2 register states before the
 * call) tell which argument failed and what it held.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "relink.h"

#define CHECK_LOG_SIZE (4u << 20)
#define CALLER_PASSES "Caller passes invalid args into func#"

/* The verifier's name for a register's type, in words. */
static const char *describe_reg_type(const char *tok, char *buf, size_t size)
{
	static const struct { const char *prefix, *words; } names[] = {
		{ "map_value_or_null", "a map value pointer that may be NULL" },
		{ "map_value", "a map value pointer" },
		{ "map_ptr", "a map pointer" },
		{ "map_key", "a map key pointer" },
		{ "pkt_end", "the packet end pointer" },
		{ "pkt_meta", "a packet metadata pointer" },
		{ "pkt", "a packet pointer" },
		{ "ctx", "the context pointer" },
		{ "fp", "a stack pointer" },
		{ "scalar", "a scalar" },
		{ "inv", "a scalar" },
		{ "ringbuf_mem_or_null", "ring buffer memory that may be NULL" },
		{ "mem_or_null", "memory that may be NULL" },
		{ "rdonly_mem_or_null", "memory that may be NULL" },
		{ "ringbuf_mem", "ring buffer memory" },
		{ "mem", "a memory pointer" },
		{ "ptr_or_null_", "a kernel object pointer that may be NULL" },
		{ "ptr_", "a kernel object pointer" },
	};
	size_t i, len = strcspn(tok, " (\n;");

	if ((tok[0] >= '0' && tok[0] <= '9') || tok[0] == '-')
		return "a scalar";
	if (!strncmp(tok, "trusted_", 8) || !strncmp(tok, "rcu_", 4) || !strncmp(tok, "untrusted_", 10))
		tok = strchr(tok, '_') + 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(tok, names[i].prefix, strlen(names[i].prefix)))
			return names[i].words;
	snprintf(buf, size, "%.*s", (int)len, tok);
	return buf;
}

/* The state the log last gave register regno, before `end`. */
static const char *last_reg_state(const char *log, const char *end, int regno)
{
	char eq[8], eqw[8];
	const char *best = NULL, *p;

	snprintf(eq, sizeof(eq), "R%d=", regno);
	snprintf(eqw, sizeof(eqw), "R%d_w=", regno);
	for (p = log; p < end; p++) {
		if (*p != 'R' || (p > log && p[-1] != ' ' && p[-1] != '\n' && p[-1] != ';'))
			continue;
		if (!strncmp(p, eq, strlen(eq)))
			best = p + strlen(eq);
		else if (!strncmp(p, eqw, strlen(eqw)))
			best = p + strlen(eqw);
	}
	return best && best < end ? best : NULL;
}

/* The register (1..5) a verifier reason names: "R3 ..." or "arg#2 ...". */
static int reason_regno(const char *line, const char *end)
{
	const char *p;

	for (p = line; p < end; p++) {
		if (!strncmp(p, "arg#", 4) && p[4] >= '0' && p[4] <= '9')
			return p[4] - '0' + 1;
		if (p[0] == 'R' && p[1] >= '1' && p[1] <= '5' && (p[2] < '0' || p[2] > '9') &&
		    (p == line || p[-1] == ' ' || p[-1] == ','))
			return p[1] - '0';
	}
	return -1;
}

/* The verifier's reason: the last line of its log that is not one of the
 * statistics it ends with. */
static const char *last_reason(const char *log, int *len)
{
	const char *end = log + strlen(log), *line;

	for (;;) {
		while (end > log && end[-1] == '\n')
			end--;
		line = end;
		while (line > log && line[-1] != '\n')
			line--;
		if (line == log || (strncmp(line, "processed ", 10) &&
				    strncmp(line, "verification time", 17) &&
				    strncmp(line, "stack depth", 11)))
			break;
		end = line;
	}
	*len = (int)(end - line);
	return line;
}

/* A rejection before the check calls: the site read a register nothing
 * wrote ("R4 !read_ok"), or something else the verifier says. */
static int report_other(struct bpf_sdt_check *c, struct bpf_sdt_target *t,
			struct sdt_target_prog *tp, const struct sdt_prog_site *ps, const char *log)
{
	int len, regno, i;
	const char *reason = last_reason(log, &len);
	char where[48];

	if (sscanf(reason, "R%d !read_ok", &regno) == 1)
		for (i = 0; i < bpf_sdt_site__arg_cnt(ps->site); i++) {
			const struct bpf_sdt_arg_loc *a = bpf_sdt_site__arg(ps->site, i);

			if (a->kind == BPF_SDT_ARG_REG && a->reg == regno)
				return sdt_check_add(c, t, tp, ps, i,
						     "%s is not initialized on some path to the site",
						     sdt_arg_location(ps->site, i, where,
								      sizeof(where)));
		}
	return sdt_check_add(c, t, tp, ps, -1, "the verifier rejected the site: %.*s", len,
			     reason);
}

/* Turns a rejected single-site copy's log into a finding. */
static int report_site(struct bpf_sdt_check *c, struct bpf_sdt_target *t,
		       struct sdt_target_prog *tp, const struct sdt_prog_site *ps, const char *log)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	const char *caller = strstr(log, CALLER_PASSES), *reason, *reason_end, *name, *st;
	char holds_buf[64], req_buf[96], where[48];
	struct sdt_arg_requirement req;
	int regno, part = 0, arg;

	if (!caller)
		return report_other(c, t, tp, ps, log);
	reason_end = caller;
	while (reason_end > log && reason_end[-1] == '\n')
		reason_end--;
	reason = reason_end;
	while (reason > log && reason[-1] != '\n')
		reason--;
	name = strstr(caller, "('__sdt_check_");
	if (name) {
		const char *us = strchr(name + 2, '\'');

		while (us && us > name && us[-1] != '_')
			us--;
		part = us ? atoi(us) : 0;
	}
	regno = reason_regno(reason, reason_end);
	arg = regno > 0 ? sdt_check_stub_param_arg(t, probe, part, regno - 1) : -1;
	if (arg < 0)
		return sdt_check_add(c, t, tp, ps, -1, "the verifier rejected the arguments: %.*s",
				     (int)(reason_end - reason), reason);
	sdt_arg_requirement(bpf_sdt_object__btf(t->sdt), bpf_sdt_probe__arg_type_id(probe, arg),
			    tp->cap.type, &req);
	sdt_requirement_text(&req, tp->cap.type, req_buf, sizeof(req_buf));
	sdt_arg_location(ps->site, arg, where, sizeof(where));
	st = last_reg_state(log, reason, regno);
	if (strstr(reason, "non-NULL") && reason < reason_end)
		return sdt_check_add(c, t, tp, ps, arg, "%s may be NULL, %s is required", where,
				     req_buf);
	return sdt_check_add(c, t, tp, ps, arg, "%s holds %s, %s is required (verifier: %.*s)",
			     where, st ? describe_reg_type(st, holds_buf, sizeof(holds_buf)) :
			     "a value of another kind", req_buf, (int)(reason_end - reason), reason);
}

/* One check copy per site: a check copy returns at its site, so sites
 * after it on a path are only verified in their own copy. */
static int check_prog(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
		      struct bpf_sdt_check *c, char *log)
{
	struct sdt_check_req req = { .log = log, .log_size = CHECK_LOG_SIZE };
	size_t i;
	int err;

	for (i = 0; i < tp->site_cnt; i++) {
		req.site = tp->sites[i].site;
		err = sdt_relink_check(t, tp, &req);
		if (err == -E2BIG) { /* no room for the check's argument slots */
			err = sdt_check_add(c, t, tp, &tp->sites[i], -1,
					    "not checked: its function leaves no stack for the check's %d argument slots",
					    bpf_sdt_probe__arg_cnt(bpf_sdt_site__probe(req.site)));
			sdt_check_last_is_warning(c);
			if (err)
				return err;
			continue;
		}
		if (err && !req.rejected)
			return err;
		if (err && (err = report_site(c, t, tp, &tp->sites[i], log)))
			return err;
	}
	return 0;
}

int sdt_check_kernel(struct bpf_sdt_target *t, struct bpf_sdt_check *c)
{
	char *log = malloc(CHECK_LOG_SIZE);
	size_t i;
	int err = 0;

	if (!log)
		return -ENOMEM;
	for (i = 0; i < t->prog_cnt && !err; i++)
		if (t->progs[i].site_cnt)
			err = check_prog(t, &t->progs[i], c, log);
	free(log);
	return err;
}

int sdt_check_probe_sites(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
			  const struct bpf_sdt_probe *probe)
{
	struct bpf_sdt_check c = {};
	char *log = NULL;
	size_t i, bad = 0;
	int err = 0;

	if (!tp->site_verdict && !(tp->site_verdict = calloc(tp->site_cnt + 1, 1)))
		return -ENOMEM;
	for (i = 0; i < tp->site_cnt && !err; i++) {
		struct sdt_check_req req = { .site = tp->sites[i].site, .log_size = CHECK_LOG_SIZE };

		if (bpf_sdt_site__probe(req.site) != probe ||
		    tp->site_verdict[i] != SDT_SITE_UNCHECKED)
			continue;
		if (!log && !(log = malloc(CHECK_LOG_SIZE))) {
			err = -ENOMEM;
			break;
		}
		req.log = log;
		err = sdt_relink_check(t, tp, &req);
		if (err && req.rejected) {
			tp->site_verdict[i] = SDT_SITE_BAD;
			err = report_site(&c, t, tp, &tp->sites[i], log);
		} else if (!err || err == -E2BIG || err == -ENOTSUP) {
			/* passed, or cannot be checked: the armed copy's
			 * verification still has its say */
			tp->site_verdict[i] = SDT_SITE_OK;
			err = 0;
		}
	}
	for (i = 0; i < c.cnt; i++)
		pr_warn("%s: %s", t->name, c.findings[i].message);
	for (i = 0; i < tp->site_cnt; i++)
		bad += bpf_sdt_site__probe(tp->sites[i].site) == probe &&
		       tp->site_verdict[i] == SDT_SITE_BAD;
	if (!err && bad) {
		pr_warn("%s: probe %s: %zu site%s in program %s fail%s the kernel's argument check: not attaching (see bpfsdt check)",
			t->name, bpf_sdt_probe__name(probe), bad, bad == 1 ? "" : "s", tp->name,
			bad == 1 ? "s" : "");
		err = -EACCES;
	}
	sdt_check_free_findings(&c);
	free(log);
	return err;
}
