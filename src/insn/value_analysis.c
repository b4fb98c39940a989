// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The offline check's abstract interpreter: a worklist over basic blocks
 * whose states are joined where paths meet. Instruction semantics follow
 * the verifier's where a site's verdict depends on them (context fields,
 * pointer arithmetic, NULL checks, packet bounds checks, spills); anything
 * else only has to be safe (a scalar of some range).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "insn/helper_effects.h"
#include "insn/insn_patch.h"
#include "insn/prog_ctx.h"
#include "insn/value_analysis.h"
#include "util/util.h"

/* Newer than the UAPI headers of the build machine. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif

#define WIDEN_AFTER 4		/* changes of a block's state before widening */
#define STEP_BUDGET 20000000	/* default: instructions interpreted, all passes */
#define CALLBACK_MAX 4		/* callback-taking helpers pass at most this many args */

struct block {
	__u32 start;
	__u32 visits;
	bool reached, queued;
	struct sdt_va_state st;
};

struct call_edge {	/* a block calling a static function: rerun when it returns more */
	__u32 callee, block;
};

/* Provenance: what a function's frame may hold beyond what its own
 * flow-sensitive slots say (value_analysis.h). Joins only, of coarsened
 * values (coarsen()), so that they stop growing. */
struct frame_mem {
	struct sdt_aval ext[SDT_VA_SLOTS];	/* stored at the slot by other functions */
	struct sdt_aval ext_any;		/* stored at a slot nobody can name */
	struct sdt_aval all[SDT_VA_SLOTS];	/* stored at the slot by anyone */
	struct sdt_aval all_any;		/* stored anywhere in the frame */
};

struct sdt_va {
	const struct sdt_va_input *in;
	__u32 *block_of;	/* per insn: its block's index when it starts one, else -1 */
	__u32 *func_of;		/* per insn: the function holding it */
	struct block *blocks;
	__u32 nblocks;
	__u32 *queue;		/* FIFO of block indexes, nblocks + 1 slots */
	__u32 qhead, qtail;
	struct sdt_aval *ret;	/* per function: what its exits return */
	struct call_edge *edges;
	size_t nedges, edges_cap;
	__u64 steps;
	struct frame_mem *mem;	/* per function; observers only */
	bool mem_changed;	/* a frame summary grew: rerun every block */
	bool replaying;		/* recomputing a state: change nothing */
};

static bool provenance(const struct sdt_va *va)
{
	return va->in->observer != NULL;
}

static bool is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* --- blocks ------------------------------------------------------------ */

/* Memory instructions in a mode their class has. */
static bool known_mode(const struct bpf_insn *insn)
{
	__u8 mode = BPF_MODE(insn->code);

	switch (BPF_CLASS(insn->code)) {
	case BPF_LDX:
		return mode == BPF_MEM || mode == BPF_MEMSX;
	case BPF_ST:
		return mode == BPF_MEM;
	case BPF_STX:
		return mode == BPF_MEM || mode == BPF_ATOMIC;
	case BPF_LD:
		return is_ld_imm64(insn) || mode == BPF_ABS || mode == BPF_IND;
	default:
		return true;
	}
}

/* Calls and callbacks must enter a function at its first instruction. */
static bool is_func_start(const struct sdt_va *va, __s64 insn)
{
	return insn >= 0 && insn < va->in->insn_cnt &&
	       va->in->funcs[va->func_of[insn]].start == (__u32)insn;
}

static int find_blocks(struct sdt_va *va)
{
	const struct sdt_va_input *in = va->in;
	bool *starts = calloc(in->insn_cnt + 1, sizeof(*starts));
	__u32 i, f, succ[2], n;
	int k;

	if (!starts)
		return -ENOMEM;
	for (f = 0; f < in->nfuncs; f++)
		starts[in->funcs[f].start] = true;
	for (i = 0; i < in->insn_cnt; i += is_ld_imm64(&in->insns[i]) ? 2 : 1) {
		const struct bpf_insn *insn = &in->insns[i];
		__u8 cls = BPF_CLASS(insn->code);

		if (is_ld_imm64(insn) && (i + 1 >= in->insn_cnt ||
					  (insn->src_reg == BPF_PSEUDO_FUNC &&
					   !is_func_start(va, (__s64)i + 1 + insn->imm)))) {
			free(starts);
			return -EINVAL;
		}
		/* what the verifier would refuse before looking further */
		if (insn->dst_reg >= MAX_BPF_REG || insn->src_reg >= MAX_BPF_REG ||
		    (insn->dst_reg == BPF_REG_10 &&
		     (cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX || cls == BPF_LD)) ||
		    (cls == BPF_STX && BPF_MODE(insn->code) == BPF_ATOMIC &&
		     insn->src_reg == BPF_REG_10) || !known_mode(insn)) {
			free(starts);
			return -EINVAL;
		}
		if (cls != BPF_JMP && cls != BPF_JMP32)
			continue;
		if (BPF_OP(insn->code) == BPF_CALL && insn->src_reg == BPF_PSEUDO_CALL) {
			if (!is_func_start(va, (__s64)i + 1 + insn->imm)) {
				free(starts);
				return -EINVAL;
			}
			continue;
		}
		n = sdt_insn_successors(in->insns, i, succ);
		for (k = 0; k < (int)n; k++) {
			if (succ[k] > in->insn_cnt || (succ[k] == in->insn_cnt && n)) {
				free(starts);
				return -EINVAL;
			}
			starts[succ[k]] = true;
		}
		if (i + 1 < in->insn_cnt)
			starts[i + 1] = true;
	}
	/* nothing may jump into the second half of a 16-byte load */
	for (i = 0; i < in->insn_cnt; i += is_ld_imm64(&in->insns[i]) ? 2 : 1)
		if (is_ld_imm64(&in->insns[i]) && starts[i + 1]) {
			free(starts);
			return -EINVAL;
		}
	for (i = 0, n = 0; i < in->insn_cnt; i++)
		n += starts[i];
	va->blocks = calloc(n ? n : 1, sizeof(*va->blocks));
	va->queue = calloc(n + 1, sizeof(*va->queue));
	if (!va->blocks || !va->queue) {
		free(starts);
		return -ENOMEM;
	}
	for (i = 0; i < in->insn_cnt; i++) {
		va->block_of[i] = UINT32_MAX;
		if (starts[i]) {
			va->blocks[va->nblocks].start = i;
			va->block_of[i] = va->nblocks++;
		}
	}
	free(starts);
	return 0;
}

static void enqueue(struct sdt_va *va, __u32 b)
{
	if (va->blocks[b].queued)
		return;
	va->blocks[b].queued = true;
	va->queue[va->qtail] = b;
	va->qtail = (va->qtail + 1) % (va->nblocks + 1);
}

static bool dequeue(struct sdt_va *va, __u32 *b)
{
	if (va->qhead == va->qtail)
		return false;
	*b = va->queue[va->qhead];
	va->qhead = (va->qhead + 1) % (va->nblocks + 1);
	va->blocks[*b].queued = false;
	return true;
}

static bool join_into(struct sdt_aval *dst, const struct sdt_aval *src, __u32 join_id, bool widen)
{
	struct sdt_aval j = sdt_av_join(dst, src, join_id);

	if (widen)
		sdt_av_widen(&j, dst);
	if (sdt_av_equal(&j, dst))
		return false;
	*dst = j;
	return true;
}

/* Joins st into the state at the start of block b; queues b if that
 * changed anything. */
