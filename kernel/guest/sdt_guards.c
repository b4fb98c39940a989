// SPDX-License-Identifier: GPL-2.0
/* Guest tests of SDT guards (patches 6-9): BPF_SDT_ENABLED() as static
 * branches. The tree's libbpf passes each guard at load; the verifier
 * follows the block and the path past it, the JIT emits a 5-byte NOP, and
 * linking an observer to the probe -- or replacing a function probe's
 * no-op function with an freplace program -- pokes it into a jump to the
 * block until the last one goes.
 */
#define _GNU_SOURCE
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
#include "runner.h"
#include "sdt_guards.h"
#include "guest_util.h"

#define FRAME_LEN 64	/* xdp_test_run()'s frame */

struct guard_fixture {
	struct bpf_object *target, *obs;
	int target_fd;
};

static struct bpf_object *open_load(const char *file, int target_fd, const char *const *progs,
				    const char *const *funcs, char *log, size_t log_size)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = log,
		    .kernel_log_size = log_size, .kernel_log_level = log ? 1 : 0);
	struct bpf_object *obj = bpf_object__open_file(obj_path(file), &opts);
	struct bpf_program *prog;
	int err, i;

	if (!obj) {
		test_fail("open %s: %s", file, strerror(errno));
		return NULL;
	}
	bpf_object__for_each_program(prog, obj) {
		bool wanted = !progs;

		for (i = 0; progs && progs[i]; i++) {
			if (strcmp(bpf_program__name(prog), progs[i]))
				continue;
			wanted = true;
			err = bpf_program__set_attach_target(prog, target_fd, funcs[i]);
			if (err) {
				test_fail("set_attach_target(%s, \"%s\"): %s", progs[i], funcs[i],
					  strerror(-err));
				bpf_object__close(obj);
				return NULL;
			}
		}
		bpf_program__set_autoload(prog, wanted);
	}
	err = bpf_object__load(obj);
	if (err) {
		if (!log)
			test_fail("load %s: %s", file, strerror(-err));
		bpf_object__close(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

static int fixture_open(struct guard_fixture *fx, const char *const *progs,
			const char *const *funcs)
{
	memset(fx, 0, sizeof(*fx));
	fx->target = open_load("guard_target.bpf.o", 0, NULL, NULL, NULL, 0);
	if (!fx->target)
		return -1;
	fx->target_fd = bpf_program__fd(bpf_object__find_program_by_name(fx->target,
									  "guard_target"));
	if (!progs)
		return 0;
	fx->obs = open_load("guard_observers.bpf.o", fx->target_fd, progs, funcs, NULL, 0);
	if (!fx->obs) {
		bpf_object__close(fx->target);
		return -1;
	}
	return 0;
}

static void fixture_close(struct guard_fixture *fx)
{
	bpf_object__close(fx->obs);
	bpf_object__close(fx->target);
}

static long long block_runs(struct bpf_object *target, __u32 key)
{
	struct bpf_map *map = bpf_object__find_map_by_name(target, "blocks");
	__u64 v;

	if (!map || bpf_map_lookup_elem(bpf_map__fd(map), &key, &v))
		return test_fail("blocks[%u]: %s", key, strerror(errno));
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
		return test_fail("reading the observers' .bss: %s", strerror(errno));
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name))
			return (long long)*(__u64 *)((char *)value + vs->offset);
	}
	return test_fail("no variable %s", name);
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

/* JAs in the xlated program: how many read `goto +0` -- every guard that is
 * off and every site, as the verifier removes all other `goto +0` -- and
 * how many jump (on guards, but also the program's own jumps). */
static int xlated_jas(int fd, int *off, int *on)
{
	static struct bpf_insn xlated[4096];
	static unsigned char jited[65536];
	__u32 xcnt = 4096, jlen = sizeof(jited), i;

	if (prog_dump(fd, xlated, &xcnt, jited, &jlen))
		return -1;
	*off = *on = 0;
	for (i = 0; i < xcnt; i++) {
		if (xlated[i].code != (BPF_JMP | BPF_JA))
			continue;
		if (xlated[i].off)
			(*on)++;
		else
			(*off)++;
	}
	return 0;
}

static int run_pass(int fd, int times)
{
	int i;

	for (i = 0; i < times; i++)
		if (xdp_test_run(fd, ETH_P_IP, 1, NULL) != XDP_PASS)
			return test_fail("the target did not return XDP_PASS");
	return 0;
}

