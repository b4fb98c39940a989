// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A live target shares the running program's state by identity: the maps
 * the kernel says the running program uses, never maps found by name. The
 * firewall of tests/bpf/identity_fw.h runs on a veth, loaded by a libbpf
 * loader that set its policy in .rodata (UDP blocked, where the ELF's
 * default blocks ICMP, so a fresh .rodata would drop the pings). Each test
 * sends pings with no observer, then the same pings traced, and compares
 * the verdicts, the firewall's counters (.bss, .data, two maps whose names
 * share their first 15 characters) and the maps the armed copy uses.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fw_loader.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "live_helpers.h"
#include "mutate_elf.h"
#include "netns.h"
#include "test.h"

static const char *fw_path(const char *variant)
{
	return corpus_path(variant);
}

/* The same, with path relative to dir (the process's directory meanwhile). */
static void expect_tracing_from_dir_changes_nothing(struct testnet *net, struct fw_loader *l,
						    const char *dir, const char *path)
{
	char cwd[PATH_MAX];

	ASSERT_TRUE(getcwd(cwd, sizeof(cwd)) != NULL);
	ASSERT_EQ(chdir(dir), 0);
	fw_expect_tracing_changes_nothing(net, l, path);
	if (chdir(cwd))
		FAIL("cannot return to %s", cwd);
}

static void bare_name_body(struct testnet *net, struct fw_loader *l)
{
	ASSERT_TRUE(fw_pings_pass(net)); /* the loader's policy, not the ELF's */
	expect_tracing_from_dir_changes_nothing(net, l, TEST_BUILD_DIR "/tests/bpf",
						"identity_fw.bpf.o");
}

TEST(live_elf_named_by_a_bare_file_name_shares_the_running_programs_state)
{
	fw_run(40, fw_path("identity_fw"), IPPROTO_UDP, true, bare_name_body);
}

static void dot_slash_body(struct testnet *net, struct fw_loader *l)
{
	expect_tracing_from_dir_changes_nothing(net, l, TEST_BUILD_DIR "/tests/bpf",
						"./identity_fw.bpf.o");
}

TEST(live_elf_named_by_a_dot_slash_path_shares_the_running_programs_state)
{
	fw_run(41, fw_path("identity_fw"), IPPROTO_UDP, true, dot_slash_body);
}

static void symlink_body(struct testnet *net, struct fw_loader *l)
{
	char target[PATH_MAX], dir[PATH_MAX];

	ASSERT_TRUE(realpath(fw_path("identity_fw"), target) != NULL);
	snprintf(dir, sizeof(dir), "%s", scratch_path(""));
	unlink(scratch_path("fw"));
	ASSERT_EQ(symlink(target, scratch_path("fw")), 0);
	expect_tracing_from_dir_changes_nothing(net, l, dir, "fw");
	unlink(scratch_path("fw"));
}

TEST(live_elf_named_through_a_symlink_with_another_name_shares_the_running_programs_state)
{
	fw_run(42, fw_path("identity_fw"), IPPROTO_UDP, true, symlink_body);
}

/* identity_fw.bpf.c compiled by clang-19 into the scratch directory. */
static const char *clang19_fw(void)
{
	static char out[512];
	char *argv[] = { "clang-19", "-O2", "-g", "-Wall", "-target", "bpf", "-mcpu=v3",
			 "-Iinclude", "-I/usr/include/" TEST_MULTIARCH, "-c",
			 "tests/bpf/identity_fw.bpf.c", "-o", out, NULL };
	struct cmd_result r;
	int ok;

	snprintf(out, sizeof(out), "%s", scratch_path("identity_fw_clang19.bpf.o"));
	if (access("/usr/bin/clang-19", X_OK) || run_cmd(argv, &r))
		return NULL;
	ok = r.status == 0;
	cmd_result_free(&r);
	return ok ? out : NULL;
}

static void clang19_body(struct testnet *net, struct fw_loader *l)
{
	expect_tracing_from_dir_changes_nothing(net, l, TEST_BUILD_DIR "/tests/scratch",
						"./identity_fw_clang19.bpf.o");
}

TEST(live_clang19_build_named_by_a_relative_path_shares_the_running_programs_state)
{
	const char *obj = clang19_fw();

	if (!obj)
		SKIP("clang-19 is not installed");
	fw_run(43, obj, IPPROTO_UDP, true, clang19_body);
}

static void drop_body(struct testnet *net, struct fw_loader *l)
{
	ASSERT_FALSE(fw_pings_pass(net));
	fw_expect_tracing_changes_nothing(net, l, fw_path("identity_fw"));
}