static void flow_to(struct sdt_va *va, __u32 insn, const struct sdt_va_state *st)
{
	struct block *b = &va->blocks[va->block_of[insn]];
	__u32 join_id = 0x80000000u | insn;
	bool changed = false, widen;
	int i;

	if (!b->reached) {
		b->reached = true;
		b->st = *st;
		enqueue(va, va->block_of[insn]);
		return;
	}
	widen = b->visits >= WIDEN_AFTER;
	for (i = 0; i < MAX_BPF_REG; i++)
		changed |= join_into(&b->st.regs[i], &st->regs[i], join_id, widen);
	for (i = 0; i < SDT_VA_SLOTS; i++) {
		changed |= join_into(&b->st.stack[i], &st->stack[i], join_id, widen);
		if (b->st.part_size[i] &&
		    (b->st.part_size[i] != st->part_size[i] || b->st.part_off[i] != st->part_off[i] ||
		     b->st.part_val[i] != st->part_val[i])) {
			b->st.part_size[i] = 0;
			changed = true;
		}
	}
	if (changed) {
		b->visits++;
		enqueue(va, va->block_of[insn]);
	}
}

/* --- memory -------------------------------------------------------------- */

/* The slot of the current frame that [ptr + off, +size) falls in, or -1. */
static int frame_slot(const struct sdt_va *va, __u32 fn, const struct sdt_aval *ptr, int off,
		      int size, bool *whole)
{
	__s64 at = (__s64)ptr->off + off;

	if (ptr->kind != SDT_AK_STACK || ptr->aux != fn || (ptr->flags & SDT_AV_VAR_OFF) ||
	    at < -SDT_VA_STACK || at + size > 0)
		return -1;
	(void)va;
	*whole = size == 8 && !(at & 7);
	return (int)((-at - 1) / 8);
}

/* Helpers and callees may write where a stack pointer argument points:
 * what nobody wrote there yet becomes bytes (the verifier's STACK_MISC). */
static void mark_written_from(struct sdt_va_state *st, __u32 fn, const struct sdt_aval *ptr)
{
	__s64 at;
	int s;

	if (ptr->kind != SDT_AK_STACK || ptr->aux != fn)
		return;
	at = (ptr->flags & SDT_AV_VAR_OFF) ? -SDT_VA_STACK : ptr->off;
	if (at < -SDT_VA_STACK)
		at = -SDT_VA_STACK;
	for (s = 0; s < SDT_VA_SLOTS && -8 * (s + 1) >= at - 7; s++)
		if (st->stack[s].kind == SDT_AK_UNINIT || (st->stack[s].flags & SDT_AV_MAYBE_UNINIT))
			st->stack[s] = sdt_av_unknown_scalar();
}

/* --- provenance: stack memory across frames ------------------------------- */

/* What a frame summary keeps of a stored value: its kinds and, for a
 * pointer, where it points; no scalar ranges, ids or packet ranges, which
 * could keep growing. */
static struct sdt_aval coarsen(const struct sdt_aval *v)
{
	struct sdt_aval c = *v;

	if (v->kind == SDT_AK_NONE)
		return c;
	if (v->kind == SDT_AK_UNINIT || v->kind == SDT_AK_SCALAR)
		return sdt_av_unknown_scalar();
	c.flags &= ~SDT_AV_MAYBE_UNINIT;
	c.id = 0;
	c.range = 0;
	c.smin = c.smax = 0;
	return c;
}

static void mem_join(struct sdt_va *va, struct sdt_aval *dst, const struct sdt_aval *v)
{
	struct sdt_aval c = coarsen(v), j;

	if (va->replaying || c.kind == SDT_AK_NONE)
		return;
	j = sdt_av_join(dst, &c, 0);
	if (sdt_av_equal(&j, dst))
		return;
	*dst = j;
	va->mem_changed = true;
}

/* A stack pointer that names its frame (else: any frame). */
static bool names_frame(const struct sdt_va *va, const struct sdt_aval *p)
{
	return p->kind == SDT_AK_STACK && p->aux < va->in->nfuncs;
}

/* The slot a stack pointer names exactly, or -1: its frame and a constant,
 * aligned offset inside it. */
static int named_slot(const struct sdt_va *va, const struct sdt_aval *p, int off, int size)
{
	__s64 at = (__s64)p->off + off;

	if (!names_frame(va, p) || (p->flags & SDT_AV_VAR_OFF) || at < -SDT_VA_STACK ||
	    at + size > 0 || (at & (size - 1)))
		return -1;
	return (int)((-at - 1) / 8);
}

/* Function fn stored v at [p + off, +size): into the summaries of every
 * frame p may point into. A narrow store leaves bytes (a scalar). */
static void record_store(struct sdt_va *va, __u32 fn, const struct sdt_aval *p, int off,
			 int size, const struct sdt_aval *v)
{
	struct sdt_aval bytes = sdt_av_unknown_scalar();
	const struct sdt_aval *val = size == 8 ? v : &bytes;
	int s = named_slot(va, p, off, size);
	__u32 g;

	if (!(sdt_av_kinds(p) & SDT_AK_BIT(SDT_AK_STACK)))
		return;
	if (s >= 0) {
		struct frame_mem *m = &va->mem[p->aux];

		if (p->aux != fn)
			mem_join(va, &m->ext[s], val);
		mem_join(va, &m->all[s], val);
		mem_join(va, &m->all_any, val);
		return;
	}
	for (g = 0; g < va->in->nfuncs; g++) {
		if (names_frame(va, p) && g != p->aux)
			continue;
		mem_join(va, &va->mem[g].ext_any, val);
		mem_join(va, &va->mem[g].all_any, val);
	}
}

/* What others may have put in slot s of fn's own frame (NONE: nothing). */
static struct sdt_aval own_slot_extra(const struct sdt_va *va, __u32 fn, int s)
{
	return sdt_av_join(&va->mem[fn].ext[s], &va->mem[fn].ext_any, 0);
}

/* An 8-byte load through p that fn's own slots do not answer: everything
 * ever stored where p may point, or bytes nobody wrote yet. */
static struct sdt_aval frame_load(const struct sdt_va *va, const struct sdt_va_state *st,
				  __u32 fn, const struct sdt_aval *p, int off)
{
	struct sdt_aval v = sdt_av_unknown_scalar();
	int s = named_slot(va, p, off, 8), k;
	__u32 g;

	if (s >= 0) {
		v = sdt_av_join(&v, &va->mem[p->aux].all[s], 0);
		return sdt_av_join(&v, &va->mem[p->aux].ext_any, 0);
	}
	for (g = 0; g < va->in->nfuncs; g++) {
		if (names_frame(va, p) && g != p->aux)
			continue;
		v = sdt_av_join(&v, &va->mem[g].all_any, 0);
		for (k = 0; g == fn && k < SDT_VA_SLOTS; k++)
			v = sdt_av_join(&v, &st->stack[k], 0);
	}
	return v;
}

/* A helper (or kfunc) called by fn may write every byte its written memory
 * arguments reach -- all of them, for one observers may not call: bytes
 * that may now hold any scalar. */
