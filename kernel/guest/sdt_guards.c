// SPDX-License-Identifier: GPL-2.0
/* Guest tests of SDT guards (patches 6-9): BPF_SDT_ENABLED() as static
 * branches. The tree's libbpf passes each guard at load; the verifier
 * follows the block and the path past it, the JIT emits a 5-byte NOP, and
 * linking an observer to the probe -- or replacing a function probe's
 * no-op function with an freplace program -- pokes it into a jump to the
 * block until the last one goes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "insn/emit.h"
#include "guest.h"
#include "guest_util.h"

#define FRAME_LEN 64	/* xdp_test_run()'s frame */
#define IMAGE_MAX 65536

struct guard_fixture {
	struct bpf_object *target, *obs;
	int target_fd;
};

/* guard_target loaded, and the observers progs of guard_observers attached
 * to its funcs; -1 (the test failed) if either does not load. */
static int fixture_open(struct guard_fixture *fx, const char *const *progs,
			const char *const *funcs)
{
	memset(fx, 0, sizeof(*fx));
	fx->target = open_load_attached("guard_target.bpf.o", 0, NULL, NULL, NULL, 0);
	if (!fx->target)
		return -1;
	fx->target_fd = bpf_program__fd(bpf_object__find_program_by_name(fx->target,
									  "guard_target"));
	if (!progs)
		return 0;
	fx->obs = open_load_attached("guard_observers.bpf.o", fx->target_fd, progs, funcs, NULL, 0);
	return fx->obs ? 0 : -1;
}

static long long block_runs(struct bpf_object *target, __u32 key)
{
	struct bpf_map *map = bpf_object__find_map_by_name(target, "blocks");
	__u64 v;

	if (!map || bpf_map_lookup_elem(bpf_map__fd(map), &key, &v))
		return FAIL_NOTE("blocks[%u]: %s", key, strerror(errno)), -1;
	return (long long)v;
}

/* A global variable of the observers' object (their .bss). */
static long long obs_var(struct bpf_object *obs, const char *name)
{
	const struct btf *btf = bpf_object__btf(obs);
	struct bpf_map *bss = bpf_object__find_map_by_name(obs, ".bss");
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;
	static __u64 value[64];
	__u32 key = 0;
	int id, i;

	id = btf ? btf__find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC) : -1;
	if (!bss || id < 0 || bpf_map__value_size(bss) > sizeof(value) ||
	    bpf_map_lookup_elem(bpf_map__fd(bss), &key, value))
		return FAIL_NOTE("reading the observers' .bss: %s", strerror(errno)), -1;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name))
			return (long long)*(__u64 *)((char *)value + vs->offset);
	}
	return FAIL_NOTE("no variable %s", name), -1;
}

/* FNV-1a of the first 32 bytes of xdp_test_run()'s frame: hash_bytes(). */
static __u32 frame_hash(void)
{
	unsigned char pkt[FRAME_LEN];
	__u32 h = 2166136261u;
	int i;

	make_frame(pkt, sizeof(pkt), ETH_P_IP);
	for (i = 0; i < 32; i++)
		h = (h ^ pkt[i]) * 16777619u;
	return h;
}

/* `goto +0` in the xlated program -- every guard that is off and every
 * site, as the verifier removes all other `goto +0` -- or -1. */
static int xlated_nops(int fd)
{
	static struct bpf_insn xlated[4096];
	static unsigned char jited[IMAGE_MAX];
	__u32 xcnt = 4096, jlen = sizeof(jited), i;
	int nops = 0;

	if (prog_dump(fd, xlated, &xcnt, jited, &jlen))
		return -1;
	for (i = 0; i < xcnt; i++)
		nops += xlated[i].code == (BPF_JMP | BPF_JA) && !xlated[i].off;
	return nops;
}

/* Runs the target `times` times; -1 (the test failed) unless each passed. */
static int run_pass(int fd, int times)
{
	int i;

	for (i = 0; i < times; i++)
		if (xdp_test_run(fd, ETH_P_IP, 1, NULL) != XDP_PASS)
			return FAIL_NOTE("the target did not return XDP_PASS"), -1;
	return 0;
}

