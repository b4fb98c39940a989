// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Targets: a loaded BPF object plus, for each program, what the kernel was
 * given (captured at load time) and where each probe site ended up in the
 * program's final instructions.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "target/prog_load.h"
#include "target/target.h"

#define STATS_LOG_SIZE 4096

static int func_nargs(const struct btf *btf, __u32 func_type_id)
{
	const struct btf_type *t = btf__type_by_id(btf, func_type_id);

	if (!t || !btf_is_func(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	return btf_vlen(t);
}

/* Without func_info, the functions are where calls and callback
 * references land, as the verifier finds them; sdt_reg_args_read() then
 * counts their arguments. */
static int funcs_from_calls(struct sdt_target_prog *tp)
{
	const struct bpf_insn *insns = tp->cap.insns;
	__u32 n = tp->cap.insn_cnt, i, k;
	bool *start = calloc(n + 1, sizeof(*start));

	if (!start)
		return -ENOMEM;
	start[0] = true;
	for (i = 0; i < n; i++) {
		bool call = insns[i].code == (BPF_JMP | BPF_CALL) &&
			    insns[i].src_reg == BPF_PSEUDO_CALL;
		bool ref = insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			   insns[i].src_reg == BPF_PSEUDO_FUNC;
		__s64 to = (__s64)i + 1 + insns[i].imm;

		if ((call || ref) && to >= 0 && to < n)
			start[to] = true;
	}
	for (i = 0, tp->nfuncs = 0; i < n; i++)
		tp->nfuncs += start[i];
	tp->funcs = calloc(tp->nfuncs, sizeof(*tp->funcs));
	tp->func_type_ids = calloc(tp->nfuncs, sizeof(*tp->func_type_ids));
	if (!tp->funcs || !tp->func_type_ids) {
		free(start);
		return -ENOMEM;
	}
	for (i = 0, k = 0; i < n; i++)
		if (start[i])
			tp->funcs[k++].start = i;
	tp->funcs[0].nargs = 1; /* the context */
	free(start);
	return 0;
}

/* Functions of the final program, from its func_info. */
static int load_funcs(struct bpf_sdt_target *t, struct sdt_target_prog *tp)
{
	const struct sdt_prog_capture *c = &tp->cap;
	__u32 i;

	if (!c->func_info_cnt)
		return funcs_from_calls(tp);
	tp->funcs = calloc(c->func_info_cnt, sizeof(*tp->funcs));
	tp->func_type_ids = calloc(c->func_info_cnt, sizeof(*tp->func_type_ids));
	if (!tp->funcs || !tp->func_type_ids)
		return -ENOMEM;
	for (i = 0; i < c->func_info_cnt; i++) {
		const struct bpf_func_info *fi =
			(const void *)((const char *)c->func_info + (size_t)i * c->func_info_rec_size);
		int n = func_nargs(t->btf, fi->type_id);

		if (n < 0 || fi->insn_off >= c->insn_cnt || (i && fi->insn_off <= tp->funcs[i - 1].start)) {
			pr_warn("%s: program %s: inconsistent func_info record %u", t->name, tp->name, i);
			return -EINVAL;
		}
		tp->funcs[i].start = fi->insn_off;
		tp->funcs[i].nargs = n;
		tp->func_type_ids[i] = fi->type_id;
	}
	tp->nfuncs = c->func_info_cnt;
	return 0;
}

static __u32 func_of(const struct sdt_target_prog *tp, __u32 idx)
{
	__u32 f = 0;

	while (f + 1 < tp->nfuncs && tp->funcs[f + 1].start <= idx)
		f++;
	return f;
}

int sdt_target_prog_locate(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
			   const char *sec, const char *fn, __u32 insn, __u32 *idx)
{
	__u32 i;

	if (!fn)
		return -ENOENT;
	if (!strcmp(sec, bpf_program__section_name(tp->prog)) && !strcmp(fn, tp->name)) {
		*idx = insn;
		return 0;
	}
	if (strcmp(sec, ".text"))
		return -ENOENT;
	for (i = 1; i < tp->nfuncs; i++) {
		const struct btf_type *ft = btf__type_by_id(t->btf, tp->func_type_ids[i]);

		if (ft && !strcmp(btf__name_by_offset(t->btf, ft->name_off), fn)) {
			*idx = tp->funcs[i].start + insn;
			return 0;
		}
	}
	return -ENOENT;
}

/* Where, if anywhere, this program's final instructions hold site s. */
static int locate_site(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		       const struct bpf_sdt_site *s, __u32 *idx)
{
	return sdt_target_prog_locate(t, tp, bpf_sdt_site__section(s), bpf_sdt_site__function(s),
				      bpf_sdt_site__insn(s), idx);
}

static bool is_site_nop(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_JA) && !insn->dst_reg && !insn->src_reg &&
	       !insn->off && !insn->imm;
}

static int map_sites(struct bpf_sdt_target *t, struct sdt_target_prog *tp)
{
	size_t n = bpf_sdt_object__site_cnt(t->sdt), i;
	__u32 idx;

	tp->sites = calloc(n ? n : 1, sizeof(*tp->sites));
	tp->site_cap = n ? n : 1;
	if (!tp->sites)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct bpf_sdt_site *s = bpf_sdt_object__site(t->sdt, i);

		if (locate_site(t, tp, s, &idx))
			continue;
		if (idx >= tp->cap.insn_cnt || !is_site_nop(&tp->cap.insns[idx])) {
			pr_warn("%s: program %s: probe %s site at %s insn %u is not a 'goto +0' after loading (insn %u)",
				t->name, tp->name, bpf_sdt_probe__name(bpf_sdt_site__probe(s)),
				bpf_sdt_site__section(s), bpf_sdt_site__section_insn(s), idx);
			return -EINVAL;
		}
		tp->sites[tp->site_cnt].site = s;
		tp->sites[tp->site_cnt].idx = idx;
		tp->sites[tp->site_cnt].func = func_of(tp, idx);
		tp->site_cnt++;
	}
	return 0;
}