static void helper_writes(struct sdt_va *va, struct sdt_va_state *st, __u32 fn, __s32 id,
			  bool kfunc)
{
	const struct sdt_helper_effect *e = kfunc ? NULL : sdt_helper_effect(id);
	struct sdt_aval bytes = sdt_av_unknown_scalar();
	int k, s, first, last;
	__s64 size;

	for (k = BPF_REG_1; k <= BPF_REG_5; k++) {
		const struct sdt_aval *p = &st->regs[k];

		if ((e && !(e->writes & SDT_HR(k))) ||
		    !(sdt_av_kinds(p) & SDT_AK_BIT(SDT_AK_STACK)))
			continue;
		if (!e || !e->size_reg[k] || !sdt_av_is_const(&st->regs[e->size_reg[k]], &size) ||
		    size < 0 || size > SDT_VA_STACK)
			size = SDT_VA_STACK; /* up to the top of the frame */
		if (!names_frame(va, p) || (p->flags & SDT_AV_VAR_OFF) || p->off >= 0 ||
		    p->off < -SDT_VA_STACK) {
			struct sdt_aval anywhere = *p;

			anywhere.flags |= SDT_AV_VAR_OFF;
			record_store(va, fn, &anywhere, 0, 8, &bytes);
			continue;
		}
		first = (int)((-(__s64)p->off - 1) / 8);
		last = p->off + size >= 0 ? 0 : (int)((-(p->off + size)) / 8);
		for (s = first; s >= last; s--) {
			if (p->aux == fn) {
				st->stack[s] = sdt_av_join(&st->stack[s], &bytes, 0);
				st->part_size[s] = 0;
			} else {
				mem_join(va, &va->mem[p->aux].ext[s], &bytes);
			}
			mem_join(va, &va->mem[p->aux].all[s], &bytes);
			mem_join(va, &va->mem[p->aux].all_any, &bytes);
		}
	}
}

/* The context fields that hold pointers, by program type. */
static struct sdt_aval ctx_load(enum bpf_prog_type type, __s64 off, int size, __u32 id)
{
	struct sdt_aval v = sdt_av_loaded_scalar(size);

	if (type == BPF_PROG_TYPE_XDP && size == 4) {
		if (off == offsetof(struct xdp_md, data))
			v = sdt_av_ptr(SDT_AK_PKT, 0);
		else if (off == offsetof(struct xdp_md, data_end))
			v = sdt_av_ptr(SDT_AK_PKT_END, 0);
		else if (off == offsetof(struct xdp_md, data_meta))
			v = sdt_av_ptr(SDT_AK_PKT_META, 0);
		return v;
	}
	if (sdt_ctx_is_sk_buff(type)) {
		if (off == offsetof(struct __sk_buff, data) && size == 4)
			v = sdt_av_ptr(SDT_AK_PKT, 0);
		else if (off == offsetof(struct __sk_buff, data_end) && size == 4)
			v = sdt_av_ptr(SDT_AK_PKT_END, 0);
		else if (off == offsetof(struct __sk_buff, data_meta) && size == 4)
			v = sdt_av_ptr(SDT_AK_PKT_META, 0);
		else if ((off == offsetof(struct __sk_buff, sk) ||
			  off == offsetof(struct __sk_buff, flow_keys)) && size == 8) {
			v = sdt_av_ptr(SDT_AK_PTR_OTHER, 0);
			v.flags = SDT_AV_MAYBE_NULL;
			v.id = id;
		}
	}
	return v;
}

/* A load of [fn's slot, +size) from the state's own (flow-sensitive) slots. */
static struct sdt_aval own_load(const struct sdt_va_state *st, int slot, bool whole, int at,
				int size)
{
	const struct sdt_aval *s = &st->stack[slot];
	struct sdt_aval v = sdt_av_loaded_scalar(size);

	if (whole && s->kind != SDT_AK_UNINIT) {
		v = *s;
		/* uninitialized stack reads as bytes to a privileged program
		 * (allow_uninit_stack) */
		v.flags &= ~SDT_AV_MAYBE_UNINIT;
	} else if (st->part_size[slot] == size && st->part_off[slot] == at) {
		v = sdt_av_const(st->part_val[slot]);
	} else if (s->kind == SDT_AK_SCALAR && s->smin >= 0 && sdt_av_fits(s, size * 8) && !at) {
		v = *s; /* a narrower fill of a small spilled scalar */
	}
	return v;
}

static struct sdt_aval sign_extended(int size)
{
	__s64 half;

	if (size == 8)
		return sdt_av_unknown_scalar(); /* not an instruction */
	half = (__s64)1 << (size * 8 - 1);
	return sdt_av_scalar(-half, half - 1);
}

/* A slot of an observer's argument array (value_analysis.h). */
static struct sdt_aval arg_load(const struct sdt_va_observer *o, __s64 off, int size)
{
	__s64 slot = off / 8;

	if (off < 0 || slot != (off + size - 1) / 8 || slot > o->nargs + 1)
		return sdt_av_ptr(SDT_AK_FOREIGN, 0); /* the target's stack around it */
	if (slot < o->nargs && !(o->scalar_args & (1u << slot)) && size == 8)
		return sdt_av_ptr(SDT_AK_FOREIGN, 0);
	/* a narrow argument, part of a wide one, the site's id, the cookie */
	return sdt_av_loaded_scalar(size);
}

/* Provenance: a load through src, of every kind src may be. */
static struct sdt_aval prov_load(const struct sdt_va *va, const struct sdt_va_state *st, __u32 fn,
				 const struct sdt_aval *src, int off, int size, __u32 i)
{
	const __u16 followed = SDT_AK_BIT(SDT_AK_CTX) | SDT_AK_BIT(SDT_AK_FOREIGN) |
			       SDT_AK_BIT(SDT_AK_STACK);
	struct sdt_aval v = sdt_av_none(), part, extra;
	__u16 kinds = sdt_av_kinds(src);
	__u32 join_id = 0x10000000u | i;
	bool whole;
	int slot;

	if (kinds & SDT_AK_BIT(SDT_AK_CTX)) {
		part = src->kind == SDT_AK_CTX && !(src->flags & SDT_AV_VAR_OFF) ?
			       arg_load(va->in->observer, (__s64)src->off + off, size) :
			       sdt_av_ptr(SDT_AK_FOREIGN, 0);
		v = sdt_av_join(&v, &part, join_id);
	}
	if (kinds & SDT_AK_BIT(SDT_AK_FOREIGN)) {
		part = sdt_av_ptr(SDT_AK_FOREIGN, 0);
		v = sdt_av_join(&v, &part, join_id);
	}
	if (kinds & SDT_AK_BIT(SDT_AK_STACK)) {
		slot = frame_slot(va, fn, src, off, size, &whole);
		if (slot >= 0) {
			part = own_load(st, slot, whole, (int)(((__s64)src->off + off) & 7), size);
			/* a slot some path leaves unwritten holds bytes there */
			if (st->stack[slot].flags & SDT_AV_MAYBE_UNINIT) {
				extra = sdt_av_unknown_scalar();
				part = sdt_av_join(&part, &extra, join_id);
			}
			extra = own_slot_extra(va, fn, slot);
			if (extra.kind != SDT_AK_NONE)
				part = whole ? sdt_av_join(&part, &extra, join_id) :
					       sdt_av_loaded_scalar(size);
		} else {
			part = size == 8 ? frame_load(va, st, fn, src, off) : sdt_av_loaded_scalar(size);
		}
		v = sdt_av_join(&v, &part, join_id);
	}
	if (kinds & ~followed) { /* maps, ring buffer records, helper memory: bytes */
		part = sdt_av_loaded_scalar(size);
		v = sdt_av_join(&v, &part, join_id);
	}
	return v.kind == SDT_AK_NONE ? sdt_av_loaded_scalar(size) : v;
}

static void do_load(struct sdt_va *va, struct sdt_va_state *st, __u32 fn, __u32 i)
{
	const struct bpf_insn *insn = &va->in->insns[i];
	const struct sdt_aval *src = &st->regs[insn->src_reg];
	int size = sdt_insn_mem_size(insn->code), slot;
	struct sdt_aval v = sdt_av_loaded_scalar(size);
	bool whole;

	if (BPF_MODE(insn->code) == BPF_MEMSX) {
		v = sign_extended(size);
	} else if (provenance(va)) {
		v = prov_load(va, st, fn, src, insn->off, size, i);
	} else if (src->kind == SDT_AK_CTX && !(src->flags & SDT_AV_VAR_OFF)) {
		v = ctx_load(va->in->prog_type, (__s64)src->off + insn->off, size, i + 1);
	} else if ((slot = frame_slot(va, fn, src, insn->off, size, &whole)) >= 0) {
		v = own_load(st, slot, whole, (int)(((__s64)src->off + insn->off) & 7), size);
	}
	st->regs[insn->dst_reg] = v;
}