TEST(live_maps_sharing_their_first_15_characters_keep_their_own_counts)
{
	/* passes go to per_verdict_count_pass (the pings, UDP blocked) ... */
	fw_run(44, fw_path("identity_fw"), IPPROTO_UDP, false, bare_name_body);
	if (TEST_STOPPED())
		return;
	/* ... and drops to per_verdict_count_drop (ICMP blocked) */
	fw_run(45, fw_path("identity_fw"), IPPROTO_ICMP, false, drop_body);
}

static void swapped_body(struct testnet *net, struct fw_loader *l)
{
	fw_expect_tracing_changes_nothing(net, l, fw_path("identity_fw_swapped"));
}

TEST(live_elf_with_swapped_map_names_counts_in_the_maps_the_code_uses)
{
	fw_run(46, fw_path("identity_fw"), IPPROTO_UDP, false, swapped_body);
}

/* path must be refused with -ESTALE and a line containing message, the
 * hook and the firewall's state untouched. */
static void expect_refused(struct testnet *net, struct fw_loader *l, const char *path,
			   const char *message)
{
	struct fw_state s0, s1;
	struct bpf_sdt_target *t;
	const char *diag;

	ASSERT_EQ(fw_read(l, &s0), 0);
	diag_capture_begin();
	errno = 0;
	t = bpf_sdt_target__open_xdp(path, net->ifindex, NULL);
	diag_capture_end();
	diag = diag_captured();
	ASSERT_TRUE(t == NULL);
	ASSERT_EQ(errno, ESTALE);
	ASSERT_CONTAINS(diag, message);
	ASSERT_CONTAINS(diag, "nothing changed\n");
	ASSERT_TRUE(strchr(diag, '\n') == diag + strlen(diag) - 1); /* one line */
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
	ASSERT_TRUE(fw_pings_pass(net));
	ASSERT_EQ(fw_read(l, &s1), 0);
	ASSERT_EQ(s1.packets_seen - s0.packets_seen, FW_PINGS);
	ASSERT_EQ(s1.pass_packets - s0.pass_packets, FW_PINGS);
}

static void wide_body(struct testnet *net, struct fw_loader *l)
{
	char msg[256];

	snprintf(msg, sizeof(msg),
		 "its map per_verdict_count_drop (array, key 4, value 16) is where the running program uses map id %u per_verdict_cou (array, key 4, value 8)",
		 l->drop_id);
	expect_refused(net, l, fw_path("identity_fw_wide"), msg);
}

TEST(live_refuses_an_elf_whose_map_has_another_size_and_changes_nothing)
{
	fw_run(47, fw_path("identity_fw"), IPPROTO_UDP, false, wide_body);
}

static void cross_body(struct testnet *net, struct fw_loader *l)
{
	char msg[256];

	/* the same tag and first references: only the last reference differs */
	snprintf(msg, sizeof(msg), "is map id %u + 0, the running program's is map id %u + 0",
		 l->drop_id, l->pass_id);
	expect_refused(net, l, fw_path("identity_fw_cross"), msg);
}

TEST(live_refuses_an_elf_using_another_map_at_one_instruction_and_changes_nothing)
{
	fw_run(48, fw_path("identity_fw"), IPPROTO_UDP, false, cross_body);
}

static void second_session_body(struct testnet *net, struct fw_loader *l)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t, *second;
	char msg[256];
	__u32 armed;

	t = bpf_sdt_target__open_xdp(fw_path("identity_fw"), net->ifindex, NULL);
	tr = t ? bpf_sdt_tracer__new(t, &topts) : NULL;
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "fw_verdict"));
	armed = xdp_prog_id(net->ifindex);
	diag_capture_begin();
	errno = 0;
	second = bpf_sdt_target__open_xdp(fw_path("identity_fw"), net->ifindex, NULL);
	diag_capture_end();
	ASSERT_TRUE(second == NULL);
	ASSERT_EQ(errno, EBUSY);
	snprintf(msg, sizeof(msg),
		 ": the hook is taken: program identity_fw (id %u) there is an armed copy (probes fw_verdict) of session pid %d (running), since ",
		 armed, (int)getpid());
	ASSERT_CONTAINS(diag_captured(), msg);
	ASSERT_CONTAINS(diag_captured(), "; see 'bpfsdt status'\n");
	ASSERT_EQ(xdp_prog_id(net->ifindex), armed);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
}

TEST(live_second_session_on_a_taken_hook_is_told_which_session_holds_it)
{
	fw_run(49, fw_path("identity_fw"), IPPROTO_UDP, false, second_session_body);
}

