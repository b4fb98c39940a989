// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The sweep: is arming transparent at every point of a program?
 *
 * A dynamic site goes at every instruction boundary of the program (or
 * every Nth), each counting its hits with an inlined counter, and the armed
 * program runs on the caller's inputs with BPF_PROG_TEST_RUN from the same
 * map state as the unarmed one. Arming is transparent when the return
 * value, the output packet and context, and every map's contents are the
 * same, and the hit counts follow the control flow: every boundary of a
 * basic block is hit as often as its first, and the program's first
 * instruction once per run.
 *
 * Nondeterminism is the program's, not ours: the unarmed program runs twice
 * first, and what differs between those two runs (a map bumped with
 * bpf_ktime_get_ns(), a random verdict) is left out of the comparison and
 * said in the notes.
 *
 * All boundaries are armed at once; when the kernel refuses that copy or
 * its runs differ, the set is split in halves until the boundaries at
 * fault stand alone, so a clean program costs one verification and a bad
 * boundary about two per halving. With `each`, every boundary is armed on
 * its own.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arm/attach.h"
#include "target/dynamic_sites.h"
#include "insn/helper_args.h"
#include "insn/insn_patch.h"
#include "sweep/map_snapshot.h"

#ifndef BPF_PSEUDO_KFUNC_CALL
#define BPF_PSEUDO_KFUNC_CALL 2
#endif

#define DATA_OUT_MAX (256 * 1024)
#define REASON_MAX 512
#define CAPTURE_MAX 16384

struct bpf_sdt_sweep {
	__u32 boundaries, armed, identical;
	struct bpf_sdt_sweep_failure *failures;
	size_t failure_cnt;
	char *notes;
};

struct run_out {
	int err;
	__u32 retval;
	void *data, *ctx;
	__u32 data_size, ctx_size;
	struct sdt_maps_snapshot maps;
};

struct site_slot {
	const struct bpf_sdt_site *site;
	__u32 slot;		/* the boundary's index: its counter */
};

struct sweep {
	struct bpf_sdt_target *t;
	struct sdt_target_prog *tp;
	const struct bpf_sdt_run_input *inputs;
	size_t ninputs;
	__u32 *bidx;			/* the boundaries swept */
	__u32 nb;
	const struct bpf_sdt_probe **probes;	/* per boundary */
	struct site_slot *slots;	/* per boundary, sorted by site for slot_of */
	int counter_fd;
	int *map_fds;
	size_t nmaps;
	struct sdt_maps_snapshot initial;
	struct run_out *control;	/* per input */
	bool *map_nondet;		/* per map */
	bool *out_nondet;		/* per input: retval/packet/ctx */
	__u32 *leader;			/* per insn: its basic block's first insn */
	bool entry_loops;		/* a jump leads back to the first insn */
	struct bpf_sdt_sweep *res;
	void *buf, *ctx_buf;
};

/* --- results ------------------------------------------------------------ */