/* Provenance: an atomic operation. What it fetches may be anything the
 * memory held; what it leaves may be its source (exchanges) or bytes. */
static void prov_atomic(struct sdt_va *va, struct sdt_va_state *st, __u32 fn, __u32 i)
{
	const struct bpf_insn *insn = &va->in->insns[i];
	struct sdt_aval base = st->regs[insn->dst_reg], bytes = sdt_av_unknown_scalar();
	struct sdt_aval left = bytes, old;
	int size = sdt_insn_mem_size(insn->code), slot;
	bool whole;

	old = prov_load(va, st, fn, &base, insn->off, size, i);
	old = sdt_av_join(&old, &bytes, 0x10000000u | i);
	if (insn->imm == BPF_XCHG || insn->imm == BPF_CMPXCHG)
		left = sdt_av_join(&st->regs[insn->src_reg], &bytes, 0x10000000u | i);
	record_store(va, fn, &base, insn->off, size, &left);
	slot = frame_slot(va, fn, &base, insn->off, size, &whole);
	if (slot >= 0) {
		st->part_size[slot] = 0;
		st->stack[slot] = whole ? sdt_av_join(&st->stack[slot], &left, 0x10000000u | i) :
					  bytes;
	}
	if (insn->imm & BPF_FETCH)
		st->regs[insn->imm == BPF_CMPXCHG ? BPF_REG_0 : insn->src_reg] =
			size == 8 ? old : sdt_av_loaded_scalar(size);
}

static void do_store(struct sdt_va *va, struct sdt_va_state *st, __u32 fn, __u32 i)
{
	const struct bpf_insn *insn = &va->in->insns[i];
	const struct sdt_aval *dst = &st->regs[insn->dst_reg];
	int size = sdt_insn_mem_size(insn->code), slot;
	bool is_st = BPF_CLASS(insn->code) == BPF_ST, whole;
	struct sdt_aval v = is_st ? sdt_av_const(insn->imm) : st->regs[insn->src_reg];

	if (provenance(va)) {
		if (BPF_MODE(insn->code) == BPF_ATOMIC) {
			prov_atomic(va, st, fn, i);
			return;
		}
		record_store(va, fn, dst, insn->off, size, &v);
	}
	if (BPF_MODE(insn->code) == BPF_ATOMIC) {
		if (insn->imm & BPF_FETCH) {
			if (insn->imm == BPF_CMPXCHG)
				st->regs[BPF_REG_0] = sdt_av_loaded_scalar(size);
			else
				st->regs[insn->src_reg] = sdt_av_loaded_scalar(size);
		}
		v = sdt_av_unknown_scalar();
		whole = false;
	}
	slot = frame_slot(va, fn, dst, insn->off, size, &whole);
	if (slot < 0)
		return; /* memory the check does not follow */
	st->part_size[slot] = 0;
	if (BPF_MODE(insn->code) == BPF_ATOMIC) {
		st->stack[slot] = v;
		return;
	}
	if (whole) {
		st->stack[slot] = v;
		return;
	}
	st->stack[slot] = sdt_av_unknown_scalar();
	if (v.kind == SDT_AK_SCALAR && v.smin == v.smax && size <= 4) {
		st->part_val[slot] = (__u32)v.smin & (size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1);
		st->part_off[slot] = (__u8)((dst->off + insn->off) & 7);
		st->part_size[slot] = (__u8)size;
	}
}

/* --- ALU -------------------------------------------------------------------- */

/* ptr +/- scalar: a constant moves the offset; anything else makes it
 * variable, and a variable packet pointer gets an id of its own whose
 * range starts at zero (the verifier's rule). */
static struct sdt_aval ptr_add(const struct sdt_aval *ptr, const struct sdt_aval *s, bool sub,
			       __u32 i)
{
	struct sdt_aval r = *ptr;
	__s64 c, off;

	if (r.kind == SDT_AK_PKT_END || r.kind == SDT_AK_FUNC || r.kind == SDT_AK_MAP_PTR)
		return sdt_av_unknown_scalar(); /* the verifier refuses it */
	if (sdt_av_is_const(s, &c) && !__builtin_add_overflow(r.off, sub ? -c : c, &off) &&
	    off >= INT32_MIN && off <= INT32_MAX) {
		r.off = (__s32)off;
		return r;
	}
	r.flags |= SDT_AV_VAR_OFF;
	if (r.kind == SDT_AK_PKT || r.kind == SDT_AK_PKT_META) {
		r.id = 0x40000000u | i;
		r.range = 0;
	}
	return r;
}

/* Provenance: 64-bit dst += src or dst -= src when an operand is not simply
 * a pointer or a scalar. The verifier takes pointer + scalar, scalar +
 * pointer, pointer - scalar and pointer - pointer (a scalar); it refuses
 * the rest. So the result may be each pointer kind of one operand when the
 * other may be a scalar, and a scalar. FOREIGN may be either, and takes in
 * the scalars computed from it. */
static struct sdt_aval prov_add_sub(const struct sdt_aval *d, const struct sdt_aval *s, bool sub)
{
	const __u16 scalars = SDT_AK_BIT(SDT_AK_SCALAR) | SDT_AK_BIT(SDT_AK_UNINIT) |
			      SDT_AK_BIT(SDT_AK_FOREIGN);
	const __u16 ptrs = (__u16)(((SDT_AK_BIT(SDT_AK_PTR_OTHER) << 1) - 1) &
				   ~(SDT_AK_BIT(SDT_AK_CTX) - 1)) | SDT_AK_BIT(SDT_AK_FOREIGN);
	const __u16 maybe = SDT_AV_MAYBE_UNINIT | SDT_AV_MAYBE_NULL;
	__u16 dk = sdt_av_kinds(d), sk = sdt_av_kinds(s), r = 0;
	bool d_scalar = (dk & scalars) || (d->flags & maybe);
	bool s_scalar = (sk & scalars) || (s->flags & maybe);
	struct sdt_aval res;
	int k;

	if (s_scalar)
		r |= dk & ptrs;
	if (!sub && d_scalar)
		r |= sk & ptrs;
	if ((d_scalar && s_scalar) || (sub && (dk & ptrs) && (sk & ptrs)))
		r |= SDT_AK_BIT(SDT_AK_SCALAR);
	if (r & SDT_AK_BIT(SDT_AK_FOREIGN))
		r &= (__u16)~SDT_AK_BIT(SDT_AK_SCALAR);
	if (!r || r == SDT_AK_BIT(SDT_AK_SCALAR))
		return sdt_av_unknown_scalar();
	if (__builtin_popcount(r) > 1) {
		res = (struct sdt_aval){ .kind = SDT_AK_MIXED, .kinds = r };
		res.flags = SDT_AV_VAR_OFF | ((d->flags | s->flags) & maybe);
		return res;
	}
	k = __builtin_ctz(r);
	if (d->kind == k)
		res = *d;
	else if (s->kind == k)
		res = *s;
	else
		res = sdt_av_ptr(k, SDT_AV_NO_MAP);
	res.flags |= SDT_AV_VAR_OFF;
	res.id = 0;
	res.range = 0;
	return res;
}

