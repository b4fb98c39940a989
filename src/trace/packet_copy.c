// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Copying the packet a site sees into its event, in the kernel.
 *
 * With the program's context among the probe's arguments the whole packet
 * is there: bpf_xdp_load_bytes() (fragments included, its length from
 * bpf_xdp_get_buff_len()) or bpf_skb_load_bytes() (skb->len) copy it from
 * its first byte. Without one, a pointer argument followed by another
 * (data, data_end: how parsing code passes a packet) bounds the bytes, which
 * bpf_probe_read_kernel() copies. Either way the copy goes into the event's
 * own ring buffer reservation, of a size fixed when the code is generated
 * (snaplen), so the length is clamped to [1, snaplen] first, which is also
 * what lets the verifier accept it; nothing of the target is written.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "insn/helper_args.h"
#include "trace/packet_copy.h"

/* "xdp_md" for struct xdp_md *, or NULL when id is no pointer to a struct. */
static const char *pointee_struct(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));

	if (!t || !btf_is_ptr(t))
		return NULL;
	t = btf__type_by_id(btf, btf__resolve_type(btf, t->type));
	return t && btf_is_struct(t) ? btf__name_by_offset(btf, t->name_off) : NULL;
}

static bool is_pointer(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));

	return t && btf_is_ptr(t);
}

int sdt_packet_source_find(const struct btf *btf, const struct bpf_sdt_probe *probe,
			   struct sdt_packet_source *src, char *why, size_t why_size)
{
	int i, n = bpf_sdt_probe__arg_cnt(probe);

	memset(src, 0, sizeof(*src));
	for (i = 0; btf && i < n; i++) {
		const char *s = pointee_struct(btf, bpf_sdt_probe__arg_type_id(probe, i));

		if (s && (!strcmp(s, "xdp_md") || !strcmp(s, "__sk_buff"))) {
			src->kind = strcmp(s, "xdp_md") ? SDT_PKT_SKB : SDT_PKT_XDP;
			src->arg = i;
			return 0;
		}
	}
	for (i = 0; btf && i + 1 < n; i++) {
		if (is_pointer(btf, bpf_sdt_probe__arg_type_id(probe, i)) &&
		    is_pointer(btf, bpf_sdt_probe__arg_type_id(probe, i + 1))) {
			src->kind = SDT_PKT_RANGE;
			src->arg = i;
			src->end_arg = i + 1;
			return 0;
		}
	}
	snprintf(why, why_size, "no argument gives its packet: it needs the program's context (struct xdp_md *, struct __sk_buff *) or a packet pointer followed by the packet's end");
	return -EINVAL;
}

void sdt_emit_packet_copy(struct sdt_insn_buf *b, const struct sdt_packet_source *src,
			  __s16 off, __u32 snaplen)
{
	int skip = sdt_label_new(b), ok = sdt_label_new(b);

	/* r9 = the packet's whole length, r8 = the context */
	sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, 8 * src->arg));
	if (src->kind == SDT_PKT_XDP) {
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_8, BPF_REG_1));
		sdt_emit(b, BPF_EMIT_CALL(sdt_helper_id("bpf_xdp_get_buff_len")));
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_9, BPF_REG_0));
	} else if (src->kind == SDT_PKT_SKB) {
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_8, BPF_REG_1));
		sdt_emit(b, BPF_LDX_MEM(BPF_W, BPF_REG_9, BPF_REG_8, 0)); /* skb->len */
	} else {
		sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_9, BPF_REG_6, 8 * src->end_arg));
		sdt_emit(b, BPF_ALU64_REG(BPF_SUB, BPF_REG_9, BPF_REG_1));
		sdt_emit(b, BPF_JMP_IMM(BPF_JSGE, BPF_REG_9, 0, 1));
		sdt_emit(b, BPF_MOV64_IMM(BPF_REG_9, 0)); /* end before start: nothing */
	}
	sdt_emit(b, BPF_STX_MEM(BPF_W, BPF_REG_7, BPF_REG_9, off + 4));
	/* r9 = min(r9, snaplen): the reservation's room */
	sdt_emit(b, BPF_JMP_IMM(BPF_JLE, BPF_REG_9, (__s32)snaplen, 1));
	sdt_emit(b, BPF_MOV64_IMM(BPF_REG_9, (__s32)snaplen));
	sdt_emit(b, BPF_STX_MEM(BPF_W, BPF_REG_7, BPF_REG_9, off));
	sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JLT, BPF_REG_9, 1, 0), skip);
	if (src->kind == SDT_PKT_RANGE) {
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_7));
		sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, off + 8));
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_2, BPF_REG_9));
		sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_6, 8 * src->arg));
		sdt_emit(b, BPF_EMIT_CALL(sdt_helper_id("bpf_probe_read_kernel")));
	} else {
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_8));
		sdt_emit(b, BPF_MOV64_IMM(BPF_REG_2, 0));
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_3, BPF_REG_7));
		sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, off + 8));
		sdt_emit(b, BPF_MOV64_REG(BPF_REG_4, BPF_REG_9));
		sdt_emit(b, BPF_EMIT_CALL(sdt_helper_id(src->kind == SDT_PKT_XDP ?
							  "bpf_xdp_load_bytes" :
							  "bpf_skb_load_bytes")));
	}
	sdt_emit_jmp(b, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), ok);
	sdt_emit(b, BPF_ST_MEM(BPF_W, BPF_REG_7, off, 0)); /* the copy failed */
	sdt_label_place(b, ok);
	sdt_label_place(b, skip);
}