static int add_failure(struct sweep *s, __u32 insn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int add_failure(struct sweep *s, __u32 insn, const char *fmt, ...)
{
	struct bpf_sdt_sweep_failure *f;
	char reason[REASON_MAX];
	va_list args;

	va_start(args, fmt);
	vsnprintf(reason, sizeof(reason), fmt, args);
	va_end(args);
	f = realloc(s->res->failures, (s->res->failure_cnt + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	s->res->failures = f;
	f[s->res->failure_cnt].insn = insn;
	f[s->res->failure_cnt].reason = strdup(reason);
	if (!f[s->res->failure_cnt].reason)
		return -ENOMEM;
	s->res->failure_cnt++;
	return 0;
}

static int add_note(struct sweep *s, const char *note)
{
	size_t len = s->res->notes ? strlen(s->res->notes) : 0;
	char *n = realloc(s->res->notes, len + strlen(note) + 3);

	if (!n)
		return -ENOMEM;
	s->res->notes = n;
	sprintf(n + len, "%s%s", len ? "; " : "", note);
	return 0;
}

/* --- running -------------------------------------------------------------- */

static bool ctx_is_skb(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_SCHED_CLS || type == BPF_PROG_TYPE_SCHED_ACT ||
	       type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_CGROUP_SKB;
}

static void run_out_free(struct run_out *o)
{
	free(o->data);
	free(o->ctx);
	sdt_maps_snapshot_free(&o->maps);
	memset(o, 0, sizeof(*o));
}

/* Runs fd once on input in from the initial map state; what it left in
 * *o. A program that cannot run on the input is an answer too (o->err). */
static int run_from_initial(struct sweep *s, int fd, const struct bpf_sdt_run_input *in,
			    struct run_out *o)
{
	bool skb = ctx_is_skb(s->tp->cap.type);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data, .data_size_in = in->size,
		    .data_out = s->buf, .data_size_out = DATA_OUT_MAX, .ctx_in = in->ctx,
		    .ctx_size_in = in->ctx_size, .repeat = 1);
	int err;

	memset(o, 0, sizeof(*o));
	if (skb || in->ctx) {
		opts.ctx_out = s->ctx_buf;
		opts.ctx_size_out = skb ? sizeof(struct __sk_buff) : in->ctx_size;
	}
	err = sdt_maps_restore(&s->initial);
	if (err)
		return err;
	if (bpf_prog_test_run_opts(fd, &opts))
		o->err = -errno;
	o->retval = opts.retval;
	o->data_size = opts.data_size_out;
	o->ctx_size = opts.ctx_size_out;
	o->data = malloc(o->data_size + 1);
	o->ctx = malloc(o->ctx_size + 1);
	if (!o->data || !o->ctx)
		return -ENOMEM;
	memcpy(o->data, s->buf, o->data_size);
	if (o->ctx_size)
		memcpy(o->ctx, s->ctx_buf, o->ctx_size);
	return sdt_maps_snapshot(s->map_fds, s->nmaps, &o->maps);
}

static bool outputs_equal(const struct run_out *a, const struct run_out *b)
{
	return a->err == b->err && a->retval == b->retval && a->data_size == b->data_size &&
	       !memcmp(a->data, b->data, a->data_size) && a->ctx_size == b->ctx_size &&
	       !memcmp(a->ctx, b->ctx, a->ctx_size);
}

/* Reruns the unarmed program on input up to CONFIRM_RUNS times: true when
 * some run differs from the control run (in its output, or in map m when
 * m >= 0), which makes that part the program's own nondeterminism. Two
 * control runs miss a coin flip half the time; this is what a difference
 * is measured against before a boundary is blamed for it. */
#define CONFIRM_RUNS 16

static int varies_unarmed(struct sweep *s, size_t input, long m, bool *varies)
{
	char why[REASON_MAX];
	int k, err = 0;

	*varies = false;
	for (k = 0; k < CONFIRM_RUNS && !*varies && !err; k++) {
		struct run_out o;

		err = run_from_initial(s, s->tp->orig_fd, &s->inputs[input], &o);
		if (!err && m < 0)
			*varies = !outputs_equal(&o, &s->control[input]);
		else if (!err) {
			struct sdt_maps_snapshot a = { &s->control[input].maps.maps[m], 1 };
			struct sdt_maps_snapshot b = { &o.maps.maps[m], 1 };

			*varies = !sdt_maps_equal(&a, &b, NULL, why, sizeof(why));
		}
		run_out_free(&o);
	}
	return err;
}

static int note_output_varies(struct sweep *s, size_t input)
{
	char note[REASON_MAX];

	s->out_nondet[input] = true;
	snprintf(note, sizeof(note),
		 "input %zu: the unarmed program's verdict or output varies from run to run: not compared",
		 input);
	return add_note(s, note);
}

static int note_map_varies(struct sweep *s, size_t m)
{
	char note[REASON_MAX];

	s->map_nondet[m] = true;
	snprintf(note, sizeof(note),
		 "map %s varies from run to run of the unarmed program: not compared",
		 s->initial.maps[m].name);
	return add_note(s, note);
}

/* Whether an armed run differs from the control run (why says how), once
 * the program's own nondeterminism is ruled out: 1, 0, or -errno. */
static int difference(struct sweep *s, size_t input, const struct run_out *armed, char *why,
		      size_t size)
{
	const struct run_out *c = &s->control[input];
	bool varies;
	size_t m;
	int err;

	if (armed->err != c->err) {
		snprintf(why, size, "input %zu: the run %s (unarmed: %s)", input,
			 armed->err ? strerror(-armed->err) : "succeeded",
			 c->err ? strerror(-c->err) : "succeeded");
		return 1;
	}
	if (!s->out_nondet[input] && !outputs_equal(armed, c)) {
		err = varies_unarmed(s, input, -1, &varies);
		if (err)
			return err;
		if (varies)
			return note_output_varies(s, input) ? -ENOMEM :
			       difference(s, input, armed, why, size);
		if (armed->retval != c->retval)
			snprintf(why, size, "input %zu: returned %u, unarmed %u", input,
				 armed->retval, c->retval);
		else
			snprintf(why, size, "input %zu: the output %s differs", input,
				 armed->data_size != c->data_size ||
				 memcmp(armed->data, c->data, c->data_size) ? "packet" : "context");
		return 1;
	}
	for (m = 0; m < s->nmaps; m++) {
		struct sdt_maps_snapshot a = { &c->maps.maps[m], 1 }, b = { &armed->maps.maps[m], 1 };

		if (s->map_nondet[m] || sdt_maps_equal(&a, &b, NULL, why, size))
			continue;
		err = varies_unarmed(s, input, (long)m, &varies);
		if (err)
			return err;
		if (!varies)
			return 1;
		if (note_map_varies(s, m))
			return -ENOMEM;
	}
	return 0;
}

/* --- the program's maps and control flow -------------------------------- */

static int program_maps(struct sweep *s)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), *ids, n, i;
	int fd = s->tp->orig_fd, err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	n = info.nr_map_ids;
	ids = calloc(n + 1, sizeof(*ids));
	s->map_fds = calloc(n + 1, sizeof(*s->map_fds));
	if (!ids || !s->map_fds) {
		free(ids);
		return -ENOMEM;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	for (i = 0; i < n && !err; i++) {
		int mfd = bpf_map_get_fd_by_id(ids[i]);

		if (mfd < 0)
			err = -errno;
		else
			s->map_fds[s->nmaps++] = mfd;
	}
	free(ids);
	return err;
}

/* Calls that may not come back: a tail call that succeeds, a kfunc (such
 * as bpf_throw()), and -- when the program makes either -- a call to one of
 * its functions, which could. */
static bool may_not_return(const struct bpf_insn *insn, int tail_call, bool leaves)
{
	if (insn->code != (BPF_JMP | BPF_CALL))
		return false;
	if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
		return true;
	if (!insn->src_reg)
		return insn->imm == tail_call;
	return insn->src_reg == BPF_PSEUDO_CALL && leaves;
}

/* Basic blocks of the unarmed program: every boundary in one is hit as
 * often as its first. Blocks end at jumps and exits, and after a call that
 * may not come back. The first instruction runs once per run, unless a jump
 * leads back to it (a loop). */
static int find_blocks(struct sweep *s)
{
	const struct bpf_insn *insns = s->tp->cap.insns;
	__u32 cnt = s->tp->cap.insn_cnt, i, succ[2], n, f;
	int tail_call = sdt_helper_id("bpf_tail_call");
	bool *lead = calloc(cnt + 1, sizeof(*lead)), leaves = false;
	int k;

	s->leader = calloc(cnt + 1, sizeof(*s->leader));
	if (!lead || !s->leader) {
		free(lead);
		return -ENOMEM;
	}
	for (i = 0; i < cnt; i++)
		leaves |= may_not_return(&insns[i], tail_call, false);
	lead[0] = true;
	for (f = 0; f < s->tp->nfuncs; f++)
		lead[s->tp->funcs[f].start] = true;
	for (i = 0; i < cnt; i += sdt_insn_is_ld_imm64(&insns[i]) ? 2 : 1) {
		__u8 cls = BPF_CLASS(insns[i].code), op = BPF_OP(insns[i].code);

		if (cls != BPF_JMP && cls != BPF_JMP32)
			continue;
		if (op == BPF_CALL) {
			if (may_not_return(&insns[i], tail_call, leaves))
				lead[i + 1] = true;
			continue;
		}
		n = (__u32)sdt_insn_successors(insns, i, succ);
		for (k = 0; k < (int)n; k++) {
			if (succ[k] <= cnt)
				lead[succ[k]] = true;
			if (succ[k] == 0)
				s->entry_loops = true;
		}
		lead[i + 1] = true;
	}
	for (i = 0, f = 0; i < cnt; i++) {
		if (lead[i])
			f = i;
		s->leader[i] = f;
	}
	free(lead);
	return 0;
}

/* --- arming ----------------------------------------------------------------- */

static int cmp_site_slot(const void *a, const void *b)
{
	const struct site_slot *x = a, *y = b;

	return x->site < y->site ? -1 : x->site > y->site;
}

/* The counter slot of a boundary's site: its index among the boundaries. */
static __u32 slot_of(void *ctx, const struct bpf_sdt_site *site)
{
	struct sweep *s = ctx;
	const struct site_slot key = { .site = site };
	const struct site_slot *hit =
		bsearch(&key, s->slots, s->nb, sizeof(*s->slots), cmp_site_slot);

	return hit ? hit->slot : 0;
}

static int make_probes(struct sweep *s)
{
	char spec[256];
	__u32 k;

	s->probes = calloc(s->nb ? s->nb : 1, sizeof(*s->probes));
	s->slots = calloc(s->nb ? s->nb : 1, sizeof(*s->slots));
	if (!s->probes || !s->slots)
		return -ENOMEM;
	for (k = 0; k < s->nb; k++) {
		snprintf(spec, sizeof(spec), "%s+%u", s->tp->name, s->bidx[k]);
		s->probes[k] = sdt_dynamic_probe(s->t, spec);
		if (!s->probes[k])
			return -errno;
		s->slots[k] = (struct site_slot){ bpf_sdt_probe__site(s->probes[k], 0), k };
	}
	qsort(s->slots, s->nb, sizeof(*s->slots), cmp_site_slot);
	s->counter_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sdt_sweep", sizeof(__u32),
				       8 * (s->nb ? s->nb : 1), 1, NULL);
	return s->counter_fd < 0 ? -errno : 0;
}