static void do_alu(struct sdt_va_state *st, const struct bpf_insn *insn, __u32 i, bool prov)
{
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;
	__u8 op = BPF_OP(insn->code);
	struct sdt_aval *dst = &st->regs[insn->dst_reg];
	struct sdt_aval src = BPF_SRC(insn->code) == BPF_X ?
				      st->regs[insn->src_reg] :
				      sdt_av_const(is64 ? (__s64)insn->imm : (__s64)(__u32)insn->imm);

	if (op == BPF_END) {
		/* to_le is the identity on this little-endian ISA's targets, but
		 * for the truncation to 16 or 32 bits; swaps give any bytes */
		struct sdt_aval was = *dst;
		int bits = insn->imm;
		bool to_le = is64 == false && BPF_SRC(insn->code) == BPF_TO_LE;

		if (bits != 16 && bits != 32 && bits != 64)
			*dst = sdt_av_unknown_scalar();
		else if (to_le && was.kind == SDT_AK_SCALAR &&
			 (bits == 64 || (was.smin >= 0 && was.smax < (1ll << bits))))
			*dst = was;
		else
			*dst = bits == 64 ? sdt_av_unknown_scalar() : sdt_av_loaded_scalar(bits / 8);
		return;
	}
	if (op == BPF_MOV) {
		if (insn->off == 8 || insn->off == 16 || insn->off == 32) /* movsx */
			*dst = is64 ? sdt_av_scalar(-(1ll << (insn->off - 1)), (1ll << (insn->off - 1)) - 1) :
				      sdt_av_scalar(0, 0xffffffffll);
		else if (insn->off)
			*dst = sdt_av_unknown_scalar(); /* not an instruction */
		else if (is64)
			*dst = src;
		else
			*dst = src.kind == SDT_AK_SCALAR ? sdt_av_alu(BPF_OR, &src, &(struct sdt_aval){
					.kind = SDT_AK_SCALAR }, false) : sdt_av_scalar(0, 0xffffffffll);
		return;
	}
	if (dst->kind == SDT_AK_UNINIT || (BPF_SRC(insn->code) == BPF_X && src.kind == SDT_AK_UNINIT)) {
		*dst = sdt_av_unknown_scalar(); /* the verifier refuses it anyway */
		return;
	}
	if (is64 && (op == BPF_ADD || op == BPF_SUB) && sdt_av_is_ptr(dst) &&
	    src.kind == SDT_AK_SCALAR) {
		*dst = ptr_add(dst, &src, op == BPF_SUB, i);
		return;
	}
	if (is64 && op == BPF_ADD && dst->kind == SDT_AK_SCALAR && sdt_av_is_ptr(&src)) {
		*dst = ptr_add(&src, dst, false, i);
		return;
	}
	if (prov && is64 && (op == BPF_ADD || op == BPF_SUB) &&
	    (dst->kind != SDT_AK_SCALAR || src.kind != SDT_AK_SCALAR)) {
		*dst = prov_add_sub(dst, &src, op == BPF_SUB);
		return;
	}
	if (dst->kind != SDT_AK_SCALAR || src.kind != SDT_AK_SCALAR) {
		/* pointer - pointer, or what the verifier would refuse */
		*dst = is64 ? sdt_av_unknown_scalar() : sdt_av_scalar(0, 0xffffffffll);
		return;
	}
	*dst = sdt_av_alu(op, dst, &src, is64);
}

/* --- branches -------------------------------------------------------------- */

/* Every copy of a maybe-NULL pointer (same id) is NULL, or not. */
static void mark_null(struct sdt_va_state *st, __u32 id, enum sdt_akind kind, bool is_null)
{
	int i;

	for (i = 0; i < MAX_BPF_REG + SDT_VA_SLOTS; i++) {
		struct sdt_aval *v = i < MAX_BPF_REG ? &st->regs[i] : &st->stack[i - MAX_BPF_REG];

		if (v->kind != kind || v->id != id || !(v->flags & SDT_AV_MAYBE_NULL))
			continue;
		if (is_null)
			*v = sdt_av_const(0);
		else
			v->flags &= ~SDT_AV_MAYBE_NULL;
	}
}

/* p (a packet or metadata pointer) is proven below its limit: every copy
 * with p's id is readable up to p's offset (one more when strictly below),
 * as find_good_pkt_pointers() decides. */
static void mark_pkt_range(struct sdt_va_state *st, const struct sdt_aval *p, bool strict)
{
	__u32 new_range;
	int i;

	if (p->off < 0 || (p->off == 0 && strict))
		return;
	new_range = (__u32)p->off + strict;
	for (i = 0; i < MAX_BPF_REG + SDT_VA_SLOTS; i++) {
		struct sdt_aval *v = i < MAX_BPF_REG ? &st->regs[i] : &st->stack[i - MAX_BPF_REG];

		if (v->kind == p->kind && v->id == p->id && v->range < new_range)
			v->range = new_range;
	}
}

static bool is_limit_of(const struct sdt_aval *p, const struct sdt_aval *e)
{
	return (p->kind == SDT_AK_PKT && e->kind == SDT_AK_PKT_END) ||
	       (p->kind == SDT_AK_PKT_META && e->kind == SDT_AK_PKT);
}

/* `if dst OP src` between a packet pointer and its limit. */
static void refine_pkt(const struct bpf_insn *insn, struct sdt_va_state *taken,
		       struct sdt_va_state *fall)
{
	const struct sdt_aval *d = &taken->regs[insn->dst_reg], *s = &taken->regs[insn->src_reg];
	__u8 op = BPF_OP(insn->code);
	struct sdt_aval p;
	bool p_is_dst;

	if (is_limit_of(d, s))
		p_is_dst = true;
	else if (is_limit_of(s, d))
		p_is_dst = false;
	else
		return;
	p = p_is_dst ? *d : *s;
	/* which branch proves p < limit (strict) or p <= limit */
	switch (op) {
	case BPF_JGT: /* p > e: fall p <= e   |  e > p: taken p < e */
		if (p_is_dst)
			mark_pkt_range(fall, &p, false);
		else
			mark_pkt_range(taken, &p, true);
		break;
	case BPF_JGE: /* p >= e: fall p < e   |  e >= p: taken p <= e */
		if (p_is_dst)
			mark_pkt_range(fall, &p, true);
		else
			mark_pkt_range(taken, &p, false);
		break;
	case BPF_JLT: /* p < e: taken p < e   |  e < p: fall p <= e */
		if (p_is_dst)
			mark_pkt_range(taken, &p, true);
		else
			mark_pkt_range(fall, &p, false);
		break;
	case BPF_JLE: /* p <= e: taken        |  e <= p: fall p < e */
		if (p_is_dst)
			mark_pkt_range(taken, &p, false);
		else
			mark_pkt_range(fall, &p, true);
		break;
	default:
		break;
	}
}

/* Narrows a scalar compared with a constant; false when that branch is
 * impossible. Unsigned and 32-bit comparisons only narrow ranges on which
 * they agree with the signed 64-bit one. */
static bool refine_scalar(struct sdt_aval *v, __u8 op, __s64 c, bool jmp32, bool taken)
{
	__s64 lo = v->smin, hi = v->smax;
	bool is_unsigned = op == BPF_JGT || op == BPF_JGE || op == BPF_JLT || op == BPF_JLE;

	if (jmp32 && !(lo >= 0 && hi <= INT32_MAX && c >= 0 && c <= INT32_MAX))
		return true;
	if (is_unsigned && !(lo >= 0 && c >= 0))
		return true;
	if (!taken) { /* the negation */
		switch (op) {
		case BPF_JEQ: op = BPF_JNE; break;
		case BPF_JNE: op = BPF_JEQ; break;
		case BPF_JGT: case BPF_JSGT: op = BPF_JSLE; break;
		case BPF_JGE: case BPF_JSGE: op = BPF_JSLT; break;
		case BPF_JLT: case BPF_JSLT: op = BPF_JSGE; break;
		case BPF_JLE: case BPF_JSLE: op = BPF_JSGT; break;
		default: return true;
		}
	}
	switch (op) {
	case BPF_JEQ:
		if (c < lo || c > hi)
			return false;
		lo = hi = c;
		break;
	case BPF_JNE:
		if (lo == hi && lo == c)
			return false;
		if (lo == c)
			lo++;
		else if (hi == c)
			hi--;
		break;
	case BPF_JGT: case BPF_JSGT:
		if (c == INT64_MAX)
			return false;
		if (lo < c + 1)
			lo = c + 1;
		break;
	case BPF_JGE: case BPF_JSGE:
		if (lo < c)
			lo = c;
		break;
	case BPF_JLT: case BPF_JSLT:
		if (c == INT64_MIN)
			return false;
		if (hi > c - 1)
			hi = c - 1;
		break;
	case BPF_JLE: case BPF_JSLE:
		if (hi > c)
			hi = c;
		break;
	default:
		return true;
	}
	if (lo > hi)
		return false;
	v->smin = lo;
	v->smax = hi;
	return true;
}

