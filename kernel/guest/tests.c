// SPDX-License-Identifier: GPL-2.0
/* Guest tests: real programs loaded into the guest kernel with the tree's
 * libbpf.  Each test is independent: it opens, loads and frees its own
 * objects, so one failure does not cascade.
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
#include "runner.h"
#include "sdt_sites.h"
#include "sdt_observers.h"
#include "bpfsdt_cli.h"
#include "sdt_guards.h"
#include "guest_util.h"

/* Value of slot 0 of a one-entry u64 array map; -1 (with a reason) on error. */
static long long read_counter(struct bpf_object *obj, const char *map_name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, map_name);
	__u32 key = 0;
	__u64 value;

	if (!map)
		return test_fail("map %s not found", map_name);
	if (bpf_map_lookup_elem(bpf_map__fd(map), &key, &value))
		return test_fail("lookup in map %s: %s", map_name, strerror(errno));
	return (long long)value;
}

/* Opens and loads xdp_count.bpf.o; returns the object and its program's fd. */
static struct bpf_object *load_xdp_count(int *prog_fd)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int err;

	obj = bpf_object__open_file(obj_path("xdp_count.bpf.o"), NULL);
	if (!obj) {
		test_fail("open %s: %s", obj_path("xdp_count.bpf.o"), strerror(errno));
		return NULL;
	}
	err = bpf_object__load(obj);
	if (err) {
		test_fail("load xdp_count.bpf.o: %s", strerror(-err));
		bpf_object__close(obj);
		return NULL;
	}
	prog = bpf_object__find_program_by_name(obj, "xdp_count");
	if (!prog) {
		test_fail("program xdp_count not found");
		bpf_object__close(obj);
		return NULL;
	}
	*prog_fd = bpf_program__fd(prog);
	return obj;
}

/* (a) XDP program loads; test runs return its verdicts; its map counts every run. */
static int test_xdp_test_run_verdict_and_count(void)
{
	struct bpf_object *obj;
	int fd, ret, err = -1;
	long long n;

	obj = load_xdp_count(&fd);
	if (!obj)
		return -1;

	ret = xdp_test_run(fd, ETH_P_IP, 5, NULL);
	if (ret < 0)
		goto out;
	if (ret != XDP_DROP) {
		test_fail("IPv4 frame: retval %d, expected XDP_DROP (%d)", ret, XDP_DROP);
		goto out;
	}
	ret = xdp_test_run(fd, ETH_P_ARP, 3, NULL);
	if (ret < 0)
		goto out;
	if (ret != XDP_PASS) {
		test_fail("ARP frame: retval %d, expected XDP_PASS (%d)", ret, XDP_PASS);
		goto out;
	}
	n = read_counter(obj, "packets");
	if (n < 0)
		goto out;
	if (n != 8) {
		test_fail("packets counter is %lld after 5 + 3 runs, expected 8", n);
		goto out;
	}
	err = 0;
out:
	bpf_object__close(obj);
	return err;
}

/* (b) fentry program attached to the XDP program fires once per test run, and
 * no more after its link is destroyed.  Needs the BPF trampoline, BTF and
 * a JIT: this is the test the host cannot run.
 */