static int guard_fail(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		      const struct bpf_sdt_guard *g, __u32 idx, const char *what)
{
	pr_warn("%s: program %s: guard of probe %s at %s insn %u: %s (insn %u)", t->name,
		tp->name, bpf_sdt_probe__name(bpf_sdt_guard__probe(g)), bpf_sdt_guard__section(g),
		bpf_sdt_guard__section_insn(g), what, idx);
	return -EINVAL;
}

/* Finds tp's guards in its final instructions and the map they read. */
static int map_guards(struct bpf_sdt_target *t, struct sdt_target_prog *tp)
{
	size_t n = bpf_sdt_object__guard_cnt(t->sdt), i;
	const struct bpf_insn *insns = tp->cap.insns;
	__u32 idx;

	tp->guards = calloc(n ? n : 1, sizeof(*tp->guards));
	if (!tp->guards)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct bpf_sdt_guard *g = bpf_sdt_object__guard(t->sdt, i);
		struct sdt_prog_guard *pg = &tp->guards[tp->guard_cnt];

		if (sdt_target_prog_locate(t, tp, bpf_sdt_guard__section(g),
					   bpf_sdt_guard__function(g), bpf_sdt_guard__insn(g), &idx))
			continue;
		if (idx + SDT_GUARD_INSNS > tp->cap.insn_cnt || insns[idx].code != (BPF_LD | BPF_IMM | BPF_DW))
			return guard_fail(t, tp, g, idx, "its load is not an ld_imm64 after loading");
		if (!t->offline) {
			/* libbpf made it a map value reference: fd, then offset */
			if (insns[idx].src_reg != BPF_PSEUDO_MAP_VALUE)
				return guard_fail(t, tp, g, idx,
						  "its load does not reference the guards map");
			if (tp->guards_map_fd >= 0 && insns[idx].imm != tp->guards_map_fd)
				return guard_fail(t, tp, g, idx,
						  "it reads another map than the program's other guards");
			tp->guards_map_fd = insns[idx].imm;
			pg->value_off = (__u32)insns[idx + 1].imm;
		}
		pg->guard = g;
		pg->idx = idx;
		tp->guard_cnt++;
	}
	return 0;
}

static int adopt_programs(struct bpf_sdt_target *t)
{
	struct bpf_program *prog;
	size_t n = 0;
	int err;

	bpf_object__for_each_program(prog, t->obj)
		n++;
	t->progs = calloc(n ? n : 1, sizeof(*t->progs));
	if (!t->progs)
		return -ENOMEM;
	bpf_object__for_each_program(prog, t->obj) {
		struct sdt_target_prog *tp = &t->progs[t->prog_cnt++];

		tp->prog = prog;
		tp->name = bpf_program__name(prog);
		tp->orig_fd = t->offline ? -1 : bpf_program__fd(prog);
		tp->armed_fd = -1;
		tp->guards_map_fd = -1;
		if (sdt_capture_take(prog, &tp->cap))
			continue; /* not loaded through our handlers: not armable */
		tp->captured = true;
		err = load_funcs(t, tp);
		/* control flow the analysis cannot follow is said when arming */
		if (!err && sdt_reg_args_read(tp->cap.insns, tp->cap.insn_cnt, tp->funcs,
					      tp->nfuncs) == -ENOMEM)
			err = -ENOMEM;
		if (!err)
			err = map_sites(t, tp);
		if (!err)
			err = map_guards(t, tp);
		if (err)
			return err;
	}
	return 0;
}