/* The line of a refusal that says why: the verifier's last message (not
 * its statistics), or the relinker's one line. */
static void refusal_reason(const char *log, char *why, size_t size)
{
	const char *p = log, *nl, *best = NULL;
	size_t best_len = 0;

	for (; p && *p; p = nl ? nl + 1 : NULL) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		while (len && *p == ' ')
			p++, len--;
		if (!len || !strncmp(p, "processed ", 10) || !strncmp(p, "verification time", 17) ||
		    !strncmp(p, "stack depth", 11) || !strncmp(p, "mark_precise", 12))
			continue;
		best = p;
		best_len = len;
	}
	snprintf(why, size, "%.*s", (int)best_len, best ? best : "");
}

/* A relinker line names file, probe, site and program before its reason:
 * the sweep's failure already names the boundary. */
static void strip_site_prefix(const struct sweep *s, char *why)
{
	size_t n = strlen(s->t->name);
	char *p;

	if (strncmp(why, s->t->name, n) || strncmp(why + n, ": probe ", 8))
		return;
	p = strstr(why, "): ");
	if (p)
		memmove(why, p + 3, strlen(p + 3) + 1);
}

/* Arms the boundaries ks (indexes into bidx) with counters: 0, or the
 * reason the kernel (or the relinker) refused, in why. */
