// SPDX-License-Identifier: GPL-2.0
/* Guest tests: real programs loaded into the guest kernel with the tree's
 * libbpf.  Each test is independent: what it opens goes on its cleanup
 * list (test.h), so one failure does not cascade.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "insn/emit.h"
#include "guest.h"
#include "guest_util.h"

/* Value of slot 0 of a one-entry u64 array map; -1 (the test failed) on error. */
static long long read_counter(struct bpf_object *obj, const char *map_name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, map_name);
	__u32 key = 0;
	__u64 value;

	if (!map)
		return FAIL_NOTE("map %s not found", map_name), -1;
	if (bpf_map_lookup_elem(bpf_map__fd(map), &key, &value))
		return FAIL_NOTE("lookup in map %s: %s", map_name, strerror(errno)), -1;
	return (long long)value;
}

/* Opens and loads xdp_count.bpf.o (closed after the test); returns its
 * program's fd, or -1 (the test failed). */
static int load_xdp_count(struct bpf_object **objp)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path("xdp_count.bpf.o"), NULL);
	struct bpf_program *prog;
	int err;

	if (!obj)
		return FAIL_NOTE("open xdp_count.bpf.o: %s", strerror(errno)), -1;
	DEFER(bpf_object__close, obj);
	err = bpf_object__load(obj);
	if (err)
		return FAIL_NOTE("load xdp_count.bpf.o: %s", strerror(-err)), -1;
	prog = bpf_object__find_program_by_name(obj, "xdp_count");
	if (!prog)
		return FAIL_NOTE("program xdp_count not found"), -1;
	if (objp)
		*objp = obj;
	return bpf_program__fd(prog);
}

/* An XDP program loads; test runs return its verdicts; its map counts every run. */
TEST(xdp_test_run_verdict_and_count)
{
	struct bpf_object *obj;
	int fd = load_xdp_count(&obj);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(xdp_test_run(fd, ETH_P_IP, 5, NULL), XDP_DROP); /* IPv4 */
	ASSERT_EQ(xdp_test_run(fd, ETH_P_ARP, 3, NULL), XDP_PASS);
	ASSERT_EQ(read_counter(obj, "packets"), 8);
}

/* An fentry program attached to the XDP program fires once per test run,
 * and no more after its link is destroyed. Needs the BPF trampoline, BTF
 * and a JIT: this is the test the host cannot run. */
TEST(fentry_on_xdp_fires)
{
	struct bpf_object *obs_obj;
	struct bpf_program *obs;
	struct bpf_link *link;
	int xdp_fd = load_xdp_count(NULL), ret;

	ASSERT_TRUE(xdp_fd >= 0);
	obs_obj = bpf_object__open_file(obj_path("fentry_xdp.bpf.o"), NULL);
	if (!obs_obj)
		FAIL("open fentry_xdp.bpf.o: %s", strerror(errno));
	DEFER(bpf_object__close, obs_obj);
	obs = bpf_object__find_program_by_name(obs_obj, "on_xdp_entry");
	ASSERT_TRUE(obs != NULL);
	ret = bpf_program__set_attach_target(obs, xdp_fd, "xdp_count");
	ASSERT_EQ(ret, 0);
	ret = bpf_object__load(obs_obj);
	ASSERT_EQ(ret, 0);
	link = bpf_program__attach_trace(obs);
	if (!link)
		FAIL("bpf_program__attach_trace: %s", strerror(errno));
	DEFER(bpf_link__destroy, link);

	ASSERT_EQ(xdp_test_run(xdp_fd, ETH_P_IP, 7, NULL), XDP_DROP);
	ASSERT_EQ(read_counter(obs_obj, "entries"), 7);
	test_cleanup(link); /* destroyed: it fires no more */
	ASSERT_EQ(xdp_test_run(xdp_fd, ETH_P_IP, 1, NULL), XDP_DROP);
	ASSERT_EQ(read_counter(obs_obj, "entries"), 7);
}

/* Kernel id of a program's BTF, 0 if none. */
static __u32 prog_btf_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_prog_get_info_by_fd(fd, &info, &len) ? 0 : info.btf_id;
}

/* The stock kernel's own text poking under the same load as
 * link_and_unlink_while_the_target_runs_on_another_cpu: an fentry program
 * attached to and detached from the XDP program 1000 times (one poke at its
 * entry each way) while it runs on CPU 1. The baseline for that test: under
 * multi-threaded TCG both hit an int3 Oops (kernel/README.md). */
TEST(fentry_attach_and_detach_while_the_target_runs_on_another_cpu)
{
	static const struct bpf_insn ret0[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN(),
	};
	struct cpu1_loop loop __cleanup(cpu1_loop_end) = {
		.ethertype = ETH_P_IP, .verdict = XDP_DROP
	};
	struct btf *btf;
	int i, id;

	loop.fd = load_xdp_count(NULL);
	ASSERT_TRUE(loop.fd >= 0);
	btf = btf__load_from_kernel_by_id(prog_btf_id(loop.fd));
	DEFER(btf__free, btf);
	id = btf ? btf__find_by_name_kind(btf, "xdp_count", BTF_KIND_FUNC) : -1;
	if (id <= 0)
		FAIL("xdp_count's FUNC in its BTF: %s", strerror(errno));
	ASSERT_EQ(cpu1_loop_start(&loop), 0);
	/* a tracing program attaches once: a new one each round */
	for (i = 0; i < 1000; i++) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
			    .attach_prog_fd = loop.fd, .attach_btf_id = id);
		int prog __cleanup(close_fdp) = bpf_prog_load(BPF_PROG_TYPE_TRACING,
							      "fentry_round", "GPL", ret0, 2,
							      &opts);
		int link __cleanup(close_fdp) = prog < 0 ? prog :
			bpf_link_create(prog, 0, BPF_TRACE_FENTRY, NULL);

		if (link < 0)
			FAIL("round %d: %s", i, strerror(errno));
	}
	ASSERT_EQ(cpu1_loop_stop(&loop), 0);
	printf("note: %lu runs on CPU 1 during 1000 fentry attach/detach rounds\n", loop.runs);
}