int sdt_target_discover(struct bpf_sdt_target *t, const void *elf, size_t size)
{
	LIBBPF_OPTS(bpf_sdt_open_opts, sopts, .object_name = t->name);
	int err;

	t->sdt = bpf_sdt_object__open_mem(elf, size, &sopts);
	if (!t->sdt)
		return -errno;
	t->btf = bpf_object__btf(t->obj);
	err = adopt_programs(t);
	/* what the load recorded and no program took (one not loaded) */
	sdt_capture_drop(t->obj);
	return err;
}

struct bpf_sdt_target *sdt_target_new(const char *name)
{
	struct bpf_sdt_target *t = calloc(1, sizeof(*t));

	if (t) {
		t->hook.link_fd = -1;
		t->hook.map_fd = -1;
		t->name = strdup(name);
		if (!t->name) {
			free(t);
			t = NULL;
		}
	}
	return t;
}

/* A site armed with a call reads its argument registers (its own, or the
 * block address of arguments 10..12): a call inserted at one site must not
 * clobber another armed site's arguments. reads(ctx, site) says which sites
 * are; without it, every static site, whether armed or not (the most any
 * arming can need: the program's own analysis). A site counted in place, or
 * not armed, reads none -- its registers kept live would be saved around
 * every call before it for nothing; and counting every dynamic site's
 * registers would keep every register live everywhere. */
int sdt_target_prog_analyse(const struct sdt_target_prog *tp,
			    bool (*reads)(void *ctx, const struct bpf_sdt_site *site), void *ctx,
			    struct sdt_reg_state *regs)
{
	__u16 *uses = calloc(tp->cap.insn_cnt ? tp->cap.insn_cnt : 1, sizeof(*uses));
	size_t i;
	int a, err;

	if (!uses)
		return -ENOMEM;
	for (i = 0; i < tp->site_cnt; i++) {
		const struct bpf_sdt_site *s = tp->sites[i].site;

		if (reads ? !reads(ctx, s) : tp->sites[i].insert)
			continue;
		for (a = 0; a < bpf_sdt_site__arg_cnt(s); a++)
			if (bpf_sdt_site__arg(s, a)->kind != BPF_SDT_ARG_NONE)
				uses[tp->sites[i].idx] |= SDT_REG_BIT(bpf_sdt_site__arg(s, a)->reg);
	}
	err = sdt_reg_analysis(tp->cap.insns, tp->cap.insn_cnt, tp->funcs, tp->nfuncs, uses, regs);
	free(uses);
	return err;
}

static int analyse_regs(struct sdt_target_prog *tp)
{
	return sdt_target_prog_analyse(tp, NULL, NULL, tp->regs);
}

void sdt_target_prog_load_req(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
			      struct sdt_load_req *req)
{
	*req = (struct sdt_load_req){
		.attrs = &tp->cap,
		.name = tp->name,
		.license = t->sdt->license ? t->sdt->license : "",
		.insns = tp->cap.insns,
		.insn_cnt = tp->cap.insn_cnt,
		.btf_fd = tp->cap.func_info_cnt ? btf__fd(t->btf) : -1,
		.func_info = tp->cap.func_info,
		.func_info_cnt = tp->cap.func_info_cnt,
		.line_info = tp->cap.line_info,
		.line_info_cnt = tp->cap.line_info_cnt,
	};
}

/* Functions a call or callback reference of a reached function reaches,
 * from the entry; how many. */
static __u32 reachable_funcs(const struct sdt_target_prog *tp, bool *reached)
{
	const struct bpf_insn *insns = tp->cap.insns;
	__u32 f, g, i, end, n = 1;
	bool grew = true;

	reached[0] = true;
	while (grew) {
		grew = false;
		for (f = 0; f < tp->nfuncs; f++) {
			if (!reached[f])
				continue;
			end = f + 1 < tp->nfuncs ? tp->funcs[f + 1].start : tp->cap.insn_cnt;
			for (i = tp->funcs[f].start; i < end; i++) {
				bool call = insns[i].code == (BPF_JMP | BPF_CALL) &&
					    insns[i].src_reg == BPF_PSEUDO_CALL;
				bool ref = insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
					   insns[i].src_reg == BPF_PSEUDO_FUNC;

				if (!call && !ref)
					continue;
				g = func_of(tp, (__u32)((__s64)i + 1 + insns[i].imm));
				if (!reached[g]) {
					reached[g] = grew = true;
					n++;
				}
			}
		}
	}
	return n;
}