static int arm(struct sweep *s, const __u32 *ks, __u32 n, struct bpf_sdt_link **links,
	       char *why, size_t size)
{
	struct sdt_generated *g = calloc(n ? n : 1, sizeof(*g));
	char *log = malloc(CAPTURE_MAX);
	__u32 k;
	int err;

	if (!g || !log) {
		free(g);
		free(log);
		return -ENOMEM;
	}
	for (k = 0; k < n; k++)
		g[k] = (struct sdt_generated){
			.probe = s->probes[ks[k]], .name = "sdt_sweep", .target_prog = s->tp->name,
			.inline_count = true, .counter_fd = s->counter_fd,
			.counter_slot = slot_of, .counter_ctx = s,
		};
	/* a set that fails is halved: only a single boundary's refusal needs
	 * the verifier's reason, and logging a big program costs the most */
	s->t->quiet_rejections = n > 1;
	sdt_pr_capture_begin(log, CAPTURE_MAX);
	err = sdt_target_attach_generated_all(s->t, g, n, links);
	sdt_pr_capture_end();
	s->t->quiet_rejections = false;
	free(g);
	if (err) {
		refusal_reason(log, why, size);
		strip_site_prefix(s, why);
		if (!*why)
			snprintf(why, size, "%s", strerror(-err));
	}
	free(log);
	return err;
}