/* Dormant: each guard is a 5-byte NOP the program runs past, and its block
 * was verified and kept (the stock verifier would have removed it). */
TEST(guard_is_a_nop5_and_its_block_is_kept_while_off)
{
	static unsigned char jited[IMAGE_MAX];
	static struct bpf_insn xlated[4096];
	__u32 jlen = sizeof(jited), xcnt = 4096, i;
	struct guard_fixture fx;
	int calls = 0;

	ASSERT_EQ(fixture_open(&fx, NULL, NULL), 0);
	ASSERT_EQ(run_pass(fx.target_fd, 3), 0);
	ASSERT_EQ(prog_dump(fx.target_fd, xlated, &xcnt, jited, &jlen), 0);
	for (i = 0; i < xcnt; i++)
		calls += xlated[i].code == (BPF_JMP | BPF_CALL) &&
			 xlated[i].src_reg == BPF_PSEUDO_CALL;
	/* hash_bytes and fprobe, both inside guarded blocks */
	ASSERT_EQ(calls, 2);
	/* 3 guards and 3 sites, all `goto +0` */
	ASSERT_EQ(xlated_nops(fx.target_fd), 6);
	ASSERT_EQ(block_runs(fx.target, 0), 0);
	ASSERT_EQ(block_runs(fx.target, 1), 0);
}

/* Attaches observer prog of fx (NULL: the test failed), destroyed after
 * the test unless destroyed before. */
static struct bpf_link *attach_sdt(struct guard_fixture *fx, const char *prog)
{
	struct bpf_link *link = bpf_program__attach_sdt(
		bpf_object__find_program_by_name(fx->obs, prog));

	if (!link)
		return FAIL_NOTE("attach_sdt(%s): %s", prog, strerror(errno)), NULL;
	DEFER(bpf_link__destroy, link);
	return link;
}

static struct bpf_link *attach_freplace(struct guard_fixture *fx, const char *prog)
{
	struct bpf_link *link = bpf_program__attach_freplace(
		bpf_object__find_program_by_name(fx->obs, prog), fx->target_fd, "fprobe");

	if (link)
		DEFER(bpf_link__destroy, link);
	return link;
}

/* Linking an observer to `hashed` turns its guard on: the block runs (its
 * costly argument reaches the observer), the other guards stay off. */
TEST(linking_an_observer_turns_its_probes_guard_on)
{
	const char *progs[] = { "on_hashed", NULL }, *probes[] = { "hashed" };
	static unsigned char before[IMAGE_MAX], during[IMAGE_MAX];
	__u32 lb = sizeof(before), ld = sizeof(during);
	struct guard_fixture fx;

	ASSERT_EQ(fixture_open(&fx, progs, probes), 0);
	ASSERT_EQ(prog_dump(fx.target_fd, NULL, NULL, before, &lb), 0);
	ASSERT_TRUE(attach_sdt(&fx, "on_hashed") != NULL);
	ASSERT_EQ(run_pass(fx.target_fd, 3), 0);
	ASSERT_EQ(prog_dump(fx.target_fd, NULL, NULL, during, &ld), 0);
	ASSERT_EQ(block_runs(fx.target, 0), 3);
	ASSERT_EQ(block_runs(fx.target, 1), 0);
	ASSERT_EQ(obs_var(fx.obs, "hashed_hits"), 3);
	ASSERT_EQ(obs_var(fx.obs, "hashed_h"), frame_hash());
	ASSERT_EQ(obs_var(fx.obs, "hashed_len"), FRAME_LEN);
	/* the site became a call and the guard a jump: two NOPs fewer; the
	 * xlated guard jumps too (the site stays `goto +0` there) */
	ASSERT_EQ(count_nop5(during, ld), count_nop5(before, lb) - 2);
	ASSERT_EQ(xlated_nops(fx.target_fd), 5);
}

/* The last unlink turns the guard off again: the block stops running and
 * the JITed image is the dormant one byte for byte. */
