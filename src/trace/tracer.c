// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The generic tracer: a generated observer per probe.
 *
 * Event mode writes {u64 time_ns; u32 cpu; u32 site; u64 args[nargs]} into a
 * ring buffer; counting mode adds one to counts[site]. Either way a
 * reservation that fails is counted as lost, by probe. The
 * site is the calling site's id (bpf_sdt_site__id()), which relinked copies
 * and the kernel's SDT trampolines alike pass after the arguments, so the
 * same code observes either way. The counts are the one value of an array
 * map, mapped into this process (read without a system call) and addressed
 * directly by the generated code. Counting without a filter is no observer
 * at all but an add inlined at each relinked site (relink.h), the way a
 * hand-written counter would be: into a per-CPU array, so without an
 * atomic (one costs 4-5 ns here, the plain add of a per-CPU counter under
 * one); a site's hits are the sum of both maps. The generated counter
 * stays for the kernel's own SDT sites, which run observers only.
 *
 * Events are read in batches (ring_reader.h), and a recorder wakes the
 * reader only as the data waiting grows past a sixteenth of the ring: at
 * millions of events a second, a wakeup for each (the kernel's default
 * when the reader keeps up) costs the producer more than recording. The
 * reader polls in short slices, so an event alone waits at most one.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "arm/attach.h"
#include "insn/helper_args.h"
#include "trace/aggregate.h"
#include "trace/filter.h"
#include "trace/packet_copy.h"
#include "trace/site_select.h"
#include "target/dynamic_sites.h"
#include "relink/relink.h"
#include "trace/ring_reader.h"

#define DEFAULT_RINGBUF_SIZE (1u << 20)
#define POLL_SLICE_MS 10
#define MAX_BODY_INSNS (64 + 2 * BPF_SDT_MAX_ARGS)
#define MAX_GENERATED_INSNS 4096
#define EVENT_HDR_SIZE 16
/* What an event takes in the ring: the kernel's 8-byte header, then it */
#define RB_RECORD_SIZE(nargs) (8 + EVENT_HDR_SIZE + 8 * (nargs))

struct tracer_event {
	__u64 time_ns;
	__u32 cpu;
	__u32 site;
	__u64 args[];
};

struct dyn_counter {
	int fd;				/* array map, one value of 8 * n bytes */
	const struct bpf_sdt_site **sites;	/* slot i counts sites[i] */
	__u32 n;
};

struct bpf_sdt_tracer {
	struct bpf_sdt_target *t;
	bool count_only;
	char *target_prog;
	char *filter;
	int ringbuf_fd;
	/* one value: a u64 per site id, then the events lost at each probe
	 * (by index; then one for all dynamic probes) */
	int counts_fd;
	const volatile __u64 *counts;	/* that value, mapped */
	size_t counts_len;
	int site_counts_fd;		/* counting mode: per CPU, by site id */
	int ncpus;
	struct sdt_ring ring;
	bool has_ring;
	__u32 wakeup_bytes;		/* waiting data that wakes the reader */
	const struct bpf_sdt_site **site_by_id;
	const struct bpf_sdt_site **dyn_sites;	/* by id - SDT_DYNAMIC_SITE_ID_BASE */
	__u32 dyn_site_cnt;
	/* counting mode, dynamic sites: counted in place (their ids are no
	 * index of counts), one counter map per batch of probes */
	struct dyn_counter *dyn_counters;
	size_t ndyn_counters;
	struct bpf_sdt_link **links;
	size_t nlinks;
	/* counting mode with a filter: the filter of each probe, inlined at
	 * its relinked sites ahead of the count */
	struct filter_cond **conds;
	size_t nconds;
	__u32 snaplen;			/* events carry their packet */
	struct sdt_agg *aggs;
	size_t naggs;
	struct sdt_site_selection sel;	/* which sites of each probe record */
	__s64 wall_offset;		/* real-time minus monotonic clock */
	/* the poll in progress */
	bpf_sdt_event_fn fn;
	void *fn_ctx;
	int delivered;
	int stopped;			/* fn's non-zero return */
};

struct filter_cond {
	struct sdt_site_cond c;		/* first: relink hands it back */
	struct sdt_filter *f;
};

#define I(code, dst, src, off, imm) ((struct bpf_insn){ code, dst, src, off, imm })
#define MOV64_REG(d, s) I(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i) I(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s, o) I(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) I(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define CALL(id) I(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define JEQ_IMM(d, i, o) I(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define JA(o) I(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP_FD(d, fd) I(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, fd), I(0, 0, 0, 0, 0)
/* d = &counts value + off */
#define LD_MAP_VALUE(d, fd, off) \
	I(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_VALUE, 0, fd), I(0, 0, 0, 0, off)
