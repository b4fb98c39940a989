// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel-verified check. A check copy of a program (check_copy.c) checks one
 * site's arguments against their declared types and goes on as the program
 * would, so the verifier decides, as it would decide about the site itself
 * in the RFC. Per site:
 *  - the copy is verified without a log: fast, and nothing to overflow. The
 *    kernel accepting it is the site passing;
 *  - a rejection is verified again with a log (level 1: each instruction
 *    the verifier went through, the registers it changed), grown while the
 *    kernel says it ran out of room and the log does not yet show where it
 *    stopped. The instruction it stopped at tells which argument failed (or
 *    was never set); that argument is reported and left out of the next
 *    copy, until one passes: every bad argument of a site is reported;
 *  - anything else -- no stack left for the check, the verifier giving up on
 *    the program's complexity, a rejection somewhere the check did not put
 *    -- is the outcome "could not check", never an error: a check that
 *    could not be completed found nothing.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check/check_kernel.h"
#include "check/check_copy.h"

#define EXPLAIN_LOG_SIZE (1u << 20)
#define EXPLAIN_LOG_MAX (64u << 20)
#define CALLER_PASSES "Caller passes invalid args into func#"
#define NO_ARG (-1)

struct kcheck {
	struct bpf_sdt_target *t;
	struct bpf_sdt_check *c;
	char *log;
	__u32 log_size;
};

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
		{ "rdonly_mem", "read-only memory" },
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

static bool is_statistics(const char *line)
{
	return !strncmp(line, "processed ", 10) || !strncmp(line, "verification time", 17) ||
	       !strncmp(line, "stack depth", 11);
}

/* The line ending at end (exclusive), skipping empty lines before it. */
static const char *line_before(const char *log, const char **end)
{
	const char *line;

	while (*end > log && (*end)[-1] == '\n')
		(*end)--;
	line = *end;
	while (line > log && line[-1] != '\n')
		line--;
	return line;
}

/* The verifier's reason: the last line of its log that is not one of the
 * statistics it ends with, nor its note that a global function's caller
 * passed bad arguments (the reason is the line before). */
static const char *last_reason(const char *log, int *len)
{
	const char *end = log + strlen(log), *line;

	for (;;) {
		line = line_before(log, &end);
		if (line == log || (!is_statistics(line) && strncmp(line, CALLER_PASSES,
								    strlen(CALLER_PASSES))))
			break;
		end = line;
	}
	*len = (int)(end - line);
	return line;
}

/* The instruction the verifier went through last: its log prints each as
 * "N: (opcode) ...". -1 when the log shows none. */