/* Splits st at conditional jump i into the states of its two branches. */
static void do_branch(struct sdt_va *va, const struct sdt_va_state *st, __u32 i,
		      bool *taken_ok, struct sdt_va_state *taken, bool *fall_ok,
		      struct sdt_va_state *fall)
{
	const struct bpf_insn *insn = &va->in->insns[i];
	bool jmp32 = BPF_CLASS(insn->code) == BPF_JMP32;
	__u8 op = BPF_OP(insn->code);
	const struct sdt_aval *d = &st->regs[insn->dst_reg];
	struct sdt_aval src;
	__s64 c;

	*taken = *st;
	*fall = *st;
	*taken_ok = *fall_ok = true;
	if (op == BPF_JCOND)
		return;
	src = BPF_SRC(insn->code) == BPF_X ? st->regs[insn->src_reg] :
					     sdt_av_const(jmp32 ? (__s64)(__u32)insn->imm : insn->imm);
	if (!jmp32 && sdt_av_is_const(&src, &c) && c == 0 && (op == BPF_JEQ || op == BPF_JNE) &&
	    sdt_av_is_ptr(d) && (d->flags & SDT_AV_MAYBE_NULL)) {
		mark_null(taken, d->id, d->kind, op == BPF_JEQ);
		mark_null(fall, d->id, d->kind, op != BPF_JEQ);
		return;
	}
	if (!jmp32 && BPF_SRC(insn->code) == BPF_X) {
		refine_pkt(insn, taken, fall);
		return;
	}
	if (d->kind == SDT_AK_SCALAR && !(d->flags & SDT_AV_MAYBE_UNINIT) &&
	    sdt_av_is_const(&src, &c)) {
		*taken_ok = refine_scalar(&taken->regs[insn->dst_reg], op, c, jmp32, true);
		*fall_ok = refine_scalar(&fall->regs[insn->dst_reg], op, c, jmp32, false);
	}
}

/* --- calls ------------------------------------------------------------------- */

static __u32 func_at(const struct sdt_va *va, __u32 insn)
{
	return va->func_of[insn];
}

static struct sdt_va_state entry_state(__u32 fn)
{
	struct sdt_va_state st;
	int i;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < MAX_BPF_REG; i++)
		st.regs[i] = sdt_av_uninit();
	for (i = 0; i < SDT_VA_SLOTS; i++)
		st.stack[i] = sdt_av_uninit();
	st.regs[BPF_REG_10] = sdt_av_ptr(SDT_AK_STACK, fn);
	return st;
}

/* A static function's entry: r1..r5 as the caller (or helper) passes them. */
static void flow_to_func(struct sdt_va *va, __u32 start, const struct sdt_aval *args, int nargs)
{
	struct sdt_va_state st;
	__u32 fn;
	int a;

	if (!is_func_start(va, start))
		return; /* callbacks that differ by path: none is followed */
	fn = func_at(va, start);
	if (va->in->global_args && va->in->global_args[fn])
		return; /* a global function starts from its prototype */
	st = entry_state(fn);
	for (a = 0; a < nargs && a < 5; a++)
		st.regs[BPF_REG_1 + a] = args[a];
	flow_to(va, start, &st);
}

static int add_edge(struct sdt_va *va, __u32 callee, __u32 block)
{
	size_t k;

	for (k = 0; k < va->nedges; k++)
		if (va->edges[k].callee == callee && va->edges[k].block == block)
			return 0;
	if (sdt_reserve((void **)&va->edges, &va->edges_cap, va->nedges, sizeof(*va->edges), 16))
		return -ENOMEM;
	va->edges[va->nedges++] = (struct call_edge){ callee, block };
	return 0;
}

static struct sdt_aval maybe_null(enum sdt_akind kind, __u32 aux, __u32 i)
{
	struct sdt_aval v = sdt_av_ptr(kind, aux);

	v.flags = SDT_AV_MAYBE_NULL;
	v.id = i + 1;
	return v;
}

static const struct sdt_va_map *map_of(const struct sdt_va *va, const struct sdt_aval *v)
{
	return v->kind == SDT_AK_MAP_PTR ? sdt_va_map(va, v->aux) : NULL;
}

/* An array lookup with a constant key in range is never NULL (6.14+). */
static bool lookup_never_null(const struct sdt_va *va, const struct sdt_va_state *st, __u32 fn)
{
	const struct sdt_va_map *m = map_of(va, &st->regs[BPF_REG_1]);
	const struct sdt_aval *key = &st->regs[BPF_REG_2];
	__s64 v = -1;
	bool whole;
	int slot;

	if (!m || (m->type != BPF_MAP_TYPE_ARRAY && m->type != BPF_MAP_TYPE_PERCPU_ARRAY))
		return false;
	slot = frame_slot(va, fn, key, 0, 4, &whole);
	if (slot < 0)
		return false;
	if (st->part_size[slot] == 4 && st->part_off[slot] == ((key->off) & 7))
		v = st->part_val[slot];
	else if (!(key->off & 7) && sdt_av_is_const(&st->stack[slot], &v))
		v = (__u32)v;
	return v >= 0 && v < m->max_entries;
}