#define ATOMIC_ADD64(d, s, o) I(BPF_STX | 0xc0 /* BPF_ATOMIC */ | BPF_DW, d, s, o, BPF_ADD)
#define LSH64_IMM(d, i) I(BPF_ALU64 | BPF_LSH | BPF_K, d, 0, 0, i)
#define ADD64_REG(d, s) I(BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0)
#define JGE_IMM(d, i, o) I(BPF_JMP | BPF_JGE | BPF_K, d, 0, o, i)
#define JLT_IMM(d, i, o) I(BPF_JMP | BPF_JLT | BPF_K, d, 0, o, i)

static __u32 site_cnt_of(const struct bpf_sdt_tracer *tr)
{
	return (__u32)bpf_sdt_object__site_cnt(bpf_sdt_target__probes(tr->t));
}

/* The counts' slot for events lost at probe. */
static __u32 lost_slot(const struct bpf_sdt_tracer *tr, const struct bpf_sdt_probe *probe)
{
	const struct bpf_sdt_object *sdt = bpf_sdt_target__probes(tr->t);
	size_t i, n = bpf_sdt_object__probe_cnt(sdt);

	for (i = 0; i < n && bpf_sdt_object__probe(sdt, i) != probe; i++)
		;
	return site_cnt_of(tr) + (__u32)i; /* i == n: a dynamic probe */
}

static __u32 slot_cnt(const struct bpf_sdt_tracer *tr)
{
	return site_cnt_of(tr) + (__u32)bpf_sdt_object__probe_cnt(bpf_sdt_target__probes(tr->t)) + 1;
}

/* counts[site] += 1; the kernel's SDT trampolines pass the site id as an
 * unknown number, hence the bound. */
static int gen_counter(const struct bpf_sdt_tracer *tr, int nargs, struct bpf_insn *out)
{
	struct bpf_insn code[] = {
		LDX(BPF_DW, BPF_REG_1, BPF_REG_6, 8 * SDT_SLOT_SITE(nargs)),
		JGE_IMM(BPF_REG_1, (int)site_cnt_of(tr), 5),
		LSH64_IMM(BPF_REG_1, 3),
		LD_MAP_VALUE(BPF_REG_2, tr->counts_fd, 0),
		ADD64_REG(BPF_REG_2, BPF_REG_1),
		MOV64_IMM(BPF_REG_1, 1),
		ATOMIC_ADD64(BPF_REG_2, BPF_REG_1, 0),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};

	memcpy(out, code, sizeof(code));
	return (int)(sizeof(code) / sizeof(code[0]));
}

static int gen_recorder(const struct bpf_sdt_tracer *tr, const struct bpf_sdt_probe *probe,
			const struct sdt_insn_buf *packet, struct bpf_insn *out)
{
	int reserve = sdt_helper_id("bpf_ringbuf_reserve"), submit = sdt_helper_id("bpf_ringbuf_submit");
	int query = sdt_helper_id("bpf_ringbuf_query"), nargs = bpf_sdt_probe__arg_cnt(probe);
	int ktime = sdt_helper_id("bpf_ktime_get_ns"), cpu = sdt_helper_id("bpf_get_smp_processor_id");
	struct bpf_insn head[] = {
		LD_MAP_FD(BPF_REG_1, tr->ringbuf_fd),
		MOV64_IMM(BPF_REG_2, EVENT_HDR_SIZE + 8 * nargs +
				     (tr->snaplen ? SDT_PACKET_TRAILER(tr->snaplen) : 0)),
		MOV64_IMM(BPF_REG_3, 0),
		CALL(reserve),
	};
	struct bpf_insn fill[] = {
		MOV64_REG(BPF_REG_7, BPF_REG_0),
		CALL(ktime),
		STX(BPF_DW, BPF_REG_7, BPF_REG_0, 0),
		CALL(cpu),
		STX(BPF_W, BPF_REG_7, BPF_REG_0, 8),
		LDX(BPF_DW, BPF_REG_1, BPF_REG_6, 8 * SDT_SLOT_SITE(nargs)),
		STX(BPF_W, BPF_REG_7, BPF_REG_1, 12),
	};
	/* wake the reader when the data waiting grows past wakeup_bytes:
	 * once, not at every event after (a wakeup is an interrupt, which
	 * in a VM costs microseconds); the reader looks in any case between
	 * its short waits */
	struct bpf_insn tail[] = {
		LD_MAP_FD(BPF_REG_1, tr->ringbuf_fd),
		MOV64_IMM(BPF_REG_2, BPF_RB_AVAIL_DATA),
		CALL(query),
		MOV64_IMM(BPF_REG_2, BPF_RB_NO_WAKEUP),
		JLT_IMM(BPF_REG_0, (int)tr->wakeup_bytes, 2),
		JGE_IMM(BPF_REG_0, (int)(tr->wakeup_bytes + RB_RECORD_SIZE(nargs) +
					 (tr->snaplen ? SDT_PACKET_TRAILER(tr->snaplen) : 0)), 1),
		MOV64_IMM(BPF_REG_2, BPF_RB_FORCE_WAKEUP),
		MOV64_REG(BPF_REG_1, BPF_REG_7),
		CALL(submit),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};
	struct bpf_insn lost[] = {
		LD_MAP_VALUE(BPF_REG_1, tr->counts_fd, 8 * (int)lost_slot(tr, probe)),
		MOV64_IMM(BPF_REG_2, 1),
		ATOMIC_ADD64(BPF_REG_1, BPF_REG_2, 0),
		MOV64_IMM(BPF_REG_0, 0),
		EXIT(),
	};
	int n = 0, i, body = (int)(sizeof(fill) / sizeof(fill[0]) + sizeof(tail) / sizeof(tail[0])) +
			     2 * nargs + (int)packet->cnt;

	memcpy(out + n, head, sizeof(head));
	n += sizeof(head) / sizeof(head[0]);
	out[n++] = JEQ_IMM(BPF_REG_0, 0, body); /* no room: count it as lost */
	memcpy(out + n, fill, sizeof(fill));
	n += sizeof(fill) / sizeof(fill[0]);
	for (i = 0; i < nargs; i++) {
		out[n++] = LDX(BPF_DW, BPF_REG_1, BPF_REG_6, 8 * i);
		out[n++] = STX(BPF_DW, BPF_REG_7, BPF_REG_1, EVENT_HDR_SIZE + 8 * i);
	}
	if (packet->cnt)
		memcpy(out + n, packet->insns, packet->cnt * sizeof(*out));
	n += (int)packet->cnt;
	memcpy(out + n, tail, sizeof(tail));
	n += sizeof(tail) / sizeof(tail[0]);
	memcpy(out + n, lost, sizeof(lost));
	return n + (int)(sizeof(lost) / sizeof(lost[0]));
}