static long long last_insn(const char *log)
{
	long long at = -1;
	const char *p = log;

	while (p && *p) {
		const char *q = p;
		long long n = 0;

		while (*q >= '0' && *q <= '9')
			n = n * 10 + (*q++ - '0');
		if (q > p && q[0] == ':' && q[1] == ' ' && q[2] == '(')
			at = n;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return at;
}

/* The finding about argument arg, whose check at the instruction the
 * verifier stopped at failed. */
static int report_arg(struct kcheck *k, struct sdt_target_prog *tp,
		      const struct sdt_prog_site *ps, int arg, const char *log)
{
	const struct bpf_sdt_probe *probe = bpf_sdt_site__probe(ps->site);
	char holds_buf[64], req_buf[96], where[48];
	struct sdt_arg_requirement req;
	const char *reason, *st;
	__u32 size;
	int len, regno;

	reason = last_reason(log, &len);
	regno = sdt_arg_check_kind(bpf_sdt_object__btf(k->t->sdt),
				   bpf_sdt_probe__arg_type_id(probe, arg), tp->cap.type,
				   &size) == SDT_ARG_CHECK_MEM ? 2 : 1;
	sdt_arg_requirement(bpf_sdt_object__btf(k->t->sdt), bpf_sdt_probe__arg_type_id(probe, arg),
			    tp->cap.type, &req);
	sdt_requirement_text(&req, tp->cap.type, req_buf, sizeof(req_buf));
	sdt_arg_location(ps->site, arg, where, sizeof(where));
	st = last_reg_state(log, reason, regno);
	if ((st && strstr(describe_reg_type(st, holds_buf, sizeof(holds_buf)), "may be NULL")) ||
	    memmem(reason, len, "non-NULL", 8) || memmem(reason, len, "_or_null", 8))
		return sdt_check_add(k->c, k->t, tp, ps, arg, "%s may be NULL, %s is required", where,
				     req_buf);
	return sdt_check_add(k->c, k->t, tp, ps, arg, "%s holds %s, %s is required (verifier: %.*s)",
			     where, st ? describe_reg_type(st, holds_buf, sizeof(holds_buf)) :
			     "a value of another kind", req_buf, len, reason);
}

/* The verifier stopped at the site reading argument arg into its slot:
 * the register was never set on some path, or is no stack block. */
static int report_read(struct kcheck *k, struct sdt_target_prog *tp,
		       const struct sdt_prog_site *ps, int arg, const char *log)
{
	const char *reason;
	char where[48];
	int len;

	reason = last_reason(log, &len);
	sdt_arg_location(ps->site, arg, where, sizeof(where));
	if (memmem(reason, len, "!read_ok", 8))
		return sdt_check_add(k->c, k->t, tp, ps, arg,
				     "%s is not initialized on some path to the site", where);
	return sdt_check_add(k->c, k->t, tp, ps, arg, "%s cannot be read (verifier: %.*s)", where,
			     len, reason);
}

/* A log of the rejected copy that shows where the verifier stopped, or
 * NULL after saying why the check could not be completed. */
static const char *explain(struct kcheck *k, struct sdt_target_prog *tp,
			   const struct sdt_prog_site *ps, struct sdt_check_req *req, long long *at,
			   int *err)
{
	__u32 size = k->log_size ? k->log_size : EXPLAIN_LOG_SIZE;
	char *log;

	for (;;) {
		if (size > k->log_size) {
			log = realloc(k->log, size);
			if (!log) {
				*err = -ENOMEM;
				return NULL;
			}
			k->log = log;
			k->log_size = size;
		}
		req->log = k->log;
		req->log_size = k->log_size;
		*err = sdt_check_copy(k->t, tp, req);
		req->log = NULL;
		if (!*err || !req->rejected) {
			*err = sdt_check_add_unchecked(k->c, k->t, tp, ps,
						       "the kernel rejected the check copy once, then %s",
						       *err ? req->reason : "accepted it");
			return NULL;
		}
		*at = last_insn(k->log);
		if (*at >= 0)
			return k->log;
		/* a kernel keeping the log's head (BPF_LOG_FIXED) lost the end */
		if (*err != -ENOSPC || size >= EXPLAIN_LOG_MAX)
			break;
		size *= 4;
	}
	*err = sdt_check_add_unchecked(k->c, k->t, tp, ps,
				       "the verifier rejected the check copy, and its log (%u MiB) does not say where",
				       size >> 20);
	return NULL;
}

/* Sets *arg to the argument the rejection was about, or NO_ARG after
 * reporting that the check could not be completed. */
static int attribute(struct kcheck *k, struct sdt_target_prog *tp, const struct sdt_prog_site *ps,
		     struct sdt_check_req *req, int *arg)
{
	const char *log, *reason;
	long long at = -1;
	int err = 0, i, len;

	*arg = NO_ARG;
	log = explain(k, tp, ps, req, &at, &err);
	if (!log)
		return err;
	for (i = 0; i < bpf_sdt_site__arg_cnt(ps->site); i++) {
		if (at >= req->arg_check[i] && at < req->arg_check_end[i]) {
			*arg = i;
			return report_arg(k, tp, ps, i, log);
		}
		if (at == req->arg_read[i]) {
			*arg = i;
			return report_read(k, tp, ps, i, log);
		}
	}
	reason = last_reason(log, &len);
	return sdt_check_add_unchecked(k->c, k->t, tp, ps,
				       "the verifier rejected the check copy at instruction %lld, not at the site's arguments: %.*s",
				       at, len, reason);
}

/* What the verifier says about one site: findings added to k->c. */
static int check_site(struct kcheck *k, struct sdt_target_prog *tp, const struct sdt_prog_site *ps)
{
	struct sdt_check_req req = { .site = ps->site };
	int err, arg;

	for (;;) {
		err = sdt_check_copy(k->t, tp, &req);
		if (!err)
			return 0;
		if (err == -ENOMEM || err == -EPERM)
			return err;
		if (!req.rejected)
			return sdt_check_add_unchecked(k->c, k->t, tp, ps, "%s",
						       req.reason[0] ? req.reason : strerror(-err));
		if (err == -E2BIG)
			return sdt_check_add_unchecked(k->c, k->t, tp, ps,
						       "the verifier gave up on the program with the check added (%s)",
						       strerror(-err));
		if (err != -EACCES && err != -EINVAL)
			return sdt_check_add_unchecked(k->c, k->t, tp, ps,
						       "the kernel could not load the check copy (%s)",
						       strerror(-err));
		err = attribute(k, tp, ps, &req, &arg);
		if (err || arg == NO_ARG)
			return err;
		req.skip_args |= (__u16)(1u << arg);
	}
}

/*
 * The sites idx[0..n) of tp (indexes into tp->sites), checked together: one
 * copy checks all of them, verified without a log. Only a set the verifier
 * rejects is split in halves, down to the single sites whose findings
 * check_site() explains; anything else that stops the copy is left to each
 * site's own check. A program whose sites all pass costs one verification
 * whatever their number; each bad site about log2(n) more.
 */
static int check_set(struct kcheck *k, struct sdt_target_prog *tp, const size_t *idx, size_t n)
{
	const struct bpf_sdt_site **sites;
	struct sdt_check_req req = {};
	size_t i;
	int err;

	if (n == 1)
		return check_site(k, tp, &tp->sites[idx[0]]);
	sites = calloc(n ? n : 1, sizeof(*sites));
	if (!sites)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		sites[i] = tp->sites[idx[i]].site;
	sdt_check_sort_sites(sites, n);
	req.sites = sites;
	req.nsites = n;
	err = n ? sdt_check_copy(k->t, tp, &req) : 0;
	free(sites);
	if (!err || err == -ENOMEM || err == -EPERM)
		return err;
	if (req.rejected && (err == -EACCES || err == -EINVAL)) {
		err = check_set(k, tp, idx, n / 2);
		return err ?: check_set(k, tp, idx + n / 2, n - n / 2);
	}
	for (i = 0, err = 0; i < n && !err; i++)
		err = check_site(k, tp, &tp->sites[idx[i]]);
	return err;
}

static void kcheck_init(struct kcheck *k, struct bpf_sdt_target *t, struct bpf_sdt_check *c)
{
	memset(k, 0, sizeof(*k));
	k->t = t;
	k->c = c;
}

static void kcheck_free(struct kcheck *k)
{
	free(k->log);
}

/* The sites of tp a check copy can check: all but dynamic ones. */
static size_t checkable_sites(const struct sdt_target_prog *tp, size_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < tp->site_cnt; i++)
		if (!tp->sites[i].insert)
			idx[n++] = i;
	return n;
}

