// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Function probes observed by freplace (freplace.h). */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arm/freplace.h"
#include "insn/emit.h"
#include "insn/helper_args.h"
#include "relink/relink.h"
#include "target/prog_load.h"

#define FREPLACE_LOG_SIZE (1u << 20)
#define SITE_UNKNOWN (-1)	/* the site id slot: ~0 once widened */

/* How argument i widens to its u64 slot, as relinking widens it. */
static void arg_width(const struct btf *btf, __u32 id, int *bits, bool *is_signed)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));

	*bits = 64;
	*is_signed = false;
	if (t && btf_is_int(t)) {
		*bits = t->size * 8;
		*is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			*bits = 8;
	} else if (t && (btf_is_enum(t) || btf_is_enum64(t))) {
		*bits = t->size * 8;
		*is_signed = btf_kflag(t);
	}
}

/* The wrapper, then the observer's code: r1..rn are the function's
 * arguments on entry; r0 = 0 is its value, as the no-op function's. */
static int build_code(const struct bpf_sdt_target *t, const struct bpf_sdt_probe *probe,
		      const struct sdt_native_code *c, struct sdt_insn_buf *b, __u32 *obs_base)
{
	const struct btf *sbtf = bpf_sdt_object__btf(t->sdt);
	int nargs = bpf_sdt_probe__arg_cnt(probe), base = 8 * SDT_SLOTS(nargs), i, bits;
	int cookie_id = sdt_helper_id(SDT_COOKIE_HELPER);
	__u32 k, call;
	bool is_signed;

	for (i = 0; i < nargs; i++)
		sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1 + i, -base + 8 * i));
	for (i = 0; i < nargs; i++) {
		arg_width(sbtf, bpf_sdt_probe__arg_type_id(probe, i), &bits, &is_signed);
		if (bits >= 64)
			continue;
		sdt_emit(b, BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_10, -base + 8 * i));
		sdt_emit(b, BPF_ALU64_IMM(BPF_LSH, BPF_REG_0, 64 - bits));
		sdt_emit(b, BPF_ALU64_IMM(is_signed ? BPF_ARSH : BPF_RSH, BPF_REG_0, 64 - bits));
		sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, -base + 8 * i));
	}
	sdt_emit(b, BPF_ST_MEM(BPF_DW, BPF_REG_10, -base + 8 * SDT_SLOT_SITE(nargs), SITE_UNKNOWN));
	sdt_emit_ld_imm64(b, BPF_REG_0, 0, c->cookie);
	sdt_emit(b, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_0, -base + 8 * SDT_SLOT_COOKIE(nargs)));
	sdt_emit(b, BPF_MOV64_REG(BPF_REG_1, BPF_REG_10));
	sdt_emit(b, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -base));
	call = b->cnt;
	sdt_emit(b, BPF_CALL_REL(0));
	sdt_emit(b, BPF_MOV64_IMM(BPF_REG_0, 0));
	sdt_emit(b, BPF_EXIT_INSN());
	*obs_base = b->cnt;
	if (!b->err)
		b->insns[call].imm = (__s32)(*obs_base - call - 1);
	for (k = 0; k < c->code->insn_cnt; k++) {
		struct bpf_insn insn = c->code->insns[k];

		if (insn.code == (BPF_JMP | BPF_CALL) && !insn.src_reg && insn.imm == cookie_id)
			insn = BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 8 * SDT_SLOT_COOKIE(nargs));
		sdt_emit(b, insn);
	}
	return b->err;
}

/* The target's BTF with the observer's appended: the wrapper is the
 * function itself (its FUNC, so the kernel matches the prototypes), the
 * observer a static FUNC. Its func_info into fi (cnt records). */
static struct btf *build_btf(const struct bpf_sdt_target *t, const struct bpf_sdt_probe *probe,
			     const struct sdt_native_code *c, const struct btf *cbtf,
			     __u32 obs_base, struct bpf_func_info **fi, __u32 *cnt)
{
	const struct bpf_func_info *ofi = c->code->func_info;
	const struct btf_type *fn;
	const void *raw;
	struct btf *btf;
	int main_id, off, id;
	__u32 size, i;

	raw = btf__raw_data(t->btf, &size);
	btf = raw ? btf__new(raw, size) : NULL;
	*fi = calloc(c->code->func_info_cnt + 1, sizeof(**fi));
	if (!btf || !*fi)
		goto fail;
	main_id = btf__find_by_name_kind(btf, bpf_sdt_probe__name(probe), BTF_KIND_FUNC);
	off = btf__add_btf(btf, cbtf);
	fn = ofi ? btf__type_by_id(cbtf, ofi[0].type_id) : NULL;
	if (main_id <= 0 || off < 0 || !fn || !btf_is_func(fn))
		goto fail;
	off -= 1;
	id = btf__add_func(btf, c->name, BTF_FUNC_STATIC, fn->type + off);
	if (id < 0)
		goto fail;
	(*fi)[0] = (struct bpf_func_info){ 0, (__u32)main_id };
	(*fi)[1] = (struct bpf_func_info){ obs_base, (__u32)id };
	for (i = 1; i < c->code->func_info_cnt; i++)
		(*fi)[i + 1] = (struct bpf_func_info){ ofi[i].insn_off + obs_base,
						       ofi[i].type_id + off };
	*cnt = c->code->func_info_cnt + 1;
	if (btf__load_into_kernel(btf))
		goto fail;
	return btf;
fail:
	btf__free(btf);
	free(*fi);
	*fi = NULL;
	return NULL;
}