static int on_ringbuf_event(void *ctx, void *data, size_t size)
{
	struct bpf_sdt_tracer *tr = ctx;
	const struct bpf_sdt_object *sdt = bpf_sdt_target__probes(tr->t);
	const struct tracer_event *e = data;
	struct bpf_sdt_event ev;

	if (size < EVENT_HDR_SIZE)
		return 0;
	ev.time_ns = e->time_ns;
	ev.cpu = e->cpu;
	ev.site = e->site < bpf_sdt_object__site_cnt(sdt) ? tr->site_by_id[e->site] :
		  e->site - SDT_DYNAMIC_SITE_ID_BASE < tr->dyn_site_cnt ?
		  tr->dyn_sites[e->site - SDT_DYNAMIC_SITE_ID_BASE] : NULL;
	if (!ev.site)
		return 0;
	ev.probe = bpf_sdt_site__probe(ev.site);
	ev.nargs = bpf_sdt_probe__arg_cnt(ev.probe);
	if (size < EVENT_HDR_SIZE + 8 * (size_t)ev.nargs)
		return 0;
	ev.args = e->args;
	ev.wall_ns = e->time_ns + (__u64)tr->wall_offset;
	ev.packet = NULL;
	ev.packet_len = ev.packet_wire_len = 0;
	if (tr->snaplen) {
		const __u32 *trailer = (const void *)(e->args + ev.nargs);

		if (size < EVENT_HDR_SIZE + 8 * (size_t)ev.nargs + SDT_PACKET_TRAILER(tr->snaplen))
			return 0;
		ev.packet_len = trailer[0] <= tr->snaplen ? trailer[0] : 0;
		ev.packet_wire_len = trailer[1];
		ev.packet = ev.packet_len ? (const void *)(trailer + 2) : NULL;
	}
	tr->delivered++;
	tr->stopped = tr->fn ? tr->fn(tr->fn_ctx, &ev) : 0;
	return tr->stopped;
}

/* The counts: one value of an array map (what the generated code can
 * address directly, and a site's inlined add too), mapped here. */
static int create_counts(struct bpf_sdt_tracer *tr)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	long page = sysconf(_SC_PAGESIZE);
	__u32 size = 8 * slot_cnt(tr);
	void *mem;
	int err;

	tr->counts_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sdt_counts", sizeof(__u32), size, 1,
				       &opts);
	if (tr->counts_fd < 0) {
		err = -errno;
		pr_warn("%s: cannot create the tracer's counters: %s", tr->t->name, strerror(-err));
		return err;
	}
	tr->counts_len = ((size_t)size + page - 1) / page * page;
	mem = mmap(NULL, tr->counts_len, PROT_READ, MAP_SHARED, tr->counts_fd, 0);
	if (mem == MAP_FAILED) {
		err = -errno;
		pr_warn("%s: cannot map the tracer's counters: %s", tr->t->name, strerror(-err));
		return err;
	}
	tr->counts = mem;
	return 0;
}