/* A boundary whose count does not follow the control flow. */
struct miscount {
	bool bad;
	size_t input;
	__u64 hits, lead_hits;
	__u32 lead_insn;
};

/* Runs every input on the armed copy: -EAGAIN (why says how) when a run
 * differs from its control run -- which of the armed boundaries did it is
 * for halving to find -- else 0, with the boundaries whose counts do not
 * follow the control flow in miss[]. Counters do not interfere with one
 * another, so counts taken with everything armed are each boundary's own:
 * no halving needed (and halving would split a block across halves, each
 * consistent on its own). */
static int check_armed(struct sweep *s, const __u32 *ks, __u32 n, struct miscount *miss,
		       char *why, size_t size)
{
	int fd = bpf_sdt_target__prog_fd(s->t, s->tp->name);
	__u64 *counts = calloc(s->nb ? s->nb : 1, sizeof(*counts));
	__u32 zero = 0, k, j;
	size_t in;
	int err = 0;

	if (!counts)
		return -ENOMEM;
	for (in = 0; in < s->ninputs && !err; in++) {
		struct run_out o;

		memset(counts, 0, 8 * s->nb);
		if (bpf_map_update_elem(s->counter_fd, &zero, counts, BPF_ANY)) {
			err = -errno;
			break;
		}
		err = run_from_initial(s, fd, &s->inputs[in], &o);
		if (!err)
			err = difference(s, in, &o, why, size);
		if (err > 0)
			err = -EAGAIN;
		run_out_free(&o);
		if (err)
			break;
		if (bpf_map_lookup_elem(s->counter_fd, &zero, counts)) {
			err = -errno;
			break;
		}
		/* each block's first armed boundary gives the block's count;
		 * ks is in instruction order, so it comes first */
		for (k = 0, j = 0; k < n; k++) {
			__u32 at = s->bidx[ks[k]];

			if (!k || s->leader[at] != s->leader[s->bidx[ks[j]]])
				j = k;
			if (miss[k].bad)
				continue;
			if (counts[ks[k]] != counts[ks[j]] ||
			    (at == 0 && counts[ks[k]] != 1 && !s->control[in].err &&
			     !s->entry_loops))
				miss[k] = (struct miscount){ .bad = true, .input = in,
							     .hits = counts[ks[k]],
							     .lead_hits = counts[ks[j]],
							     .lead_insn = s->bidx[ks[j]] };
		}
	}
	free(counts);
	return err;
}

/* The boundaries of an armed set: identical, or miscounted. */
static int record_armed(struct sweep *s, const __u32 *ks, __u32 n, const struct miscount *miss)
{
	__u32 k;
	int err = 0;

	for (k = 0; k < n && !err; k++) {
		const struct miscount *m = &miss[k];

		s->res->armed++;
		if (!m->bad)
			s->res->identical++;
		else if (s->bidx[ks[k]] == m->lead_insn)
			err = add_failure(s, m->lead_insn,
					  "input %zu: the program's first instruction hit %llu times in one run",
					  m->input, (unsigned long long)m->hits);
		else
			err = add_failure(s, s->bidx[ks[k]],
					  "input %zu: hit %llu times, but insn %u, first of its basic block, %llu times",
					  m->input, (unsigned long long)m->hits, m->lead_insn,
					  (unsigned long long)m->lead_hits);
	}
	return err;
}

/* Arms ks together; on a refusal or a difference in what the runs do,
 * halves until the boundaries at fault stand alone. */