TEST(unlinking_turns_the_guard_off_and_restores_the_image)
{
	const char *progs[] = { "on_hashed", NULL }, *probes[] = { "hashed" };
	static unsigned char before[IMAGE_MAX], after[IMAGE_MAX];
	__u32 lb = sizeof(before), la = sizeof(after);
	struct bpf_link *link;
	struct guard_fixture fx;

	ASSERT_EQ(fixture_open(&fx, progs, probes), 0);
	ASSERT_EQ(prog_dump(fx.target_fd, NULL, NULL, before, &lb), 0);
	link = attach_sdt(&fx, "on_hashed");
	ASSERT_TRUE(link != NULL);
	ASSERT_EQ(run_pass(fx.target_fd, 1), 0);
	ASSERT_TRUE(test_cleanup(link));
	ASSERT_EQ(run_pass(fx.target_fd, 2), 0);
	ASSERT_EQ(prog_dump(fx.target_fd, NULL, NULL, after, &la), 0);
	ASSERT_EQ(block_runs(fx.target, 0), 1);
	ASSERT_EQ(obs_var(fx.obs, "hashed_hits"), 1);
	ASSERT_EQ(la, lb);
	if (memcmp(before, after, lb))
		FAIL("after unlinking the image differs from before linking");
}

/* A guarded block that reads the packet unchecked loads on a stock kernel
 * (it is dead code there); as a static branch the verifier follows it and
 * refuses the program. */
TEST(verifier_follows_the_block_of_a_guard)
{
	static char log[1 << 16];

	log[0] = '\0';
	if (open_load_attached("guard_bad.bpf.o", 0, NULL, NULL, log, sizeof(log)))
		FAIL("guard_bad.bpf.o loaded: its guarded block was not verified");
	ASSERT_CONTAINS(log, "invalid access to packet");
}

/* Alexei's alternative: replacing the function probe's no-op function
 * with an freplace program turns its guard on, so the call is made and
 * reaches the replacement with its arguments; detaching turns it off. */
TEST(freplace_of_a_function_probe_turns_its_guard_on)
{
	const char *progs[] = { "on_fprobe", NULL }, *funcs[] = { "fprobe" };
	static unsigned char before[IMAGE_MAX], after[IMAGE_MAX];
	__u32 lb = sizeof(before), la = sizeof(after);
	struct bpf_link *link;
	struct guard_fixture fx;

	ASSERT_EQ(fixture_open(&fx, progs, funcs), 0);
	ASSERT_EQ(run_pass(fx.target_fd, 1), 0);
	ASSERT_EQ(prog_dump(fx.target_fd, NULL, NULL, before, &lb), 0);
	link = attach_freplace(&fx, "on_fprobe");
	if (!link)
		FAIL("attach_freplace(on_fprobe): %s", strerror(errno));
	ASSERT_EQ(run_pass(fx.target_fd, 2), 0);
	ASSERT_TRUE(test_cleanup(link));
	ASSERT_EQ(run_pass(fx.target_fd, 2), 0);
	ASSERT_EQ(prog_dump(fx.target_fd, NULL, NULL, after, &la), 0);
	ASSERT_EQ(obs_var(fx.obs, "fprobe_hits"), 2);
	ASSERT_EQ(obs_var(fx.obs, "fprobe_a"), FRAME_LEN);
	ASSERT_EQ(obs_var(fx.obs, "fprobe_b"), 2 * FRAME_LEN);
	ASSERT_EQ(la, lb);
	if (memcmp(before, after, lb))
		FAIL("after detaching the image differs from before");
}

/* ...but only one program can replace a function at a time. */
TEST(second_freplace_of_a_function_probe_is_refused)
{
	const char *progs[] = { "on_fprobe", "on_fprobe_too", NULL };
	const char *funcs[] = { "fprobe", "fprobe" };
	struct guard_fixture fx;

	ASSERT_EQ(fixture_open(&fx, progs, funcs), 0);
	if (!attach_freplace(&fx, "on_fprobe"))
		FAIL("attach_freplace(on_fprobe): %s", strerror(errno));
	if (attach_freplace(&fx, "on_fprobe_too"))
		FAIL("a second freplace program of fprobe was attached");
	ASSERT_EQ(errno, EBUSY);
	ASSERT_EQ(run_pass(fx.target_fd, 1), 0);
	ASSERT_EQ(obs_var(fx.obs, "fprobe_hits"), 1);	/* the first still observes */
}