static __u32 site_id_slot(void *ctx, const struct bpf_sdt_site *site)
{
	return bpf_sdt_site__id(site);
}

/* Counting mode's per-CPU counters, one per site id. */
static int create_site_counts(struct bpf_sdt_tracer *tr, size_t site_cnt)
{
	int err;

	tr->ncpus = libbpf_num_possible_cpus();
	if (tr->ncpus < 1)
		return tr->ncpus < 0 ? tr->ncpus : -EINVAL;
	tr->site_counts_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "sdt_site_counts",
					    sizeof(__u32), sizeof(__u64),
					    site_cnt ? (__u32)site_cnt : 1, NULL);
	if (tr->site_counts_fd < 0) {
		err = -errno;
		pr_warn("%s: cannot create the tracer's per-CPU counters: %s", tr->t->name,
			strerror(-err));
		return err;
	}
	return 0;
}

struct bpf_sdt_tracer *bpf_sdt_tracer__new(struct bpf_sdt_target *t,
					   const struct bpf_sdt_tracer_opts *opts)
{
	__u32 rb_size = SDT_OPTS_GET(opts, ringbuf_size, 0);
	__u32 snaplen = SDT_OPTS_GET(opts, snaplen, 0);
	const char *target_prog = SDT_OPTS_GET(opts, target_prog, NULL);
	size_t site_cnt = bpf_sdt_object__site_cnt(bpf_sdt_target__probes(t));
	struct bpf_sdt_tracer *tr = calloc(1, sizeof(*tr));
	int err = -ENOMEM;
	size_t i;

	if (!tr)
		goto fail;
	tr->t = t;
	tr->ringbuf_fd = tr->counts_fd = tr->site_counts_fd = -1;
	tr->site_by_id = calloc(site_cnt ? site_cnt : 1, sizeof(*tr->site_by_id));
	if (!tr->site_by_id)
		goto fail;
	for (i = 0; i < site_cnt; i++) {
		const struct bpf_sdt_site *s = bpf_sdt_object__site(bpf_sdt_target__probes(t), i);

		tr->site_by_id[bpf_sdt_site__id(s)] = s;
	}
	tr->count_only = SDT_OPTS_GET(opts, count_only, false);
	if (snaplen > BPF_SDT_MAX_SNAPLEN || (snaplen && tr->count_only)) {
		pr_warn("%s: a snap length %s", t->name, tr->count_only ?
			"needs events: a counting tracer records none" :
			"above " "65535 bytes is not supported");
		err = -EINVAL;
		goto fail;
	}
	tr->snaplen = snaplen;
	if (!rb_size) {
		/* room for a burst of full-size packets when they are copied */
		rb_size = DEFAULT_RINGBUF_SIZE;
		while (snaplen && rb_size < 256u * (SDT_PACKET_TRAILER(snaplen) + 256))
			rb_size <<= 1;
	}
	if (target_prog && !(tr->target_prog = strdup(target_prog)))
		goto fail;
	if (SDT_OPTS_GET(opts, filter, NULL) && !(tr->filter = strdup(opts->filter)))
		goto fail;
	err = create_counts(tr);
	if (!err && tr->count_only)
		err = create_site_counts(tr, site_cnt);
	if (err)
		goto fail;
	if (!tr->count_only) {
		tr->ringbuf_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "sdt_events", 0, 0, rb_size,
						NULL);
		if (tr->ringbuf_fd < 0) {
			err = -errno;
			pr_warn("%s: cannot create a %u-byte ring buffer: %s", t->name, rb_size,
				strerror(-err));
			goto fail;
		}
		err = sdt_ring_open(&tr->ring, tr->ringbuf_fd);
		if (err) {
			pr_warn("%s: cannot map the ring buffer: %s", t->name, strerror(-err));
			goto fail;
		}
		tr->has_ring = true;
		tr->wakeup_bytes = rb_size / 16;
	}
	return tr;
fail:
	bpf_sdt_tracer__free(tr);
	errno = -err;
	return NULL;
}

/*
 * Every generated observer starts by keeping the argument array in r6 and,
 * with a filter, returning early for events that do not pass it.
 */
static int gen_prologue(struct bpf_sdt_tracer *tr, const struct bpf_sdt_probe *probe,
			struct bpf_insn *out, int cap)
{
	char err[192];
	int n = 0, f;