int sdt_check_kernel(struct bpf_sdt_target *t, struct bpf_sdt_check *c)
{
	struct kcheck k;
	size_t i, *idx;
	int err = 0;

	kcheck_init(&k, t, c);
	for (i = 0; i < t->prog_cnt && !err; i++) {
		idx = calloc(t->progs[i].site_cnt + 1, sizeof(*idx));
		if (!idx) {
			err = -ENOMEM;
			break;
		}
		err = check_set(&k, &t->progs[i], idx, checkable_sites(&t->progs[i], idx));
		free(idx);
	}
	kcheck_free(&k);
	return err;
}

static bool among(const struct bpf_sdt_probe *p, const struct bpf_sdt_probe *const *probes,
		  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (probes[i] == p)
			return true;
	return false;
}

/* Site i's verdict from its findings, c->findings[*next...] (findings come
 * site by site, in the order the sites were checked). */
static void set_verdict(struct sdt_target_prog *tp, size_t i, const struct bpf_sdt_check *c,
			size_t *next)
{
	/* a site that could not be checked is left to the armed copy's own
	 * verification */
	tp->site_verdict[i] = SDT_SITE_OK;
	for (; *next < c->cnt && c->findings[*next].site == tp->sites[i].site; (*next)++)
		if (!c->findings[*next].warning && !c->findings[*next].unchecked)
			tp->site_verdict[i] = SDT_SITE_BAD;
}

/* -EACCES after one line when a site of probe in tp failed the check. */
static int refuse_bad_sites(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
			    const struct bpf_sdt_probe *probe)
{
	size_t i, bad = 0;

	for (i = 0; i < tp->site_cnt; i++)
		bad += bpf_sdt_site__probe(tp->sites[i].site) == probe &&
		       tp->site_verdict[i] == SDT_SITE_BAD;
	if (!bad)
		return 0;
	pr_warn("%s: probe %s: %zu site%s in program %s fail%s the kernel's argument check: not attaching (see bpfsdt check)",
		t->name, bpf_sdt_probe__name(probe), bad, bad == 1 ? "" : "s", tp->name,
		bad == 1 ? "s" : "");
	return -EACCES;
}

int sdt_check_probe_sites(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
			  const struct bpf_sdt_probe *const *probes, size_t nprobes)
{
	struct bpf_sdt_check c = {};
	struct kcheck k;
	size_t i, n = 0, next = 0, *idx;
	int err = 0;

	if (!tp->site_verdict && !(tp->site_verdict = calloc(tp->site_cnt + 1, 1)))
		return -ENOMEM;
	idx = calloc(tp->site_cnt + 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < tp->site_cnt; i++)
		if (!tp->sites[i].insert && tp->site_verdict[i] == SDT_SITE_UNCHECKED &&
		    among(bpf_sdt_site__probe(tp->sites[i].site), probes, nprobes))
			idx[n++] = i;
	kcheck_init(&k, t, &c);
	err = n ? check_set(&k, tp, idx, n) : 0;
	for (i = 0; i < n && !err; i++)
		set_verdict(tp, idx[i], &c, &next);
	for (i = 0; i < c.cnt; i++)
		if (!c.findings[i].warning && !c.findings[i].unchecked)
			pr_warn("%s: %s", t->name, c.findings[i].message);
	for (i = 0; i < nprobes && !err; i++)
		err = refuse_bad_sites(t, tp, probes[i]);
	sdt_check_free_findings(&c);
	kcheck_free(&k);
	free(idx);
	return err;
}