/* Dormant: each guard is a 5-byte NOP the program runs past, and its block
 * was verified and kept (the stock verifier would have removed it). */
int test_guard_is_a_nop5_and_its_block_is_kept_while_off(void)
{
	static unsigned char jited[65536];
	static struct bpf_insn xlated[4096];
	__u32 jlen = sizeof(jited), xcnt = 4096, i;
	struct guard_fixture fx;
	int off, on, calls = 0, err = -1;

	if (fixture_open(&fx, NULL, NULL))
		return -1;
	if (run_pass(fx.target_fd, 3) || prog_dump(fx.target_fd, xlated, &xcnt, jited, &jlen) ||
	    xlated_jas(fx.target_fd, &off, &on))
		goto out;
	for (i = 0; i < xcnt; i++)
		calls += xlated[i].code == (BPF_JMP | BPF_CALL) &&
			 xlated[i].src_reg == BPF_PSEUDO_CALL;
	if (calls != 2) {
		test_fail("%d calls of BPF functions in the program, expected hash_bytes and fprobe",
			  calls);
		goto out;
	}
	/* 3 guards and 3 sites, all `goto +0` */
	if (off != 6) {
		test_fail("%d `goto +0`, expected 6 (3 guards, 3 sites)", off);
		goto out;
	}
	if (block_runs(fx.target, 0) != 0 || block_runs(fx.target, 1) != 0) {
		test_fail("a guarded block ran while its guard was off");
		goto out;
	}
	err = 0;
out:
	fixture_close(&fx);
	return err;
}

/* Linking an observer to `hashed` turns its guard on: the block runs (its
 * costly argument reaches the observer), the other guards stay off. */
int test_linking_an_observer_turns_its_probes_guard_on(void)
{
	const char *progs[] = { "on_hashed", NULL }, *probes[] = { "hashed" };
	static unsigned char before[65536], during[65536];
	__u32 lb = sizeof(before), ld = sizeof(during);
	struct bpf_link *link = NULL;
	struct guard_fixture fx;
	int off, on, err = -1;

	if (fixture_open(&fx, progs, probes))
		return -1;
	if (prog_dump(fx.target_fd, NULL, NULL, before, &lb))
		goto out;
	link = bpf_program__attach_sdt(bpf_object__find_program_by_name(fx.obs, "on_hashed"));
	if (!link) {
		test_fail("attach_sdt(on_hashed): %s", strerror(errno));
		goto out;
	}
	if (run_pass(fx.target_fd, 3) || prog_dump(fx.target_fd, NULL, NULL, during, &ld) ||
	    xlated_jas(fx.target_fd, &off, &on))
		goto out;
	if (block_runs(fx.target, 0) != 3 || block_runs(fx.target, 1) != 0) {
		test_fail("blocks ran %lld and %lld times, expected 3 and 0",
			  block_runs(fx.target, 0), block_runs(fx.target, 1));
		goto out;
	}
	if (obs_var(fx.obs, "hashed_hits") != 3 || obs_var(fx.obs, "hashed_h") != frame_hash() ||
	    obs_var(fx.obs, "hashed_len") != FRAME_LEN) {
		test_fail("observer: %lld hits, h %#llx (expected %#x), len %lld",
			  obs_var(fx.obs, "hashed_hits"), obs_var(fx.obs, "hashed_h"),
			  frame_hash(), obs_var(fx.obs, "hashed_len"));
		goto out;
	}
	/* the site became a call and the guard a jump: two NOPs fewer; the
	 * xlated guard jumps too (the site stays `goto +0` there) */
	if (count_nop5(during, ld) != count_nop5(before, lb) - 2 || off != 5) {
		test_fail("linked: %d 5-byte NOPs (was %d), %d `goto +0` (expected 5)",
			  count_nop5(during, ld), count_nop5(before, lb), off);
		goto out;
	}
	err = 0;
out:
	bpf_link__destroy(link);
	fixture_close(&fx);
	return err;
}

/* The last unlink turns the guard off again: the block stops running and
 * the JITed image is the dormant one byte for byte. */