	out[n++] = MOV64_REG(BPF_REG_6, BPF_REG_1);
	n += sdt_site_selection_emit(&tr->sel, probe, out + n, cap - n);
	if (!tr->filter)
		return n;
	f = sdt_filter_compile(tr->filter, bpf_sdt_object__btf(bpf_sdt_target__probes(tr->t)),
			       probe, out + n, cap - n - 3, err, sizeof(err));
	if (f < 0) {
		pr_warn("%s: filter '%s' for probe %s: %s", tr->t->name, tr->filter,
			bpf_sdt_probe__name(probe), err);
		return f;
	}
	n += f;
	out[n++] = JEQ_IMM(BPF_REG_1, 1, 2); /* passes: on to the body */
	out[n++] = MOV64_IMM(BPF_REG_0, 0);
	out[n++] = EXIT();
	return n;
}

/* The aggregations' code for an event of probe, and the code copying its
 * packet into the event. */
static int gen_extras(struct bpf_sdt_tracer *tr, const struct bpf_sdt_probe *probe,
		      struct sdt_insn_buf *aggs, struct sdt_insn_buf *packet)
{
	const struct btf *btf = bpf_sdt_object__btf(bpf_sdt_target__probes(tr->t));
	struct sdt_packet_source src;
	char why[192];
	size_t i;

	for (i = 0; i < tr->naggs; i++)
		sdt_agg_emit(&tr->aggs[i], aggs, btf, probe);
	if (tr->snaplen && !tr->count_only) {
		if (sdt_packet_source_find(btf, probe, &src, why, sizeof(why))) {
			pr_warn("%s: probe %s: cannot copy its packets: %s", tr->t->name,
				bpf_sdt_probe__name(probe), why);
			return -EINVAL;
		}
		sdt_emit_packet_copy(packet, &src,
				     (__s16)(EVENT_HDR_SIZE + 8 * bpf_sdt_probe__arg_cnt(probe)),
				     tr->snaplen);
	}
	return aggs->err ?: packet->err;
}

/* The observer code for one probe; its length, or -errno. */
static int gen_observer(struct bpf_sdt_tracer *tr, const struct bpf_sdt_probe *probe,
			struct bpf_insn *code)
{
	struct sdt_insn_buf aggs = {}, packet = {};
	int p, err = gen_extras(tr, probe, &aggs, &packet);

	if (!err && aggs.cnt + packet.cnt + MAX_BODY_INSNS > MAX_GENERATED_INSNS / 2) {
		pr_warn("%s: probe %s: too many aggregations", tr->t->name,
			bpf_sdt_probe__name(probe));
		err = -E2BIG;
	}
	p = err ?: gen_prologue(tr, probe, code, MAX_GENERATED_INSNS / 2);
	if (p >= 0) {
		if (aggs.cnt)
			memcpy(code + p, aggs.insns, aggs.cnt * sizeof(*code));
		p += (int)aggs.cnt;
		p += tr->count_only ? gen_counter(tr, bpf_sdt_probe__arg_cnt(probe), code + p) :
		     gen_recorder(tr, probe, &packet, code + p);
	}
	sdt_insn_buf_free(&aggs);
	sdt_insn_buf_free(&packet);
	return p;
}

static int emit_filter_cond(const struct sdt_site_cond *c, struct sdt_insn_buf *b, __u8 ra,
			    __u8 rb, __u32 skip,
			    void (*load_arg)(void *ctx, struct sdt_insn_buf *b, __u8 reg, int arg),
			    void *ctx)
{
	return sdt_filter_emit_jumps(((const struct filter_cond *)c)->f, b, ra, rb, skip,
				     load_arg, ctx);
}

/* The tracer's filter for probe, kept for its sites' inlined counts (the
 * generated observer already said what is wrong with a bad one). */