/* Guards flip while the target runs on the other CPU: every run returns
 * its verdict, the block runs whenever the guard is on, and the image is
 * the dormant one afterwards. */
TEST(guards_flip_while_the_target_runs_on_another_cpu)
{
	const char *progs[] = { "on_hashed", NULL }, *probes[] = { "hashed" };
	static unsigned char before[IMAGE_MAX], after[IMAGE_MAX];
	__u32 lb = sizeof(before), la = sizeof(after);
	struct cpu1_loop loop __cleanup(cpu1_loop_end) = { .ethertype = ETH_P_IP,
							   .verdict = XDP_PASS };
	struct guard_fixture fx;
	struct bpf_link *link;
	int i;

	ASSERT_EQ(fixture_open(&fx, progs, probes), 0);
	ASSERT_EQ(prog_dump(fx.target_fd, NULL, NULL, before, &lb), 0);
	loop.fd = fx.target_fd;
	ASSERT_EQ(cpu1_loop_start(&loop), 0);
	for (i = 0; i < 100; i++) {
		link = attach_sdt(&fx, "on_hashed");
		if (!link)
			FAIL("round %d", i);
		/* one run here at least, whatever CPU 1 manages meanwhile */
		ASSERT_EQ(run_pass(fx.target_fd, 1), 0);
		test_cleanup(link);
	}
	ASSERT_EQ(cpu1_loop_stop(&loop), 0);
	ASSERT_EQ(prog_dump(fx.target_fd, NULL, NULL, after, &la), 0);
	ASSERT_TRUE(block_runs(fx.target, 0) >= 100);
	ASSERT_EQ(la, lb);
	if (memcmp(before, after, lb))
		FAIL("after 100 rounds the image differs from before");
	printf("note: %lu runs on CPU 1 during 100 guard on/off rounds; %lld block runs\n",
	       loop.runs, block_runs(fx.target, 0));
}

/* A guard record must name a guard's three instructions. */
TEST(sdt_guard_must_name_a_guard)
{
	static char log[65536];
	const struct bpf_insn insns[] = {
		BPF_MOV64_IMM(BPF_REG_0, XDP_PASS), BPF_MOV64_IMM(BPF_REG_0, XDP_PASS),
		BPF_MOV64_IMM(BPF_REG_0, XDP_PASS), BPF_MOV64_IMM(BPF_REG_0, XDP_PASS),
		BPF_EXIT_INSN(),
	};
	struct bpf_sdt_guard_info guard = { .insn_off = 0 };
	struct btf *btf = btf__new_empty();
	int i32, proto, main_id, carrier, fd __cleanup(close_fdp) = -1;
	struct bpf_func_info fi;
	union bpf_attr attr;

	ASSERT_TRUE(btf != NULL);
	DEFER(btf__free, btf);
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(btf, i32);
	btf__add_func_param(btf, "ctx", btf__add_ptr(btf, 0));
	main_id = btf__add_func(btf, "main", BTF_FUNC_GLOBAL, proto);
	carrier = btf__add_func(btf, "___bpf_sdt_proto__p", BTF_FUNC_STATIC,
				btf__add_func_proto(btf, 0));
	ASSERT_TRUE(carrier > 0);
	ASSERT_EQ(btf__load_into_kernel(btf), 0);
	guard.btf_id = carrier;
	fi = (struct bpf_func_info){ .insn_off = 0, .type_id = main_id };
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (unsigned long)"GPL";
	attr.prog_btf_fd = btf__fd(btf);
	attr.func_info = (unsigned long)&fi;
	attr.func_info_cnt = 1;
	attr.func_info_rec_size = sizeof(fi);
	attr.log_buf = (unsigned long)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	attr.sdt_guards = (unsigned long)&guard;
	attr.sdt_guard_cnt = 1;
	attr.sdt_guard_rec_size = sizeof(guard);
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0)
		FAIL("a guard record naming four `r0 = 2` was accepted");
	ASSERT_EQ(errno, EINVAL);
	ASSERT_CONTAINS(log, "sdt guard 0: insns 0..3 are not");
}