int test_unlinking_turns_the_guard_off_and_restores_the_image(void)
{
	const char *progs[] = { "on_hashed", NULL }, *probes[] = { "hashed" };
	static unsigned char before[65536], after[65536];
	__u32 lb = sizeof(before), la = sizeof(after);
	struct bpf_link *link;
	struct guard_fixture fx;
	int err = -1;

	if (fixture_open(&fx, progs, probes))
		return -1;
	if (prog_dump(fx.target_fd, NULL, NULL, before, &lb))
		goto out;
	link = bpf_program__attach_sdt(bpf_object__find_program_by_name(fx.obs, "on_hashed"));
	if (!link) {
		test_fail("attach_sdt(on_hashed): %s", strerror(errno));
		goto out;
	}
	if (run_pass(fx.target_fd, 1))
		goto out;
	bpf_link__destroy(link);
	if (run_pass(fx.target_fd, 2) || prog_dump(fx.target_fd, NULL, NULL, after, &la))
		goto out;
	if (block_runs(fx.target, 0) != 1 || obs_var(fx.obs, "hashed_hits") != 1) {
		test_fail("after unlinking the block ran (%lld runs, %lld hits)",
			  block_runs(fx.target, 0), obs_var(fx.obs, "hashed_hits"));
		goto out;
	}
	if (la != lb || memcmp(before, after, lb)) {
		test_fail("after unlinking the image differs from before linking");
		goto out;
	}
	err = 0;
out:
	fixture_close(&fx);
	return err;
}

/* A guarded block that reads the packet unchecked loads on a stock kernel
 * (it is dead code there); as a static branch the verifier follows it and
 * refuses the program. */
int test_verifier_follows_the_block_of_a_guard(void)
{
	static char log[1 << 16];
	struct bpf_object *obj;

	log[0] = '\0';
	obj = open_load("guard_bad.bpf.o", 0, NULL, NULL, log, sizeof(log));
	if (obj) {
		bpf_object__close(obj);
		return test_fail("guard_bad.bpf.o loaded: its guarded block was not verified");
	}
	if (!strstr(log, "invalid access to packet"))
		return test_fail("refused, but the log does not say why: %.200s", log);
	return 0;
}

/* Alexei's alternative: replacing the function probe's no-op function
 * with an freplace program turns its guard on, so the call is made and
 * reaches the replacement with its arguments; detaching turns it off. */
int test_freplace_of_a_function_probe_turns_its_guard_on(void)
{
	const char *progs[] = { "on_fprobe", NULL }, *funcs[] = { "fprobe" };
	static unsigned char before[65536], after[65536];
	__u32 lb = sizeof(before), la = sizeof(after);
	struct bpf_link *link;
	struct guard_fixture fx;
	int err = -1;

	if (fixture_open(&fx, progs, funcs))
		return -1;
	if (run_pass(fx.target_fd, 1) || prog_dump(fx.target_fd, NULL, NULL, before, &lb))
		goto out;
	link = bpf_program__attach_freplace(bpf_object__find_program_by_name(fx.obs, "on_fprobe"),
					    fx.target_fd, "fprobe");
	if (!link) {
		test_fail("attach_freplace(on_fprobe): %s", strerror(errno));
		goto out;
	}
	if (run_pass(fx.target_fd, 2))
		goto out;
	bpf_link__destroy(link);
	if (run_pass(fx.target_fd, 2) || prog_dump(fx.target_fd, NULL, NULL, after, &la))
		goto out;
	if (obs_var(fx.obs, "fprobe_hits") != 2 || obs_var(fx.obs, "fprobe_a") != FRAME_LEN ||
	    obs_var(fx.obs, "fprobe_b") != 2 * FRAME_LEN) {
		test_fail("freplace program: %lld hits (expected 2), a %lld, b %lld",
			  obs_var(fx.obs, "fprobe_hits"), obs_var(fx.obs, "fprobe_a"),
			  obs_var(fx.obs, "fprobe_b"));
		goto out;
	}
	if (la != lb || memcmp(before, after, lb)) {
		test_fail("after detaching the image differs from before");
		goto out;
	}
	err = 0;
out:
	fixture_close(&fx);
	return err;
}