/*
 * Each function's stack depth from a BPF_LOG_STATS log. The verifier drops
 * a function it never reached (dead code) from its count: when the
 * functions the call graph reaches are as many as the depths reported,
 * those are theirs, in order; otherwise every function is given the
 * deepest -- placing what a site stores below more stack than a function
 * uses is safe, only less is not.
 */
static int stack_depths(struct sdt_target_prog *tp, const char *log)
{
	bool *reached;
	__u32 *got, f, k, max = 0;
	int n;

	got = calloc(tp->nfuncs, sizeof(*got));
	reached = calloc(tp->nfuncs, sizeof(*reached));
	if (!got || !reached) {
		free(got);
		free(reached);
		return -ENOMEM;
	}
	n = sdt_parse_stack_depths(log, got, tp->nfuncs);
	for (k = 0; k < (__u32)(n > 0 ? n : 0); k++)
		max = got[k] > max ? got[k] : max;
	if (n == (int)tp->nfuncs) {
		memcpy(tp->stack_depth, got, tp->nfuncs * sizeof(*got));
	} else if (n > 0 && reachable_funcs(tp, reached) == (__u32)n) {
		for (f = 0, k = 0; f < tp->nfuncs; f++)
			tp->stack_depth[f] = reached[f] ? got[k++] : 0;
	} else if (n > 0) {
		for (f = 0; f < tp->nfuncs; f++)
			tp->stack_depth[f] = max;
	}
	free(got);
	free(reached);
	return n > 0 ? 0 : -EINVAL;
}

/*
 * The program with every guard on, for measuring its stack: a guarded block
 * the verifier removes as dead code uses no stack in the dormant program,
 * but does in an armed copy with its guard on, where what a site stores
 * must go below it. Returns the load with that program's instructions (*own
 * to free) or leaves req alone when it has no guard; when the kernel refuses
 * it with every guard on, says so once in tp->guards_unmeasured.
 */
static int load_with_guards_on(struct bpf_sdt_target *t, struct sdt_target_prog *tp,
			       struct sdt_load_req *req, struct bpf_insn **own)
{
	int map_fd = sdt_guards_variant(t, tp, sdt_guard_all_on, NULL), fd;

	*own = NULL;
	if (map_fd == -ENOENT)
		return sdt_prog_load(req);
	if (map_fd < 0)
		return map_fd;
	*own = malloc(tp->cap.insn_cnt * sizeof(**own));
	if (!*own) {
		close(map_fd);
		return -ENOMEM;
	}
	memcpy(*own, tp->cap.insns, tp->cap.insn_cnt * sizeof(**own));
	sdt_guards_rebind(*own, tp->cap.insn_cnt, tp->guards_map_fd, map_fd);
	req->insns = *own;
	fd = sdt_prog_load(req);
	close(map_fd);
	if (fd >= 0)
		return fd;
	tp->guards_unmeasured = true;
	req->insns = tp->cap.insns;
	return sdt_prog_load(req);
}

int sdt_target_prog_prepare(struct bpf_sdt_target *t, struct sdt_target_prog *tp)
{
	struct bpf_insn *guards_on = NULL;
	char *log = NULL;
	struct sdt_load_req req;
	int fd, err = 0;

	sdt_target_prog_load_req(t, tp, &req);
	req.log_level = 4; /* BPF_LOG_STATS: per-function stack depths */
	req.log_size = STATS_LOG_SIZE;

	if (tp->stack_depth && tp->regs)
		return 0;
	tp->stack_depth = calloc(tp->nfuncs, sizeof(*tp->stack_depth));
	tp->regs = calloc(tp->cap.insn_cnt, sizeof(*tp->regs));
	if (!tp->stack_depth || !tp->regs) {
		err = -ENOMEM;
		goto out;
	}
	/* the statistics of the load that made the program, when it asked
	 * for them (open.c) and has no guard (a guarded block is dead code
	 * there); else of a load for them alone, with every guard on */
	if (tp->guard_cnt || !tp->cap.load_stats || stack_depths(tp, tp->cap.load_stats)) {
		log = req.log_buf = malloc(STATS_LOG_SIZE);
		if (!log) {
			err = -ENOMEM;
			goto out;
		}
		fd = load_with_guards_on(t, tp, &req, &guards_on);
		free(guards_on);
		if (fd < 0) {
			err = fd;
			pr_warn("%s: program %s: reloading it to measure its stack failed: %s",
				t->name, tp->name, strerror(-err));
			goto out;
		}
		close(fd);
		err = stack_depths(tp, log);
	}
	if (err) {
		pr_warn("%s: program %s: the verifier reported no stack depth for each function",
			t->name, tp->name);
		goto out;
	}
	err = analyse_regs(tp);
	if (err)
		pr_warn("%s: program %s: cannot follow its control flow (%s)", t->name, tp->name,
			strerror(-err));
out:
	free(log);
	if (err) {
		free(tp->stack_depth);
		free(tp->regs);
		tp->stack_depth = NULL;
		tp->regs = NULL;
	}
	return err;
}