/* r0 after helper `id`, and the callbacks it runs. */
static struct sdt_aval helper_result(struct sdt_va *va, struct sdt_va_state *st, __u32 fn,
				     __u32 i, __s32 id, bool replay)
{
	const struct sdt_aval *r = st->regs;
	struct sdt_aval cb_args[CALLBACK_MAX];
	int cb_reg = -1, ncb = 0;
	struct sdt_aval v;

	switch (id) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_map_lookup_percpu_elem:
		v = maybe_null(SDT_AK_MAP_VALUE,
			       r[BPF_REG_1].kind == SDT_AK_MAP_PTR ? r[BPF_REG_1].aux : SDT_AV_NO_MAP,
			       i);
		if (id == BPF_FUNC_map_lookup_elem && lookup_never_null(va, st, fn))
			v.flags &= ~SDT_AV_MAYBE_NULL;
		return v;
	case BPF_FUNC_ringbuf_reserve:
		if (provenance(va)) /* a record of the observer's own ring buffer */
			return maybe_null(SDT_AK_MAP_VALUE, r[BPF_REG_1].kind == SDT_AK_MAP_PTR ?
					  r[BPF_REG_1].aux : SDT_AV_NO_MAP, i);
		return maybe_null(SDT_AK_PTR_OTHER, 0, i);
	case BPF_FUNC_sk_lookup_tcp:
	case BPF_FUNC_sk_lookup_udp:
	case BPF_FUNC_skc_lookup_tcp:
	case BPF_FUNC_sk_fullsock:
	case BPF_FUNC_tcp_sock:
	case BPF_FUNC_get_listener_sock:
	case BPF_FUNC_skc_to_tcp6_sock:
	case BPF_FUNC_skc_to_tcp_sock:
	case BPF_FUNC_skc_to_tcp_timewait_sock:
	case BPF_FUNC_skc_to_tcp_request_sock:
	case BPF_FUNC_skc_to_udp6_sock:
	case BPF_FUNC_per_cpu_ptr:
	case BPF_FUNC_dynptr_data:
		return maybe_null(SDT_AK_PTR_OTHER, 0, i);
	case BPF_FUNC_this_cpu_ptr:
		return sdt_av_ptr(SDT_AK_PTR_OTHER, 0);
	case BPF_FUNC_get_prandom_u32:
	case BPF_FUNC_get_smp_processor_id:
		return sdt_av_scalar(0, 0xffffffffll);
	case BPF_FUNC_loop: /* cb(u32 index, void *ctx) */
		cb_reg = BPF_REG_2;
		cb_args[ncb++] = sdt_av_scalar(0, 0xffffffffll);
		cb_args[ncb++] = r[BPF_REG_3];
		break;
	case BPF_FUNC_for_each_map_elem: /* cb(map, key, value, ctx) */
		cb_reg = BPF_REG_2;
		cb_args[ncb++] = r[BPF_REG_1];
		cb_args[ncb++] = sdt_av_ptr(SDT_AK_PTR_OTHER, 0);
		cb_args[ncb] = sdt_av_ptr(SDT_AK_MAP_VALUE, r[BPF_REG_1].kind == SDT_AK_MAP_PTR ?
							    r[BPF_REG_1].aux : SDT_AV_NO_MAP);
		ncb++;
		cb_args[ncb++] = r[BPF_REG_3];
		break;
	case BPF_FUNC_timer_set_callback: /* cb(map, key, value) */
		cb_reg = BPF_REG_2;
		cb_args[ncb++] = sdt_av_ptr(SDT_AK_MAP_PTR, SDT_AV_NO_MAP);
		cb_args[ncb++] = sdt_av_ptr(SDT_AK_PTR_OTHER, 0);
		cb_args[ncb++] = sdt_av_ptr(SDT_AK_MAP_VALUE, SDT_AV_NO_MAP);
		break;
	case BPF_FUNC_find_vma: /* cb(task, vma, ctx) */
		cb_reg = BPF_REG_3;
		cb_args[ncb++] = sdt_av_ptr(SDT_AK_PTR_OTHER, 0);
		cb_args[ncb++] = sdt_av_ptr(SDT_AK_PTR_OTHER, 0);
		cb_args[ncb++] = r[BPF_REG_4];
		break;
	case BPF_FUNC_user_ringbuf_drain: /* cb(dynptr, ctx) */
		cb_reg = BPF_REG_2;
		cb_args[ncb++] = sdt_av_ptr(SDT_AK_PTR_OTHER, 0);
		cb_args[ncb++] = r[BPF_REG_3];
		break;
	default:
		break;
	}
	if (!replay && cb_reg > 0 && r[cb_reg].kind == SDT_AK_FUNC)
		flow_to_func(va, r[cb_reg].aux, cb_args, ncb);
	return sdt_av_unknown_scalar();
}

/* The call at i; false when the path ends there (a static callee that has
 * not returned yet: its return reruns this block). */
static bool do_call(struct sdt_va *va, struct sdt_va_state *st, __u32 fn, __u32 i, __u32 block,
		    bool replay, int *err)
{
	const struct bpf_insn *insn = &va->in->insns[i];
	struct sdt_aval r0;
	int a;

	if (provenance(va) && insn->src_reg == 0 && insn->imm == BPF_FUNC_get_attach_cookie) {
		/* the relinker makes it a load of the cookie slot: r1..r5 stay */
		st->regs[BPF_REG_0] = sdt_av_unknown_scalar();
		return true;
	}
	if (provenance(va)) {
		/* a callee's stores reach the frame summaries instead */
		if (insn->src_reg != BPF_PSEUDO_CALL)
			helper_writes(va, st, fn, insn->imm, insn->src_reg != 0);
	} else {
		for (a = BPF_REG_1; a <= BPF_REG_5; a++)
			mark_written_from(st, fn, &st->regs[a]);
	}
	if (insn->src_reg == BPF_PSEUDO_CALL) {
		__u32 start = i + 1 + insn->imm, callee = func_at(va, start);

		if (!replay) {
			flow_to_func(va, start, &st->regs[BPF_REG_1], 5);
			*err = add_edge(va, callee, block);
		}
		if (va->in->global_args && va->in->global_args[callee]) {
			r0 = sdt_av_unknown_scalar();
		} else {
			r0 = va->ret[callee];
			if (r0.kind == SDT_AK_NONE)
				return false;
		}
	} else if (insn->src_reg == 0) {
		r0 = helper_result(va, st, fn, i, insn->imm, replay);
	} else {
		r0 = sdt_av_unknown_scalar(); /* kfuncs */
	}
	for (a = BPF_REG_1; a <= BPF_REG_5; a++)
		st->regs[a] = sdt_av_uninit();
	st->regs[BPF_REG_0] = r0;
	return true;
}

/* --- the interpreter ------------------------------------------------------- */

/* run_block()'s stop for a walk: every instruction of the block visited. */
#define WALK_BLOCK (UINT32_MAX - 1)

struct walker {
	int (*visit)(void *ctx, __u32 idx, const struct sdt_va_state *st);
	void *ctx;
	int ret;
};

/* Interprets block b from its start; with stop (replay), returns the state
 * before instruction stop instead, changing nothing; with WALK_BLOCK, shows
 * the walker (out) the state before each of its instructions. */
static int run_block(struct sdt_va *va, __u32 b, __u32 stop, void *out, bool *reached)
{
	const struct sdt_va_input *in = va->in;
	struct sdt_va_state st = va->blocks[b].st, taken, fall;
	bool replay = stop != UINT32_MAX;
	__u32 i = va->blocks[b].start, fn = func_at(va, i);
	int err = 0;

	for (;;) {
		const struct bpf_insn *insn;
		__u8 cls;

		if (i >= in->insn_cnt || func_at(va, i) != fn)
			return -EINVAL; /* fell off its function */
		if (replay && i == stop) {
			*(struct sdt_va_state *)out = st;
			*reached = true;
			return 0;
		}
		if (i != va->blocks[b].start && va->block_of[i] != UINT32_MAX) {
			if (!replay)
				flow_to(va, i, &st);
			return 0;
		}
		if (stop == WALK_BLOCK) {
			struct walker *w = out;

			w->ret = w->visit(w->ctx, i, &st);
			if (w->ret)
				return 0;
		}
		if (!replay && ++va->steps > (in->step_budget ? in->step_budget : STEP_BUDGET))
			return -E2BIG;
		insn = &in->insns[i];
		cls = BPF_CLASS(insn->code);
		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64:
			do_alu(&st, insn, i, provenance(va));
			break;
		case BPF_LDX:
			do_load(va, &st, fn, i);
			break;
		case BPF_ST:
		case BPF_STX:
			do_store(va, &st, fn, i);
			break;
		case BPF_LD:
			if (is_ld_imm64(insn)) {
				struct sdt_aval v;

				switch (insn->src_reg) {
				case BPF_PSEUDO_MAP_FD:
				case BPF_PSEUDO_MAP_IDX:
					v = sdt_av_ptr(SDT_AK_MAP_PTR, (__u32)insn->imm);
					break;
				case BPF_PSEUDO_MAP_VALUE:
				case BPF_PSEUDO_MAP_IDX_VALUE:
					v = sdt_av_ptr(SDT_AK_MAP_VALUE, (__u32)insn->imm);
					v.off = insn[1].imm;
					break;
				case BPF_PSEUDO_FUNC:
					v = sdt_av_ptr(SDT_AK_FUNC, i + 1 + insn->imm);
					break;
				case BPF_PSEUDO_BTF_ID:
					v = sdt_av_ptr(SDT_AK_PTR_OTHER, 0);
					break;
				default:
					v = sdt_av_const((__s64)((__u64)(__u32)insn->imm |
								 ((__u64)(__u32)insn[1].imm << 32)));
				}
				st.regs[insn->dst_reg] = v;
				i += 2;
				continue;
			}
			/* legacy packet loads: r0 = bytes, r1..r5 clobbered */
			for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
				st.regs[r] = sdt_av_uninit();
			st.regs[BPF_REG_0] = sdt_av_loaded_scalar(sdt_insn_mem_size(insn->code));
			break;
		case BPF_JMP:
		case BPF_JMP32:
			switch (BPF_OP(insn->code)) {
			case BPF_CALL:
				if (!do_call(va, &st, fn, i, b, replay, &err))
					return err;
				if (err)
					return err;
				break;
			case BPF_EXIT:
				if (!replay && join_into(&va->ret[fn], &st.regs[BPF_REG_0],
							 0x80000000u | i, true)) {
					size_t k;

					for (k = 0; k < va->nedges; k++)
						if (va->edges[k].callee == fn)
							enqueue(va, va->edges[k].block);
				}
				return 0;
			case BPF_JA: {
				__u32 succ[2];

				sdt_insn_successors(in->insns, i, succ);
				if (replay && succ[0] != i + 1)
					return 0;
				if (succ[0] == i + 1) /* goto +0: a probe site */
					break;
				flow_to(va, succ[0], &st);
				return 0;
			}
			default:
				{
					bool taken_ok, fall_ok;

					do_branch(va, &st, i, &taken_ok, &taken, &fall_ok, &fall);
					if (replay)
						return 0;
					if (taken_ok)
						flow_to(va, i + 1 + insn->off, &taken);
					if (fall_ok)
						flow_to(va, i + 1, &fall);
				}
				return 0;
			}
			break;
		default:
			return -EINVAL;
		}
		i++;
	}
}