/* ...but only one program can replace a function at a time. */
int test_second_freplace_of_a_function_probe_is_refused(void)
{
	const char *progs[] = { "on_fprobe", "on_fprobe_too", NULL };
	const char *funcs[] = { "fprobe", "fprobe" };
	struct bpf_link *first, *second;
	struct guard_fixture fx;
	int err = -1;

	if (fixture_open(&fx, progs, funcs))
		return -1;
	first = bpf_program__attach_freplace(bpf_object__find_program_by_name(fx.obs, "on_fprobe"),
					     fx.target_fd, "fprobe");
	second = bpf_program__attach_freplace(bpf_object__find_program_by_name(fx.obs,
									       "on_fprobe_too"),
					      fx.target_fd, "fprobe");
	if (!first)
		test_fail("attach_freplace(on_fprobe): %s", strerror(errno));
	else if (second)
		test_fail("a second freplace program of fprobe was attached");
	else if (errno != EBUSY)
		test_fail("the second freplace program: %s, expected EBUSY", strerror(errno));
	else if (run_pass(fx.target_fd, 1) == 0 && obs_var(fx.obs, "fprobe_hits") == 1)
		err = 0;
	else
		test_fail("the first freplace program stopped observing");
	bpf_link__destroy(second);
	bpf_link__destroy(first);
	fixture_close(&fx);
	return err;
}

/* Guards flip while the target runs on the other CPU: every run returns
 * its verdict, the block runs whenever the guard is on, and the image is
 * the dormant one afterwards. */
int test_guards_flip_while_the_target_runs_on_another_cpu(void)
{
	const char *progs[] = { "on_hashed", NULL }, *probes[] = { "hashed" };
	static unsigned char before[65536], after[65536];
	__u32 lb = sizeof(before), la = sizeof(after);
	struct cpu1_loop loop = { .ethertype = ETH_P_IP, .verdict = XDP_PASS };
	struct guard_fixture fx;
	int i, err = -1;

	if (fixture_open(&fx, progs, probes))
		return -1;
	if (prog_dump(fx.target_fd, NULL, NULL, before, &lb))
		goto out;
	loop.fd = fx.target_fd;
	if (cpu1_loop_start(&loop))
		goto out;
	for (i = 0; i < 100; i++) {
		struct bpf_link *link = bpf_program__attach_sdt(
			bpf_object__find_program_by_name(fx.obs, "on_hashed"));

		if (!link) {
			test_fail("round %d: %s", i, strerror(errno));
			break;
		}
		/* one run here at least, whatever CPU 1 manages meanwhile */
		if (run_pass(fx.target_fd, 1)) {
			bpf_link__destroy(link);
			break;
		}
		bpf_link__destroy(link);
	}
	if (cpu1_loop_stop(&loop) || i < 100 || prog_dump(fx.target_fd, NULL, NULL, after, &la))
		goto out;
	if (block_runs(fx.target, 0) < 100) {
		test_fail("the block ran %lld times in 100 rounds", block_runs(fx.target, 0));
		goto out;
	}
	if (la != lb || memcmp(before, after, lb)) {
		test_fail("after 100 rounds the image differs from before");
		goto out;
	}
	printf("note: %lu runs on CPU 1 during 100 guard on/off rounds; %lld block runs\n",
	       loop.runs, block_runs(fx.target, 0));
	err = 0;
out:
	fixture_close(&fx);
	return err;
}

/* A guard record must name a guard's three instructions. */
int test_sdt_guard_must_name_a_guard(void)
{
	static char log[65536];
	const struct bpf_insn pass = { .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = XDP_PASS };
	const struct bpf_insn insns[] = { pass, pass, pass, pass, { .code = BPF_JMP | BPF_EXIT } };
	struct bpf_sdt_guard_info guard = { .insn_off = 0 };
	struct btf *btf = btf__new_empty();
	int i32, proto, main_id, carrier, fd;
	struct bpf_func_info fi;
	union bpf_attr attr;

	if (!btf)
		return test_fail("btf__new_empty: %s", strerror(errno));
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	proto = btf__add_func_proto(btf, i32);
	btf__add_func_param(btf, "ctx", btf__add_ptr(btf, 0));
	main_id = btf__add_func(btf, "main", BTF_FUNC_GLOBAL, proto);
	carrier = btf__add_func(btf, "___bpf_sdt_proto__p", BTF_FUNC_STATIC,
				btf__add_func_proto(btf, 0));
	if (carrier < 0 || btf__load_into_kernel(btf)) {
		btf__free(btf);
		return test_fail("building the test BTF: %s", strerror(errno));
	}
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
	btf__free(btf);
	if (fd >= 0) {
		close(fd);
		return test_fail("a guard record naming four `r0 = 2` was accepted");
	}
	if (errno != EINVAL || !strstr(log, "sdt guard 0: insns 0..3 are not"))
		return test_fail("refused with %s, log: %.200s", strerror(errno), log);
	return 0;
}