static int sweep_set(struct sweep *s, const __u32 *ks, __u32 n)
{
	struct bpf_sdt_link **links = calloc(n ? n : 1, sizeof(*links));
	struct miscount *miss = calloc(n ? n : 1, sizeof(*miss));
	char why[REASON_MAX];
	int err, ok;

	if (!links || !miss) {
		err = -ENOMEM;
		goto out;
	}
	if (!n) {
		err = 0;
		goto out;
	}
	err = arm(s, ks, n, links, why, sizeof(why));
	if (err == -ENOMEM)
		goto out;
	if (err && n == 1) {
		err = add_failure(s, s->bidx[ks[0]], "not armed: %s", why);
		goto out;
	}
	if (!err) {
		ok = check_armed(s, ks, n, miss, why, sizeof(why));
		err = sdt_target_detach_links(s->t, links, n);
		if (err)
			goto out;
		if (!ok) {
			err = record_armed(s, ks, n, miss);
			goto out;
		}
		if (ok != -EAGAIN) {
			err = ok;
			goto out;
		}
		if (n == 1) {
			s->res->armed++;
			err = add_failure(s, s->bidx[ks[0]], "%s", why);
			goto out;
		}
	}
	free(links);
	free(miss);
	err = sweep_set(s, ks, n / 2);
	return err ? err : sweep_set(s, ks + n / 2, n - n / 2);
out:
	free(links);
	free(miss);
	return err;
}

/* --- control runs ------------------------------------------------------------- */

/* Two unarmed runs per input: what differs between them is the program's
 * own nondeterminism, left out of the comparisons. */
static int control_runs(struct sweep *s)
{
	char why[REASON_MAX];
	size_t in, m;
	int err;

	s->control = calloc(s->ninputs, sizeof(*s->control));
	s->out_nondet = calloc(s->ninputs, sizeof(*s->out_nondet));
	s->map_nondet = calloc(s->nmaps + 1, sizeof(*s->map_nondet));
	if (!s->control || !s->out_nondet || !s->map_nondet)
		return -ENOMEM;
	for (m = 0; m < s->nmaps; m++)
		if (s->initial.maps[m].not_comparable) {
			snprintf(why, sizeof(why), "map %s not compared: %s", s->initial.maps[m].name,
				 s->initial.maps[m].not_comparable);
			err = add_note(s, why);
			if (err)
				return err;
		}
	for (in = 0; in < s->ninputs; in++) {
		struct run_out again = {};

		err = run_from_initial(s, s->tp->orig_fd, &s->inputs[in], &s->control[in]);
		if (!err)
			err = run_from_initial(s, s->tp->orig_fd, &s->inputs[in], &again);
		if (!err && !s->out_nondet[in] && !outputs_equal(&s->control[in], &again))
			err = note_output_varies(s, in);
		for (m = 0; m < s->nmaps && !err; m++) {
			struct sdt_maps_snapshot one_a = { &s->control[in].maps.maps[m], 1 };
			struct sdt_maps_snapshot one_b = { &again.maps.maps[m], 1 };

			if (!s->map_nondet[m] &&
			    !sdt_maps_equal(&one_a, &one_b, NULL, why, sizeof(why)))
				err = note_map_varies(s, m);
		}
		run_out_free(&again);
		if (err)
			return err;
	}
	return 0;
}

/* --- the public entry ---------------------------------------------------------- */

static void sweep_release(struct sweep *s)
{
	size_t i;

	for (i = 0; s->control && i < s->ninputs; i++)
		run_out_free(&s->control[i]);
	sdt_maps_snapshot_free(&s->initial);
	for (i = 0; i < s->nmaps; i++)
		close(s->map_fds[i]);
	if (s->counter_fd > 0)
		close(s->counter_fd);
	free(s->map_fds);
	free(s->control);
	free(s->out_nondet);
	free(s->map_nondet);
	free(s->leader);
	free(s->bidx);
	free(s->probes);
	free(s->slots);
	free(s->buf);
	free(s->ctx_buf);
}