struct sdt_target_prog *sdt_target_find_prog(const struct bpf_sdt_target *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->prog_cnt; i++)
		if (!strcmp(t->progs[i].name, name))
			return &t->progs[i];
	return NULL;
}

int bpf_sdt_target__arm_stats(const struct bpf_sdt_target *t, const char *prog_name,
			      struct bpf_sdt_arm_stats *stats)
{
	const struct sdt_target_prog *tp = t && prog_name ? sdt_target_find_prog(t, prog_name) : NULL;

	if (!SDT_OPTS_VALID_OUT(stats, bpf_sdt_arm_stats) || !tp)
		return -EINVAL;
	if (SDT_OPTS_HAS(stats, insn_cnt)) {
		stats->build_ns = tp->stats.build_ns;
		stats->verify_ns = tp->stats.verify_ns;
		stats->swap_ns = tp->stats.swap_ns;
		stats->insn_cnt = tp->stats.insn_cnt;
	}
	if (SDT_OPTS_HAS(stats, swaps))
		stats->swaps = tp->swaps;
	if (SDT_OPTS_HAS(stats, in_kernel))
		stats->in_kernel = tp->native;
	return 0;
}

struct bpf_object *bpf_sdt_target__object(const struct bpf_sdt_target *t)
{
	return t->obj;
}

const struct bpf_sdt_object *bpf_sdt_target__probes(const struct bpf_sdt_target *t)
{
	return t->sdt;
}

size_t bpf_sdt_target__probe_site_cnt(const struct bpf_sdt_target *t, const char *prog_name,
				      const struct bpf_sdt_probe *probe)
{
	size_t i, j, n = 0;

	for (i = 0; i < t->prog_cnt; i++) {
		const struct sdt_target_prog *tp = &t->progs[i];

		if (prog_name ? strcmp(tp->name, prog_name) : t->hook.prog && tp != t->hook.prog)
			continue;
		for (j = 0; j < tp->site_cnt; j++)
			n += bpf_sdt_site__probe(tp->sites[j].site) == probe;
	}
	return n;
}

int bpf_sdt_target__prog_fd(const struct bpf_sdt_target *t, const char *prog_name)
{
	const struct sdt_target_prog *tp = t && prog_name ? sdt_target_find_prog(t, prog_name) : NULL;

	if (!tp)
		return -ENOENT;
	return tp->armed_fd >= 0 ? tp->armed_fd : tp->orig_fd;
}

void sdt_target_free(struct bpf_sdt_target *t)
{
	size_t i;

	if (t->hook.prog) /* the running program's fd is ours, not libbpf's */
		close(t->hook.prog->orig_fd);
	if (t->hook.link_fd >= 0)
		close(t->hook.link_fd);
	if (t->hook.map_fd >= 0)
		close(t->hook.map_fd);
	for (i = 0; i < t->prog_cnt; i++) {
		struct sdt_target_prog *tp = &t->progs[i];

		if (tp->armed_fd >= 0)
			close(tp->armed_fd);
		sdt_capture_release(&tp->cap);
		btf__free(tp->kbtf);
		free(tp->funcs);
		free(tp->func_type_ids);
		free(tp->sites);
		free(tp->guards);
		free(tp->stack_depth);
		free(tp->regs);
		free(tp->site_verdict);
	}
	free(t->progs);
	bpf_sdt_object__close(t->sdt);
	sdt_capture_drop(t->obj); /* a load that failed before discovery took them */
	if (t->own_obj)
		bpf_object__close(t->obj);
	free(t->name);
	free(t);
}