static int test_fentry_on_xdp_fires(void)
{
	struct bpf_object *xdp_obj, *obs_obj = NULL;
	struct bpf_program *obs;
	struct bpf_link *link = NULL;
	int xdp_fd, ret, err = -1;
	long long n;

	xdp_obj = load_xdp_count(&xdp_fd);
	if (!xdp_obj)
		return -1;

	obs_obj = bpf_object__open_file(obj_path("fentry_xdp.bpf.o"), NULL);
	if (!obs_obj) {
		test_fail("open %s: %s", obj_path("fentry_xdp.bpf.o"), strerror(errno));
		goto out;
	}
	obs = bpf_object__find_program_by_name(obs_obj, "on_xdp_entry");
	if (!obs) {
		test_fail("program on_xdp_entry not found");
		goto out;
	}
	ret = bpf_program__set_attach_target(obs, xdp_fd, "xdp_count");
	if (ret) {
		test_fail("bpf_program__set_attach_target: %s", strerror(-ret));
		goto out;
	}
	ret = bpf_object__load(obs_obj);
	if (ret) {
		test_fail("load fentry_xdp.bpf.o: %s", strerror(-ret));
		goto out;
	}
	link = bpf_program__attach_trace(obs);
	if (!link) {
		test_fail("bpf_program__attach_trace: %s", strerror(errno));
		goto out;
	}

	ret = xdp_test_run(xdp_fd, ETH_P_IP, 7, NULL);
	if (ret < 0)
		goto out;
	if (ret != XDP_DROP) {
		test_fail("retval %d with fentry attached, expected XDP_DROP (%d)", ret, XDP_DROP);
		goto out;
	}
	n = read_counter(obs_obj, "entries");
	if (n < 0)
		goto out;
	if (n != 7) {
		test_fail("fentry fired %lld times for 7 test runs", n);
		goto out;
	}

	bpf_link__destroy(link);
	link = NULL;
	if (xdp_test_run(xdp_fd, ETH_P_IP, 1, NULL) < 0)
		goto out;
	n = read_counter(obs_obj, "entries");
	if (n < 0)
		goto out;
	if (n != 7) {
		test_fail("fentry fired after detach: %lld entries, expected 7", n);
		goto out;
	}
	err = 0;
out:
	bpf_link__destroy(link);
	bpf_object__close(obs_obj);
	bpf_object__close(xdp_obj);
	return err;
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
static int test_fentry_attach_and_detach_while_the_target_runs_on_another_cpu(void)
{
	static const struct bpf_insn ret0[] = {
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};
	struct cpu1_loop loop = { .ethertype = ETH_P_IP, .verdict = XDP_DROP };
	struct bpf_object *xdp_obj;
	struct btf *btf = NULL;
	int i, id, err = -1;

	xdp_obj = load_xdp_count(&loop.fd);
	if (!xdp_obj)
		return -1;
	btf = btf__load_from_kernel_by_id(prog_btf_id(loop.fd));
	id = btf ? btf__find_by_name_kind(btf, "xdp_count", BTF_KIND_FUNC) : -1;
	if (id <= 0) {
		test_fail("xdp_count's FUNC in its BTF: %s", strerror(errno));
		goto out;
	}
	if (cpu1_loop_start(&loop))
		goto out;
	/* a tracing program attaches once: a new one each round */
	for (i = 0; i < 1000; i++) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
			    .attach_prog_fd = loop.fd, .attach_btf_id = id);
		int prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "fentry_round", "GPL", ret0, 2,
					 &opts);
		int link = prog < 0 ? prog : bpf_link_create(prog, 0, BPF_TRACE_FENTRY, NULL);

		if (prog >= 0)
			close(prog);
		if (link < 0) {
			test_fail("round %d: %s", i, strerror(errno));
			break;
		}
		close(link);
	}
	if (cpu1_loop_stop(&loop) || i < 1000)
		goto out;
	printf("note: %lu runs on CPU 1 during 1000 fentry attach/detach rounds\n", loop.runs);
	err = 0;
out:
	btf__free(btf);
	bpf_object__close(xdp_obj);
	return err;
}