static int map_funcs(struct sdt_va *va)
{
	const struct sdt_va_input *in = va->in;
	__u32 f, i;

	if (!in->nfuncs || in->funcs[0].start != 0)
		return -EINVAL;
	for (f = 0; f < in->nfuncs; f++) {
		__u32 end = f + 1 < in->nfuncs ? in->funcs[f + 1].start : in->insn_cnt;

		if (in->funcs[f].start >= end || end > in->insn_cnt)
			return -EINVAL;
		for (i = in->funcs[f].start; i < end; i++)
			va->func_of[i] = f;
	}
	return 0;
}

/* Every function without callers that could reach it still runs: the main
 * one from its context, global ones from their prototypes. */
static void seed(struct sdt_va *va)
{
	const struct sdt_va_input *in = va->in;
	struct sdt_va_state st = entry_state(0);
	__u32 f;
	int a;

	st.regs[BPF_REG_1] = sdt_av_ptr(SDT_AK_CTX, 0);
	/* an observer is called as a static function: the verifier hands it
	 * r2..r5 as the target had them at the site */
	for (a = BPF_REG_2; provenance(va) && a <= BPF_REG_5; a++)
		st.regs[a] = sdt_av_ptr(SDT_AK_FOREIGN, 0);
	flow_to(va, 0, &st);
	for (f = 1; f < in->nfuncs && in->global_args; f++) {
		if (!in->global_args[f])
			continue;
		st = entry_state(f);
		for (a = 0; a < 5; a++)
			st.regs[BPF_REG_1 + a] = in->global_args[f][a];
		flow_to(va, in->funcs[f].start, &st);
	}
}

int sdt_va_run(const struct sdt_va_input *in, struct sdt_va **out)
{
	struct sdt_va *va = calloc(1, sizeof(*va));
	__u32 b, f;
	int err;

	*out = NULL;
	if (!va)
		return -ENOMEM;
	va->in = in;
	va->block_of = calloc(in->insn_cnt + 1, sizeof(*va->block_of));
	va->func_of = calloc(in->insn_cnt + 1, sizeof(*va->func_of));
	va->ret = calloc(in->nfuncs + 1, sizeof(*va->ret));
	if (in->observer)
		va->mem = calloc(in->nfuncs + 1, sizeof(*va->mem));
	if (!va->block_of || !va->func_of || !va->ret || (in->observer && !va->mem)) {
		err = -ENOMEM;
		goto fail;
	}
	for (f = 0; f < in->nfuncs; f++)
		va->ret[f] = sdt_av_none();
	for (f = 0; va->mem && f < in->nfuncs; f++) {
		struct frame_mem *m = &va->mem[f];
		int k;

		for (k = 0; k < SDT_VA_SLOTS; k++)
			m->ext[k] = m->all[k] = sdt_av_none();
		m->ext_any = m->all_any = sdt_av_none();
	}
	err = map_funcs(va);
	if (!err)
		err = find_blocks(va);
	if (err)
		goto fail;
	seed(va);
	do {
		va->mem_changed = false;
		while (dequeue(va, &b)) {
			err = run_block(va, b, UINT32_MAX, NULL, NULL);
			if (err)
				goto fail;
		}
		/* a frame summary grew: every load may see more */
		for (b = 0; va->mem_changed && b < va->nblocks; b++)
			if (va->blocks[b].reached)
				enqueue(va, b);
	} while (va->mem_changed);
	*out = va;
	return 0;
fail:
	sdt_va_free(va);
	return err;
}

bool sdt_va_state_at(const struct sdt_va *va, __u32 idx, struct sdt_va_state *out)
{
	bool reached = false;
	__u32 i;

	if (idx >= va->in->insn_cnt)
		return false;
	for (i = idx; va->block_of[i] == UINT32_MAX; i--)
		;
	if (!va->blocks[va->block_of[i]].reached)
		return false;
	/* a replay changes nothing: the cast only lets it share the code */
	((struct sdt_va *)va)->replaying = true;
	if (run_block((struct sdt_va *)va, va->block_of[i], idx, out, &reached))
		reached = false;
	((struct sdt_va *)va)->replaying = false;
	return reached;
}

int sdt_va_walk(const struct sdt_va *va,
		int (*visit)(void *ctx, __u32 idx, const struct sdt_va_state *st), void *ctx)
{
	struct walker w = { visit, ctx, 0 };
	struct sdt_va *v = (struct sdt_va *)va; /* replays change nothing */
	__u32 b;
	int err = 0;

	v->replaying = true;
	for (b = 0; b < va->nblocks && !err && !w.ret; b++)
		if (va->blocks[b].reached)
			err = run_block(v, b, WALK_BLOCK, &w, NULL);
	v->replaying = false;
	return err ? err : w.ret;
}

__u32 sdt_va_func_of(const struct sdt_va *va, __u32 idx)
{
	return idx < va->in->insn_cnt ? va->func_of[idx] : 0;
}

const struct sdt_va_map *sdt_va_map(const struct sdt_va *va, __u32 aux)
{
	__u32 m;

	if (aux == SDT_AV_NO_MAP)
		return NULL;
	for (m = 0; m < va->in->map_cnt; m++)
		if (va->in->maps[m].fd >= 0 && (__u32)va->in->maps[m].fd == aux)
			return &va->in->maps[m];
	return aux < va->in->map_cnt && va->in->maps[aux].fd < 0 ? &va->in->maps[aux] : NULL;
}

void sdt_va_free(struct sdt_va *va)
{
	if (!va)
		return;
	free(va->block_of);
	free(va->func_of);
	free(va->blocks);
	free(va->queue);
	free(va->ret);
	free(va->edges);
	free(va->mem);
	free(va);
}