static int sweep_run(struct sweep *s, bool each, __u32 every)
{
	__u32 *all = calloc(s->tp->cap.insn_cnt + 1, sizeof(*all)), n, k;
	int err;

	if (!all)
		return -ENOMEM;
	n = sdt_prog_boundaries(s->tp, all);
	s->bidx = calloc(n + 1, sizeof(*s->bidx));
	s->buf = malloc(DATA_OUT_MAX);
	s->ctx_buf = calloc(1, 4096);
	if (!s->bidx || !s->buf || !s->ctx_buf) {
		free(all);
		return -ENOMEM;
	}
	for (k = 0; k < n; k += every)
		s->bidx[s->nb++] = all[k];
	free(all);
	s->res->boundaries = s->nb;
	err = program_maps(s);
	if (!err)
		err = find_blocks(s);
	if (!err)
		err = sdt_maps_snapshot(s->map_fds, s->nmaps, &s->initial);
	if (!err)
		err = control_runs(s);
	if (!err)
		err = make_probes(s);
	if (err)
		return err;
	{
		__u32 *ks = calloc(s->nb ? s->nb : 1, sizeof(*ks));

		if (!ks)
			return -ENOMEM;
		for (k = 0; k < s->nb; k++)
			ks[k] = k;
		if (each)
			for (k = 0, err = 0; k < s->nb && !err; k++)
				err = sweep_set(s, &ks[k], 1);
		else
			err = sweep_set(s, ks, s->nb);
		free(ks);
	}
	if (!err)
		err = sdt_maps_restore(&s->initial);
	return err;
}

static int cmp_failure(const void *a, const void *b)
{
	const struct bpf_sdt_sweep_failure *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

struct bpf_sdt_sweep *bpf_sdt_target__sweep(struct bpf_sdt_target *t, const char *prog_name,
					    const struct bpf_sdt_sweep_opts *opts)
{
	struct sweep s = { .t = t, .counter_fd = -1 };
	cpu_set_t was, cpu0;
	__u32 every;
	int err;

	if (!opts || !SDT_OPTS_VALID(opts, bpf_sdt_sweep_opts) || !t || !prog_name) {
		errno = EINVAL;
		return NULL;
	}
	s.inputs = SDT_OPTS_GET(opts, inputs, NULL);
	s.ninputs = SDT_OPTS_GET(opts, input_cnt, 0);
	every = SDT_OPTS_GET(opts, every, 0) ?: 1;
	s.tp = sdt_target_find_prog(t, prog_name);
	if (!s.tp || !s.tp->captured || !s.inputs || !s.ninputs || t->offline ||
	    t->hook.kind != SDT_HOOK_NONE) {
		if (!s.tp)
			pr_warn("%s: no program %s", t->name, prog_name);
		else if (!s.inputs || !s.ninputs)
			pr_warn("%s: program %s: sweeping needs at least one input", t->name,
				prog_name);
		else
			pr_warn("%s: program %s cannot be swept: it must be loaded by libbpfsdt and run by fd",
				t->name, prog_name);
		errno = EINVAL;
		return NULL;
	}
	s.res = calloc(1, sizeof(*s.res));
	if (!s.res) {
		errno = ENOMEM;
		return NULL;
	}
	/* per-CPU maps: every run on the same CPU, so runs compare */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_getaffinity(0, sizeof(was), &was);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);
	err = sweep_run(&s, SDT_OPTS_GET(opts, each, false), every);
	sched_setaffinity(0, sizeof(was), &was);
	sweep_release(&s);
	if (err) {
		pr_warn("%s: program %s: the sweep stopped: %s", t->name, prog_name, strerror(-err));
		bpf_sdt_sweep__free(s.res);
		errno = -err;
		return NULL;
	}
	if (s.res->failure_cnt)
		qsort(s.res->failures, s.res->failure_cnt, sizeof(*s.res->failures), cmp_failure);
	return s.res;
}

__u32 bpf_sdt_sweep__boundaries(const struct bpf_sdt_sweep *s)
{
	return s->boundaries;
}

__u32 bpf_sdt_sweep__armed(const struct bpf_sdt_sweep *s)
{
	return s->armed;
}

__u32 bpf_sdt_sweep__identical(const struct bpf_sdt_sweep *s)
{
	return s->identical;
}

size_t bpf_sdt_sweep__failure_cnt(const struct bpf_sdt_sweep *s)
{
	return s->failure_cnt;
}

const struct bpf_sdt_sweep_failure *bpf_sdt_sweep__failure(const struct bpf_sdt_sweep *s,
							    size_t idx)
{
	return idx < s->failure_cnt ? &s->failures[idx] : NULL;
}

const char *bpf_sdt_sweep__notes(const struct bpf_sdt_sweep *s)
{
	return s->notes;
}

void bpf_sdt_sweep__free(struct bpf_sdt_sweep *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->failure_cnt; i++)
		free((char *)s->failures[i].reason);
	free(s->failures);
	free(s->notes);
	free(s);
}