static int new_filter_cond(struct bpf_sdt_tracer *tr, const struct bpf_sdt_probe *probe,
			   const struct sdt_site_cond **out)
{
	struct filter_cond **grown, *fc;
	char err[192];
	int e;

	grown = realloc(tr->conds, (tr->nconds + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	tr->conds = grown;
	fc = calloc(1, sizeof(*fc));
	if (!fc)
		return -ENOMEM;
	e = sdt_filter_parse(tr->filter, bpf_sdt_object__btf(bpf_sdt_target__probes(tr->t)), probe,
			     &fc->f, err, sizeof(err));
	if (e) {
		free(fc);
		return e;
	}
	fc->c.emit = emit_filter_cond;
	tr->conds[tr->nconds++] = fc;
	*out = &fc->c;
	return 0;
}

/* Sites of the target's dynamic probes, by id: events name them by it. */
static int refresh_dyn_sites(struct bpf_sdt_tracer *tr)
{
	const struct bpf_sdt_site **by_id;
	__u32 i;

	if (tr->t->dyn_site_cnt == tr->dyn_site_cnt)
		return 0;
	by_id = calloc(tr->t->dyn_site_cnt, sizeof(*by_id));
	if (!by_id)
		return -ENOMEM;
	for (i = 0; i < tr->t->dyn_site_cnt; i++)
		by_id[i] = sdt_dynamic_site_by_id(tr->t, SDT_DYNAMIC_SITE_ID_BASE + i);
	free(tr->dyn_sites);
	tr->dyn_sites = by_id;
	tr->dyn_site_cnt = tr->t->dyn_site_cnt;
	return 0;
}

static __u32 dyn_counter_slot(void *ctx, const struct bpf_sdt_site *site)
{
	const struct dyn_counter *c = ctx;
	__u32 i;

	for (i = 0; i < c->n && c->sites[i] != site; i++)
		;
	return i < c->n ? i : 0;
}

/* A counter map for the dynamic probes among probes[0..n), or none. */
static int new_dyn_counter(struct bpf_sdt_tracer *tr, const struct bpf_sdt_probe *const *probes,
			   size_t n, struct dyn_counter **out)
{
	struct dyn_counter *grown, *c;
	__u32 total = 0;
	size_t k, i;

	*out = NULL;
	for (k = 0; k < n; k++)
		if (sdt_probe_is_dynamic(tr->t, probes[k]))
			total += (__u32)bpf_sdt_probe__site_cnt(probes[k]);
	if (!total || !tr->count_only)
		return 0;
	grown = realloc(tr->dyn_counters, (tr->ndyn_counters + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	tr->dyn_counters = grown;
	c = &grown[tr->ndyn_counters];
	c->sites = calloc(total, sizeof(*c->sites));
	c->n = 0;
	if (!c->sites)
		return -ENOMEM;
	for (k = 0; k < n; k++)
		for (i = 0; sdt_probe_is_dynamic(tr->t, probes[k]) &&
			    i < bpf_sdt_probe__site_cnt(probes[k]); i++)
			c->sites[c->n++] = bpf_sdt_probe__site(probes[k], i);
	c->fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sdt_dyn_counts", sizeof(__u32), 8 * total, 1,
			       NULL);
	if (c->fd < 0) {
		free(c->sites);
		return -errno;
	}
	tr->ndyn_counters++;
	*out = c;
	return 0;
}

static int add_to_aggregations(struct bpf_sdt_tracer *tr, const struct bpf_sdt_probe *probe)
{
	const struct btf *btf = bpf_sdt_object__btf(bpf_sdt_target__probes(tr->t));
	char why[160];
	size_t i;
	int err;

	for (i = 0; i < tr->naggs; i++) {
		err = sdt_agg_add_probe(&tr->aggs[i], btf, probe, why, sizeof(why));
		if (err) {
			pr_warn("%s: probe %s: cannot aggregate: %s", tr->t->name,
				bpf_sdt_probe__name(probe), err == -EINVAL ? why : strerror(-err));
			return err;
		}
	}
	return 0;
}

int bpf_sdt_tracer__aggregate(struct bpf_sdt_tracer *tr, const struct bpf_sdt_aggregation *agg)
{
	struct sdt_agg *grown;
	char why[192];
	int err;

	if (!tr || !agg || agg->sz < sizeof(size_t))
		return -EINVAL;
	if (tr->nlinks) {
		pr_warn("%s: aggregations go before the probes they count", tr->t->name);
		return -EBUSY;
	}
	grown = realloc(tr->aggs, (tr->naggs + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	tr->aggs = grown;
	err = sdt_agg_init(&grown[tr->naggs], agg, why, sizeof(why));
	if (err) {
		pr_warn("%s: aggregation of arg%d: %s", tr->t->name, agg->arg, why);
		sdt_agg_release(&grown[tr->naggs]);
		return err;
	}
	return (int)tr->naggs++;
}

int bpf_sdt_tracer__agg_read(const struct bpf_sdt_tracer *tr, int idx,
			     const struct bpf_sdt_probe *probe, const struct bpf_sdt_site *site,
			     struct bpf_sdt_agg_value *out)
{
	if (!tr || idx < 0 || (size_t)idx >= tr->naggs || !out)
		return -EINVAL;
	return sdt_agg_read(&tr->aggs[idx], bpf_sdt_object__btf(bpf_sdt_target__probes(tr->t)),
			    probe, site, out);
}

bool bpf_sdt_tracer__traces_site(const struct bpf_sdt_tracer *tr, const struct bpf_sdt_site *site)
{
	return tr && site && sdt_site_selection_has(&tr->sel, site);
}

/* Whether only some of probe's sites record ("PROBE@SITES"). */
static bool selects_sites(const struct bpf_sdt_tracer *tr, const struct bpf_sdt_probe *probe)
{
	size_t i;

	for (i = 0; i < tr->sel.n; i++)
		if (tr->sel.v[i].probe == probe && tr->sel.v[i].n)
			return true;
	return false;
}

int bpf_sdt_tracer__add_probes(struct bpf_sdt_tracer *tr, const char *const *probes, size_t n)
{
	const char *name = tr->count_only ? "sdt_count" : "sdt_trace";
	const struct bpf_sdt_probe **resolved = NULL;
	struct dyn_counter *dc = NULL;
	struct bpf_insn *code = NULL;
	struct sdt_generated *g = NULL;
	struct bpf_sdt_link **links;
	size_t k;
	int err = 0, len;

	if (!tr || !probes || !n)
		return -EINVAL;
	links = realloc(tr->links, (tr->nlinks + n) * sizeof(*links));
	if (!links)
		return -ENOMEM;
	tr->links = links;
	g = calloc(n, sizeof(*g));
	resolved = calloc(n, sizeof(*resolved));
	code = sdt_calloc(n * MAX_GENERATED_INSNS, sizeof(*code));
	if (!g || !code || !resolved) {
		err = -ENOMEM;
		goto out;
	}
	for (k = 0; k < n; k++) {
		/* a probe of the object, or a dynamic site (PROG+INSN, FILE:LINE) */
		resolved[k] = sdt_site_selection_resolve(&tr->sel, tr->t, probes[k]);
		if (!resolved[k]) {
			err = -errno;
			goto out;
		}
		err = add_to_aggregations(tr, resolved[k]);
		if (err)
			goto out;
	}
	err = refresh_dyn_sites(tr);
	if (!err)
		err = new_dyn_counter(tr, resolved, n, &dc);
	for (k = 0; k < n && !err; k++) {
		const struct bpf_sdt_probe *probe = resolved[k];

		if (dc && sdt_probe_is_dynamic(tr->t, probe) && (tr->filter || tr->naggs)) {
			pr_warn("%s: %s: counting a dynamic site with a filter or aggregation is not supported; trace its events instead",
				tr->t->name, bpf_sdt_probe__name(probe));
			err = -EOPNOTSUPP;
			goto out;
		}
		if (dc && sdt_probe_is_dynamic(tr->t, probe)) {
			g[k] = (struct sdt_generated){ .probe = probe, .name = name,
						       .target_prog = tr->target_prog,
						       .inline_count = true, .counter_fd = dc->fd,
						       .counter_slot = dyn_counter_slot,
						       .counter_ctx = dc };
			continue;
		}
		len = gen_observer(tr, probe, code + k * MAX_GENERATED_INSNS);
		if (len < 0) {
			err = len;
			goto out;
		}
		g[k] = (struct sdt_generated){ .probe = probe, .name = name,
					       .insns = code + k * MAX_GENERATED_INSNS,
					       .insn_cnt = (__u32)len, .target_prog = tr->target_prog };
		/* relinked sites count in place, behind the filter if any; the
		 * kernel's SDT sites (which run observers only), aggregations
		 * and a selection of sites keep the generated code */
		if (tr->count_only && !sdt_probe_is_dynamic(tr->t, probe) && !tr->naggs &&
		    !selects_sites(tr, probe)) {
			g[k].inline_count = true;
			g[k].counter_percpu = true;
			g[k].counter_fd = tr->site_counts_fd;
			g[k].counter_slot = site_id_slot;
			if (tr->filter)
				err = new_filter_cond(tr, probe, &g[k].cond);
		}
	}
	if (!err)
		err = sdt_target_attach_generated_all(tr->t, g, n, tr->links + tr->nlinks);
	if (!err)
		tr->nlinks += n;
out:
	free(resolved);
	free(code);
	free(g);
	return err;
}

int bpf_sdt_tracer__add_probe(struct bpf_sdt_tracer *tr, const char *probe_name)
{
	return bpf_sdt_tracer__add_probes(tr, &probe_name, 1);
}

int bpf_sdt_tracer__poll(struct bpf_sdt_tracer *tr, int timeout_ms, bpf_sdt_event_fn fn,
			 void *ctx)
{
	__u64 deadline = timeout_ms > 0 ? sdt_now_ns() + (__u64)timeout_ms * 1000000 : 0;
	long n;
	int w = 0, slice;

	if (!tr->has_ring)
		return 0;
	tr->fn = fn;
	tr->fn_ctx = ctx;
	tr->delivered = 0;
	{
		/* events carry the monotonic clock (bpf_ktime_get_ns()); the
		 * real-time clock may step, so its offset is taken anew */
		struct timespec mono, real;

		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_REALTIME, &real);
		tr->wall_offset = ((__s64)real.tv_sec - mono.tv_sec) * 1000000000LL +
				  (real.tv_nsec - mono.tv_nsec);
	}
	tr->stopped = 0;
	/* producers wake the reader only for a batch: wait in slices and
	 * look between them */
	n = sdt_ring_consume(&tr->ring, on_ringbuf_event, tr);
	while (!n && timeout_ms && w >= 0) {
		slice = POLL_SLICE_MS;
		if (timeout_ms > 0) {
			__u64 now = sdt_now_ns();

			if (now >= deadline)
				break;
			if (deadline - now < (__u64)slice * 1000000)
				slice = (int)((deadline - now) / 1000000) + 1;
		}
		w = sdt_ring_wait(&tr->ring, slice);
		n = sdt_ring_consume(&tr->ring, on_ringbuf_event, tr);
	}
	tr->fn = NULL;
	if (tr->stopped)
		return tr->stopped;
	if (!n && w < 0)
		return w; /* -EINTR: a signal, for the caller to look at */
	return tr->delivered;
}

static __u64 read_count(const struct bpf_sdt_tracer *tr, __u32 key)
{
	return key < slot_cnt(tr) ? tr->counts[key] : 0;
}

/* What the sites counted in place on every CPU, at site id key. */
static __u64 read_site_counts(const struct bpf_sdt_tracer *tr, __u32 key)
{
	__u64 *v, sum = 0;
	int cpu;

	if (tr->site_counts_fd < 0 || !(v = calloc(tr->ncpus, sizeof(*v))))
		return 0;
	if (!bpf_map_lookup_elem(tr->site_counts_fd, &key, v))
		for (cpu = 0; cpu < tr->ncpus; cpu++)
			sum += v[cpu];
	free(v);
	return sum;
}

static __u64 dyn_hits(const struct bpf_sdt_tracer *tr, const struct bpf_sdt_site *site)
{
	__u32 zero = 0, i;
	__u64 hits;
	size_t c;

	for (c = 0; c < tr->ndyn_counters; c++) {
		const struct dyn_counter *dc = &tr->dyn_counters[c];
		__u64 *v;

		for (i = 0; i < dc->n && dc->sites[i] != site; i++)
			;
		if (i == dc->n)
			continue;
		v = calloc(dc->n, sizeof(*v));
		hits = v && !bpf_map_lookup_elem(dc->fd, &zero, v) ? v[i] : 0;
		free(v);
		return hits;
	}
	return 0;
}

__u64 bpf_sdt_tracer__site_hits(const struct bpf_sdt_tracer *tr, const struct bpf_sdt_site *site)
{
	const struct bpf_sdt_object *sdt = bpf_sdt_target__probes(tr->t);
	__u32 id = site ? bpf_sdt_site__id(site) : 0;

	if (bpf_sdt_site__is_dynamic(site) && tr->ndyn_counters)
		return dyn_hits(tr, site);
	if (id >= bpf_sdt_object__site_cnt(sdt) || tr->site_by_id[id] != site)
		return 0;
	return read_count(tr, id) + read_site_counts(tr, id);
}

__u64 bpf_sdt_tracer__lost(const struct bpf_sdt_tracer *tr)
{
	__u32 k;
	__u64 n = 0;

	for (k = site_cnt_of(tr); k < slot_cnt(tr); k++)
		n += read_count(tr, k);
	return n;
}

__u64 bpf_sdt_tracer__probe_lost(const struct bpf_sdt_tracer *tr,
				 const struct bpf_sdt_probe *probe)
{
	return probe ? read_count(tr, lost_slot(tr, probe)) : 0;
}

void bpf_sdt_tracer__free(struct bpf_sdt_tracer *tr)
{
	size_t i;

	if (!tr)
		return;
	/* all probes at once: each program swapped a single time, so no
	 * packet meets a copy with only some of them disarmed */
	if (tr->nlinks)
		sdt_target_detach_links(tr->t, tr->links, tr->nlinks);
	free(tr->links);
	if (tr->has_ring)
		sdt_ring_close(&tr->ring);
	if (tr->ringbuf_fd >= 0)
		close(tr->ringbuf_fd);
	if (tr->counts)
		munmap((void *)tr->counts, tr->counts_len);
	if (tr->counts_fd >= 0)
		close(tr->counts_fd);
	if (tr->site_counts_fd >= 0)
		close(tr->site_counts_fd);
	for (i = 0; i < tr->nconds; i++) {
		sdt_filter_free(tr->conds[i]->f);
		free(tr->conds[i]);
	}
	free(tr->conds);
	free(tr->target_prog);
	free(tr->filter);
	free(tr->site_by_id);
	free(tr->dyn_sites);
	for (i = 0; i < tr->ndyn_counters; i++) {
		close(tr->dyn_counters[i].fd);
		free(tr->dyn_counters[i].sites);
	}
	free(tr->dyn_counters);
	for (i = 0; i < tr->naggs; i++)
		sdt_agg_release(&tr->aggs[i]);
	free(tr->aggs);
	sdt_site_selection_free(&tr->sel);
	free(tr);
}