/* FUNC probe in the target's BTF as the kernel has it: the attach point. */
static int kernel_func_id(const struct sdt_target_prog *tp, const struct bpf_sdt_probe *probe)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	struct btf *kbtf;
	int id;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(tp->orig_fd, &info, &len))
		return -errno;
	kbtf = info.btf_id ? btf__load_from_kernel_by_id(info.btf_id) : NULL;
	if (!kbtf)
		return -ENOENT;
	id = btf__find_by_name_kind(kbtf, bpf_sdt_probe__name(probe), BTF_KIND_FUNC);
	btf__free(kbtf);
	return id > 0 ? id : -ENOENT;
}

static bool kernel_refuses(int err)
{
	return err == -EPERM || err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUP;
}

int sdt_freplace_link(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		      const struct bpf_sdt_probe *probe, const struct sdt_native_code *c,
		      const struct btf *cbtf, int *prog_fd)
{
	struct sdt_prog_capture attrs = { .type = BPF_PROG_TYPE_EXT,
					  .func_info_rec_size = sizeof(struct bpf_func_info) };
	struct sdt_load_req req = { .attrs = &attrs, .name = c->name, .license = c->license,
				    .btf_fd = -1, .attach_prog_fd = tp->orig_fd };
	struct sdt_insn_buf code = {};
	struct bpf_func_info *fi = NULL;
	struct btf *btf = NULL;
	int fd, link_fd, id;
	__u32 obs_base = 0;

	id = kernel_func_id(tp, probe);
	fd = id < 0 ? id : build_code(t, probe, c, &code, &obs_base);
	if (!fd) {
		btf = build_btf(t, probe, c, cbtf, obs_base, &fi, &req.func_info_cnt);
		fd = btf ? 0 : -EINVAL;
	}
	if (fd) {
		pr_warn("%s: observer %s (function probe %s, program %s): cannot build its extension program: %s",
			t->name, c->name, bpf_sdt_probe__name(probe), tp->name, strerror(-fd));
		goto out;
	}
	req.attach_btf_id = (__u32)id;
	req.btf_fd = btf__fd(btf);
	req.func_info = fi;
	req.insns = code.insns;
	req.insn_cnt = code.cnt;
	fd = sdt_prog_load(&req);
	if (fd == -EACCES) { /* the verifier's reasons */
		req.log_level = 1;
		req.log_size = FREPLACE_LOG_SIZE;
		req.log_buf = malloc(FREPLACE_LOG_SIZE);
		fd = req.log_buf ? sdt_prog_load(&req) : -ENOMEM;
		if (fd < 0) {
			pr_warn("%s: observer %s (function probe %s, program %s): the kernel verifier refused its extension program (%s):",
				t->name, c->name, bpf_sdt_probe__name(probe), tp->name,
				strerror(-fd));
			if (req.log_buf)
				sdt_pr_verifier_tail(req.log_buf);
		}
		free(req.log_buf);
	} else if (fd < 0 && kernel_refuses(fd)) {
		pr_info("%s: program %s: the kernel loads no extension of function probe %s (%s): observed at its site",
			t->name, tp->name, bpf_sdt_probe__name(probe), strerror(-fd));
		fd = -EAGAIN;
	}
	if (fd < 0)
		goto out;
	link_fd = bpf_raw_tracepoint_open(NULL, fd);
	if (link_fd < 0) {
		link_fd = -errno;
		if (link_fd == -EBUSY) {
			pr_info("%s: observer %s (program %s): another extension replaces function probe %s: observed at its site",
				t->name, c->name, tp->name, bpf_sdt_probe__name(probe));
			link_fd = -EAGAIN;
		} else {
			pr_warn("%s: observer %s (function probe %s, program %s): attaching its extension program failed: %s",
				t->name, c->name, bpf_sdt_probe__name(probe), tp->name,
				strerror(-link_fd));
		}
		close(fd);
		fd = link_fd;
		goto out;
	}
	pr_info("%s: observer %s (program %s): replaces function probe %s's function (freplace)",
		t->name, c->name, tp->name, bpf_sdt_probe__name(probe));
	*prog_fd = fd;
	fd = link_fd;
out:
	sdt_insn_buf_free(&code);
	free(fi);
	btf__free(btf);
	return fd;
}