static void status_body(struct testnet *net, struct fw_loader *l)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_XDP, .ifindex = net->ifindex);
	LIBBPF_OPTS(bpf_sdt_hook_status, st);
	struct bpf_prog_info info = {};
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u32 len = sizeof(info);
	int fd;

	fd = bpf_prog_get_fd_by_id(l->prog_id);
	ASSERT_TRUE(fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len));
	close(fd);
	ASSERT_EQ(bpf_sdt_hook__status(&hook, 0, &st), 1);
	ASSERT_EQ(st.prog_id, l->prog_id);
	ASSERT_STREQ(st.prog_name, "identity_fw");
	ASSERT_FALSE(st.armed);
	t = bpf_sdt_target__open_xdp(fw_path("identity_fw"), net->ifindex, NULL);
	tr = t ? bpf_sdt_tracer__new(t, &topts) : NULL;
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "fw_verdict"));
	ASSERT_EQ(bpf_sdt_hook__status(&hook, 0, &st), 1);
	ASSERT_EQ(st.prog_id, xdp_prog_id(net->ifindex));
	ASSERT_TRUE(st.armed);
	ASSERT_EQ(st.orig_prog_id, l->prog_id);
	ASSERT_TRUE(!memcmp(st.orig_tag, info.tag, sizeof(st.orig_tag)));
	ASSERT_EQ(st.session_pid, getpid());
	ASSERT_TRUE(st.session_running);
	ASSERT_TRUE(st.since <= (__u64)time(NULL) && st.since + 60 >= (__u64)time(NULL));
	ASSERT_STREQ(st.probes, "fw_verdict");
	ASSERT_EQ(bpf_sdt_hook__status(&hook, 1, &st), 1); /* no second program */
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	ASSERT_EQ(bpf_sdt_hook__status(&hook, 0, &st), 1);
	ASSERT_FALSE(st.armed);
	ASSERT_EQ(st.prog_id, l->prog_id);
}

TEST(hook_status_tells_the_original_from_an_armed_copy_and_names_its_session)
{
	fw_run(50, fw_path("identity_fw"), IPPROTO_UDP, false, status_body);
}

static void no_func_info_body(struct testnet *net, struct fw_loader *l)
{
	struct bpf_sdt_target *t;
	const char *path;
	struct mutant m;

	/* the same code without .BTF.ext: libbpf loads it without func_info */
	ASSERT_EQ(mutant_load(&m, fw_path("identity_fw")), 0);
	ASSERT_TRUE(mutant_rename_section(&m, ".BTF.ext", ".BTF.exu"));
	path = mutant_save(&m, "identity_fw_no_ext.bpf.o");
	mutant_free(&m);
	ASSERT_TRUE(path != NULL);
	diag_capture_begin();
	errno = 0;
	t = bpf_sdt_target__open_xdp(path, net->ifindex, NULL);
	diag_capture_end();
	ASSERT_TRUE(t == NULL);
	ASSERT_EQ(errno, EOPNOTSUPP);
	ASSERT_CONTAINS(diag_captured(), ": program identity_fw has no BTF function info: its armed copies could not carry the mark 'bpfsdt reset' and 'status' read; not armed on a live hook\n");
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
}

TEST(live_refuses_to_arm_a_program_without_btf_function_info)
{
	fw_run(51, fw_path("identity_fw"), IPPROTO_UDP, false, no_func_info_body);
}

/* A dispatcher tail-calling through a prog array its ELF fills itself
 * (libbpf writes the slot when it loads the object), compiled into the
 * scratch directory: libbpf's gen loader refuses such objects, so it
 * cannot be in the corpus (the offline check prepares every object). */
static const char *prefilled_source =
	"#include \"common.h\"\n"
	"BPF_SDT_DECLARE1(dispatched, unsigned int);\n"
	"int filled_target(struct xdp_md *ctx);\n"
	"struct {\n"
	"	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);\n"
	"	__uint(max_entries, 1);\n"
	"	__type(key, __u32);\n"
	"	__array(values, int (void *));\n"
	"} filled SEC(\".maps\") = { .values = { [0] = (void *)&filled_target } };\n"
	"SEC(\"xdp\") int filled_target(struct xdp_md *ctx) { return XDP_PASS; }\n"
	"SEC(\"xdp\") int filled_dispatch(struct xdp_md *ctx)\n"
	"{\n"
	"	BPF_SDT_PROBE1(dispatched, xdp_len(ctx));\n"
	"	bpf_tail_call(ctx, &filled, 0);\n"
	"	return XDP_PASS;\n"
	"}\n"
	"char LICENSE[] SEC(\"license\") = \"GPL\";\n";