const struct guest_test guest_tests[] = {
	{ "xdp_test_run_verdict_and_count", test_xdp_test_run_verdict_and_count },
	{ "fentry_on_xdp_fires", test_fentry_on_xdp_fires },
	{ "fentry_attach_and_detach_while_the_target_runs_on_another_cpu",
	  test_fentry_attach_and_detach_while_the_target_runs_on_another_cpu },
	{ "sdt_site_keeps_its_nop_and_gets_a_nop5", test_sdt_site_keeps_its_nop_and_gets_a_nop5 },
	{ "sdt_site_follows_rewrites_before_it", test_sdt_site_follows_rewrites_before_it },
	{ "sdt_site_refuses_a_pointer_for_an_int", test_sdt_site_refuses_a_pointer_for_an_int },
	{ "sdt_site_refuses_a_maybe_null_pointer", test_sdt_site_refuses_a_maybe_null_pointer },
	{ "sdt_site_refuses_an_uninitialized_register",
	  test_sdt_site_refuses_an_uninitialized_register },
	{ "sdt_site_must_name_a_nop", test_sdt_site_must_name_a_nop },
	{ "rfc_example_observer_prints_len_and_ret", test_rfc_example_observer_prints_len_and_ret },
	{ "observer_sees_every_site_of_its_probe", test_observer_sees_every_site_of_its_probe },
	{ "observer_reads_the_site_id_and_its_link_cookie",
	  test_observer_reads_the_site_id_and_its_link_cookie },
	{ "observer_sees_each_of_32_sites", test_observer_sees_each_of_32_sites },
	{ "observers_of_one_probe_run_in_link_order", test_observers_of_one_probe_run_in_link_order },
	{ "link_detach_stops_an_observer", test_link_detach_stops_an_observer },
	{ "observer_reads_integers_of_each_width", test_observer_reads_integers_of_each_width },
	{ "observer_reads_pointer_arguments", test_observer_reads_pointer_arguments },
	{ "observer_reads_an_enum_argument", test_observer_reads_an_enum_argument },
	{ "unlinking_restores_the_jited_nops", test_unlinking_restores_the_jited_nops },
	{ "observer_reading_past_the_last_argument_is_refused", test_observer_reading_past_the_last_argument_is_refused },
	{ "observer_with_a_mismatched_prototype_is_refused", test_observer_with_a_mismatched_prototype_is_refused },
	{ "observer_of_a_function_that_is_no_probe_is_refused", test_observer_of_a_function_that_is_no_probe_is_refused },
	{ "same_observer_linked_twice_is_refused", test_same_observer_linked_twice_is_refused },
	{ "link_and_unlink_while_the_target_runs_on_another_cpu", test_link_and_unlink_while_the_target_runs_on_another_cpu },
	{ "target_and_observer_released_while_linked", test_target_and_observer_released_while_linked },
	{ "per_hit_cost_ratios", test_per_hit_cost_ratios },
	{ "guard_is_a_nop5_and_its_block_is_kept_while_off",
	  test_guard_is_a_nop5_and_its_block_is_kept_while_off },
	{ "linking_an_observer_turns_its_probes_guard_on",
	  test_linking_an_observer_turns_its_probes_guard_on },
	{ "unlinking_turns_the_guard_off_and_restores_the_image",
	  test_unlinking_turns_the_guard_off_and_restores_the_image },
	{ "verifier_follows_the_block_of_a_guard", test_verifier_follows_the_block_of_a_guard },
	{ "freplace_of_a_function_probe_turns_its_guard_on",
	  test_freplace_of_a_function_probe_turns_its_guard_on },
	{ "second_freplace_of_a_function_probe_is_refused",
	  test_second_freplace_of_a_function_probe_is_refused },
	{ "guards_flip_while_the_target_runs_on_another_cpu",
	  test_guards_flip_while_the_target_runs_on_another_cpu },
	{ "sdt_guard_must_name_a_guard", test_sdt_guard_must_name_a_guard },
	{ "design_comparison", test_design_comparison },
	{ "design_comparison_relinking", test_design_comparison_relinking },
	{ "bpfsdt_run_traces_the_rfc_example_in_the_kernel",
	  test_bpfsdt_run_traces_the_rfc_example_in_the_kernel },
	{ "bpfsdt_run_events_name_the_same_sites_as_relinking",
	  test_bpfsdt_run_events_name_the_same_sites_as_relinking },
	{ "bpfsdt_run_counts_in_the_kernel", test_bpfsdt_run_counts_in_the_kernel },
	{ "bpfsdt_run_turns_guards_on_in_the_kernel",
	  test_bpfsdt_run_turns_guards_on_in_the_kernel },
	{ "bpfsdt_run_links_a_compiled_observer_in_the_kernel",
	  test_bpfsdt_run_links_a_compiled_observer_in_the_kernel },
	{ "bpfsdt_run_observes_a_function_probe_by_freplace",
	  test_bpfsdt_run_observes_a_function_probe_by_freplace },
	{ "bpfsdt_run_relinks_a_program_with_a_six_argument_probe",
	  test_bpfsdt_run_relinks_a_program_with_a_six_argument_probe },
	{ "bpfsdt_trace_follows_a_live_xdp_program_without_swapping_it",
	  test_bpfsdt_trace_follows_a_live_xdp_program_without_swapping_it },
	{ NULL, NULL },
};