static const char *build_prefilled(void)
{
	static char out[512], src[512];
	char *argv[] = { TEST_CLANG, "-O2", "-g", "-target", "bpf", "-Iinclude", "-Itests/bpf",
			 "-I/usr/include/" TEST_MULTIARCH, "-c", src, "-o", out, NULL };
	struct cmd_result r;
	FILE *f;
	int ok;

	snprintf(src, sizeof(src), "%s", scratch_path("prefilled.bpf.c"));
	snprintf(out, sizeof(out), "%s", scratch_path("prefilled.bpf.o"));
	f = fopen(src, "w");
	if (!f || fputs(prefilled_source, f) < 0 || fclose(f) || run_cmd(argv, &r))
		return NULL;
	ok = r.status == 0;
	cmd_result_free(&r);
	return ok ? out : NULL;
}

static void prefilled_check(struct testnet *net, struct bpf_object *obj, const char *path)
{
	int map_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "filled"));
	__u32 slot = slot_id(map_fd), running = xdp_prog_id(net->ifindex);
	struct bpf_sdt_target *t;

	ASSERT_NE(slot, 0);
	diag_capture_begin();
	errno = 0;
	t = bpf_sdt_target__open_xdp(path, net->ifindex, NULL);
	diag_capture_end();
	if (t)
		bpf_sdt_target__close(t);
	ASSERT_TRUE(t == NULL);
	ASSERT_EQ(errno, EOPNOTSUPP);
	ASSERT_CONTAINS(diag_captured(), ": prog array filled is filled from the ELF (values = { ... }): loading it would put rebuilt programs into the running one; not supported on a live hook\n");
	ASSERT_EQ(slot_id(map_fd), slot); /* still the loader's program */
	ASSERT_EQ(xdp_prog_id(net->ifindex), running);
	ASSERT_TRUE(fw_pings_pass(net));
}

TEST(live_refuses_an_elf_that_fills_a_prog_array_the_running_program_uses)
{
	struct bpf_object *obj = NULL;
	libbpf_print_fn_t print;
	struct testnet net;
	const char *path;
	bool loaded;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	path = build_prefilled();
	ASSERT_TRUE(path != NULL);
	if (testnet_up(&net, 52))
		FAIL("cannot create the test network");
	/* quiet: libbpf retries the prog array without BTF, and says so */
	print = libbpf_set_print(NULL);
	loaded = !testnet_enter(&net) && (obj = bpf_object__open_file(path, NULL)) &&
		 !bpf_object__load(obj);
	libbpf_set_print(print);
	if (loaded && !bpf_xdp_attach(net.ifindex,
				      bpf_program__fd(bpf_object__find_program_by_name(obj,
										 "filled_dispatch")),
				      0, NULL))
		prefilled_check(&net, obj, path);
	else
		test_fail(__FILE__, __LINE__, "cannot load the dispatcher");
	bpf_xdp_detach(net.ifindex, 0, NULL);
	bpf_object__close(obj);
	testnet_down(&net);
}

static void force_body(struct testnet *net, struct fw_loader *l)
{
	LIBBPF_OPTS(bpf_sdt_live_opts, lopts, .force = true);
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	struct fw_state s0, s1;
	const char *path;
	struct mutant m;
	long xdp;

	/* `proto = 0` becomes `proto = 1`: other code, the same maps */
	ASSERT_EQ(mutant_load(&m, fw_path("identity_fw")), 0);
	xdp = mutant_section_offset(&m, "xdp");
	ASSERT_TRUE(m.buf[xdp] == (BPF_ALU | BPF_MOV | BPF_K) && !m.buf[xdp + 4]);
	m.buf[xdp + 4] = 1;
	path = mutant_save(&m, "identity_fw_proto1.bpf.o");
	mutant_free(&m);
	ASSERT_TRUE(path != NULL);
	diag_capture_begin();
	t = bpf_sdt_target__open_xdp(path, net->ifindex, &lopts);
	diag_capture_end();
	ASSERT_TRUE(t != NULL);
	ASSERT_CONTAINS(diag_captured(), "differs from the running program's");
	ASSERT_CONTAINS(diag_captured(), "continuing (--force): its maps are bound by their order only\n");
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "fw_verdict"));
	ASSERT_TRUE(fw_maps_used_by(l, xdp_prog_id(net->ifindex))); /* never fresh maps */
	ASSERT_EQ(fw_read(l, &s0), 0);
	ASSERT_TRUE(fw_pings_pass(net));
	ASSERT_EQ(fw_read(l, &s1), 0);
	ASSERT_EQ(s1.packets_seen - s0.packets_seen, FW_PINGS);
	ASSERT_EQ(s1.pass_packets - s0.pass_packets, FW_PINGS);
	ASSERT_EQ(probe_hits(tr, t, "fw_verdict"), FW_PINGS);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
}

TEST(live_force_arms_other_code_on_the_running_programs_maps)
{
	fw_run(53, fw_path("identity_fw"), IPPROTO_UDP, false, force_body);
}
