// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Guards (BPF_SDT_ENABLED): a dormant guarded block is not in the loaded
 * program at all, whoever loads it -- the guard's own three instruction
 * slots are all that is left -- and an armed copy runs the blocks of its
 * armed probes' guards, reading its own copy of the guards map and every
 * other map of the program's.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "arm/freplace.h"
#include "insn/emit.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "elf_mutate.h"
#include "live_helpers.h"
#include "netns.h"
#include "observer_helpers.h"
#include "test.h"

#define GUARDS_IN_GUARDED 2	/* guards of program `guarded` */
#define GUARD_SLOTS 3		/* r0 = <byte> ll (two slots); r0 = *(u8 *)(r0 + 0) */

static __u32 xlated_cnt(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return info.xlated_prog_len / sizeof(struct bpf_insn);
}

/* Calls of BPF functions in the translated program: the guarded block of
 * pkt_hash is the only code of `guarded` that calls one. */
static int xlated_pseudo_calls(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n = xlated_cnt(prog_fd), i;
	struct bpf_insn *insns = calloc(n ? n : 1, sizeof(*insns));
	int calls = 0;

	if (!insns)
		return -1;
	info.xlated_prog_len = n * sizeof(*insns);
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		free(insns);
		return -1;
	}
	for (i = 0; i < n; i++)
		calls += insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_CALL;
	free(insns);
	return calls;
}

static int prog_fd_of(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	return p ? bpf_program__fd(p) : -1;
}

static void expect_guards_cost_their_own_slots(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	int guarded, unguarded;

	ASSERT_TRUE(obj != NULL);
	if (bpf_object__load(obj)) {
		bpf_object__close(obj);
		FAIL("%s does not load with plain libbpf", path);
	}
	guarded = prog_fd_of(obj, "guarded");
	unguarded = prog_fd_of(obj, "unguarded");
	ASSERT_TRUE(guarded >= 0 && unguarded >= 0);
	ASSERT_EQ(xlated_cnt(guarded), xlated_cnt(unguarded) + GUARDS_IN_GUARDED * GUARD_SLOTS);
	ASSERT_EQ(xlated_pseudo_calls(guarded), 0);
	bpf_object__close(obj);
}

TEST(dormant_guards_leave_only_their_own_three_slots_at_every_cpu_level)
{
	REQUIRE_ROOT();
	ASSERT_OK_HELPER(expect_guards_cost_their_own_slots(corpus_path("guards")));
	ASSERT_OK_HELPER(expect_guards_cost_their_own_slots(corpus_variant_path("v1", "guards")));
	ASSERT_OK_HELPER(expect_guards_cost_their_own_slots(corpus_variant_path("v2", "guards")));
}

#define COST_BATCHES 7
#define COST_REPEAT 200000

/* The kernel's ns per run of prog_fd on a 100-byte frame: the best of one
 * batch of COST_REPEAT runs, 0 on error. */
static __u32 batch_ns(int prog_fd)
{
	unsigned char pkt[100] = { [12] = 0x08 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = COST_REPEAT);

	return bpf_prog_test_run_opts(prog_fd, &opts) ? 0 : opts.duration;
}

/* The other half of the proof: the dormant guarded program, loaded by plain
 * libbpf, runs as fast as the one without the blocks -- the best of batches
 * run in turns, within 15% or 3 ns (what two instructions and this shared
 * machine's noise allow; a guarded block left in costs a call and a hash of
 * 32 bytes, several times that). */
TEST(dormant_guarded_program_runs_as_fast_as_the_unguarded_one)
{
	struct bpf_object *obj = bpf_object__open_file(corpus_path("guards"), NULL);
	__u32 g = ~0u, u = ~0u, ns;
	int guarded, unguarded, i;

	REQUIRE_ROOT();
	ASSERT_TRUE(obj != NULL && !bpf_object__load(obj));
	guarded = prog_fd_of(obj, "guarded");
	unguarded = prog_fd_of(obj, "unguarded");
	for (i = 0; i < COST_BATCHES; i++) {
		ns = batch_ns(unguarded);
		ASSERT_NE(ns, 0);
		u = ns < u ? ns : u;
		ns = batch_ns(guarded);
		ASSERT_NE(ns, 0);
		g = ns < g ? ns : g;
	}
	printf("    dormant guarded %u ns per run, unguarded %u ns\n", g, u);
	if (g > u + 3 && g > u * 115 / 100)
		FAIL("the dormant guarded program runs in %u ns, the unguarded one in %u", g, u);
	bpf_object__close(obj);
}

/* FNV-1a of the first 32 bytes of run_packet()'s frame, as hash_bytes(). */
static __u32 expected_hash(size_t len)
{
	__u32 h = 2166136261u;
	size_t i;

	for (i = 0; i < len && i < 32; i++) {
		unsigned char b = i == 12 ? 0x08 : i == 13 ? 0x00 : (unsigned char)i;

		h = (h ^ b) * 16777619u;
	}
	return h;
}

static __u64 map_count(struct bpf_sdt_target *t, const char *map)
{
	struct bpf_map *m = bpf_object__find_map_by_name(bpf_sdt_target__object(t), map);
	__u32 key = 0;
	__u64 v = 0;

	if (!m || bpf_map_lookup_elem(bpf_map__fd(m), &key, &v))
		return (__u64)-1;
	return v;
}

TEST(armed_copy_runs_the_guarded_block_of_its_probe)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	__u64 args[12];

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("guards"), NULL);
	obs = observer_open("recorders");
	ASSERT_TRUE(t && obs);
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "rec2"),
					   "pkt_hash", observer_opts(obs)) != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "guarded"), 80), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "rec2_hits"), 1);
	ASSERT_EQ(observer_read_var(obs, "rec2_args", args, sizeof(args)), 0);
	ASSERT_EQ(args[0], expected_hash(80));
	ASSERT_EQ(args[1], 80);
	ASSERT_EQ(xlated_pseudo_calls(bpf_sdt_target__prog_fd(t, "guarded")), 2); /* + rec2 */
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(guards_of_probes_not_armed_stay_off)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("guards"), NULL);
	obs = observer_open("recorders");
	ASSERT_TRUE(t && obs);
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "rec1"),
					   "verdict", observer_opts(obs)) != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "guarded"), 80), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "rec1_hits"), 1);
	ASSERT_EQ(map_count(t, "pkts"), 1);
	ASSERT_EQ(map_count(t, "debug_hits"), 0); /* debug_count's block stayed out */
	ASSERT_EQ(xlated_pseudo_calls(bpf_sdt_target__prog_fd(t, "guarded")), 1); /* rec1 only */
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(guarded_debug_state_is_kept_in_the_programs_own_maps_while_armed)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	struct bpf_sdt_link *link;
	int i;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("guards"), NULL);
	obs = observer_open("recorders");
	ASSERT_TRUE(t && obs);
	link = bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "rec1"),
				      "debug_count", observer_opts(obs));
	ASSERT_TRUE(link != NULL);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "guarded"), 40), XDP_DROP);
	ASSERT_EQ(map_count(t, "debug_hits"), 3);
	ASSERT_EQ(map_count(t, "pkts"), 3);
	ASSERT_EQ(observer_var(obs, "rec1_hits"), 3);

	ASSERT_EQ(bpf_sdt_link__destroy(link), 0); /* the guard is off again */
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "guarded"), 40), XDP_DROP);
	ASSERT_EQ(map_count(t, "debug_hits"), 3);
	ASSERT_EQ(map_count(t, "pkts"), 4);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

static int prog_map_ids(int prog_fd, __u32 *ids, __u32 max)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	info.nr_map_ids = max;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -1;
	return (int)info.nr_map_ids;
}

static bool has_id(const __u32 *ids, int n, __u32 id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static __u32 map_id(struct bpf_sdt_target *t, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(bpf_sdt_target__object(t), name);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (!m || bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len))
		return 0;
	return info.id;
}

/* The kernel's word on it (procfs files have no size: read, not stat). */
static bool map_frozen(int map_fd)
{
	char path[64], text[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", map_fd);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return strstr(text, "frozen:\t1") != NULL;
}

TEST(armed_copy_shares_every_map_but_its_own_frozen_guards)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	__u32 orig[8], armed[8], guards_id = 0, zero = 0;
	int n_orig, n_armed, i, fd, ones = 0;
	unsigned char value[64] = {};
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("guards"), NULL);
	obs = observer_open("recorders");
	ASSERT_TRUE(t && obs);
	n_orig = prog_map_ids(bpf_sdt_target__prog_fd(t, "guarded"), orig, 8);
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "rec2"),
					   "pkt_hash", observer_opts(obs)) != NULL);
	n_armed = prog_map_ids(bpf_sdt_target__prog_fd(t, "guarded"), armed, 8);
	ASSERT_EQ(n_orig, 3); /* pkts, debug_hits, the guards */
	ASSERT_EQ(n_armed, 3 + 1); /* rec2's counters are the observer's own map */
	for (i = 0; i < n_armed; i++) {
		if (has_id(orig, n_orig, armed[i]))
			continue;
		fd = bpf_map_get_fd_by_id(armed[i]);
		ASSERT_TRUE(fd >= 0);
		ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
		if (info.map_flags & BPF_F_RDONLY_PROG) {
			ASSERT_EQ(guards_id, 0);
			guards_id = armed[i];
			ASSERT_TRUE(map_frozen(fd));
			ASSERT_TRUE(info.value_size <= sizeof(value));
			ASSERT_EQ(bpf_map_lookup_elem(fd, &zero, value), 0);
			for (__u32 b = 0; b < info.value_size; b++)
				ones += value[b];
		}
		close(fd);
	}
	ASSERT_NE(guards_id, 0);
	ASSERT_EQ(ones, 1); /* pkt_hash's byte, nothing else */
	/* the two maps of the program are the original's */
	ASSERT_TRUE(has_id(armed, n_armed, map_id(t, "pkts")));
	ASSERT_TRUE(has_id(armed, n_armed, map_id(t, "debug_hits")));
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(guarded_block_keeps_its_own_stack_frame_when_armed)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	__u64 args[12];

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("guards"), NULL);
	obs = observer_open("recorders");
	ASSERT_TRUE(t && obs);
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "rec2"),
					   "stack_sum", observer_opts(obs)) != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "big_frame"), 70), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "rec2_hits"), 2);
	ASSERT_EQ(observer_read_var(obs, "rec2_args", args, sizeof(args)), 0);
	/* the sum of the 64 slots the first site's arguments would have
	 * overwritten, had they been stored where the dormant frame ends */
	ASSERT_EQ(args[0], 70 * 2016);
	ASSERT_EQ(args[1], 70);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(guard_in_a_text_function_turns_on_in_the_program_calling_it)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	__u64 args[12];

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("guards"), NULL);
	obs = observer_open("recorders");
	ASSERT_TRUE(t && obs);
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "rec1"),
					   "sub_guarded", observer_opts(obs)) != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "calls_sub"), 61), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "rec1_hits"), 1);
	ASSERT_EQ(observer_read_var(obs, "rec1_args", args, sizeof(args)), 0);
	ASSERT_EQ(args[0], 61 * 3);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(counting_tracer_turns_the_guard_on_too)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	int i;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("guards"), NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "debug_count"));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "guarded"), 100), XDP_PASS);
	ASSERT_EQ(probe_hits(tr, t, "debug_count"), 5);
	ASSERT_EQ(map_count(t, "debug_hits"), 5);
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
}

/* The findings of `check` in mode on program prog of guards_check, one
 * line each; their count in *cnt. */
static void guards_check_findings(enum bpf_sdt_check_mode mode, const char *prog, size_t *cnt,
				  char *text, size_t size)
{
	LIBBPF_OPTS(bpf_sdt_target_opts, topts, .offline = mode == BPF_SDT_CHECK_OFFLINE);
	LIBBPF_OPTS(bpf_sdt_check_opts, opts, .mode = mode);
	struct bpf_sdt_target *t;
	struct bpf_sdt_check *c;
	size_t i, len = 0;

	*cnt = 0;
	text[0] = '\0';
	t = bpf_sdt_target__open_file(corpus_path("guards_check"), &topts);
	ASSERT_TRUE(t != NULL);
	c = bpf_sdt_target__check(t, &opts);
	ASSERT_TRUE(c != NULL);
	for (i = 0; i < bpf_sdt_check__finding_cnt(c); i++) {
		const struct bpf_sdt_finding *f = bpf_sdt_check__finding(c, i);

		if (strcmp(f->prog, prog))
			continue;
		(*cnt)++;
		len += snprintf(text + len, len < size ? size - len : 0, "%s%s\n",
				f->warning ? "warning: " : "", f->message);
	}
	bpf_sdt_check__free(c);
	bpf_sdt_target__close(t);
}

static void expect_checked_inside_guards(enum bpf_sdt_check_mode mode)
{
	char text[2048];
	size_t cnt;

	ASSERT_OK_HELPER(guards_check_findings(mode, "bad_inside_a_guard", &cnt, text,
					       sizeof(text)));
	ASSERT_EQ(cnt, 1);
	ASSERT_CONTAINS(text, "probe number, argument 0 (unsigned long): r");
	ASSERT_CONTAINS(text, " holds a packet pointer, a scalar is required");
	ASSERT_FALSE(strstr(text, "warning: "));
	ASSERT_OK_HELPER(guards_check_findings(mode, "good_inside_a_guard", &cnt, text,
					       sizeof(text)));
	ASSERT_STREQ(text, "");
}

TEST(check_kernel_reaches_sites_inside_guarded_blocks)
{
	REQUIRE_ROOT();
	expect_checked_inside_guards(BPF_SDT_CHECK_KERNEL);
}

TEST(check_offline_reaches_sites_inside_guarded_blocks)
{
	expect_checked_inside_guards(BPF_SDT_CHECK_OFFLINE);
}

/* --- list --- */

TEST(list_shows_each_guard_and_where_its_block_starts)
{
	char *argv[] = { (char *)bpfsdt_bin(), "list", (char *)corpus_path("guards"), NULL };
	struct cmd_result r;

	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, ": 5 probes, 7 sites\n");
	ASSERT_CONTAINS(r.out, "  pkt_hash(__u32, int): 1 site, 1 guard\n");
	ASSERT_CONTAINS(r.out, "  stack_sum(__u32, int): 2 sites, 1 guard\n");
	ASSERT_CONTAINS(r.out, "  verdict(int): 2 sites\n"); /* no guard, no mention */
	ASSERT_CONTAINS(r.out, "    guard guarded insn ");
	ASSERT_CONTAINS(r.out, "    guard sub insn 0 (.text insn ");
	ASSERT_CONTAINS(r.out, "), block at insn ");
	cmd_result_free(&r);
}

TEST(list_json_gives_guards_only_to_probes_that_have_them)
{
	char *argv[] = { (char *)bpfsdt_bin(), "--json", "list", (char *)corpus_path("guards"),
			 NULL };
	struct cmd_result r;

	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"guards\": [{\"function\": \"big_frame\", \"section\": \"xdp\", "
			"\"insn\": ");
	ASSERT_CONTAINS(r.out, "\"block_insn\": ");
	ASSERT_TRUE(strstr(r.out, "{\"name\": \"verdict\"") != NULL);
	ASSERT_TRUE(strstr(strstr(r.out, "{\"name\": \"verdict\""), "\"guards\"") == NULL);
	ASSERT_TRUE(strstr(r.out, "function_probe") == NULL);
	cmd_result_free(&r);
}

/* What discovery says of each guard, checked against the raw instructions
 * of its section: the load of a guard byte, its read, the jump. */
TEST(each_guard_points_at_its_three_instructions)
{
	struct bpf_sdt_object *obj = bpf_sdt_object__open_file(corpus_path("guards"), NULL);
	struct mutant m;
	size_t i;

	ASSERT_TRUE(obj != NULL);
	ASSERT_EQ(bpf_sdt_object__guard_cnt(obj), 4);
	ASSERT_EQ(mutant_load(&m, corpus_path("guards")), 0);
	for (i = 0; i < bpf_sdt_object__guard_cnt(obj); i++) {
		const struct bpf_sdt_guard *g = bpf_sdt_object__guard(obj, i);
		long at = mutant_section_offset(&m, bpf_sdt_guard__section(g)) +
			  8L * bpf_sdt_guard__section_insn(g);

		ASSERT_EQ(m.buf[at], BPF_LD | BPF_IMM | BPF_DW);
		ASSERT_EQ(m.buf[at + 1], 0);			/* r0 */
		ASSERT_EQ(m.buf[at + 16], BPF_LDX | BPF_MEM | BPF_B);
		ASSERT_EQ(m.buf[at + 24], BPF_JMP | BPF_JNE | BPF_K);
		ASSERT_EQ(bpf_sdt_guard__block_insn(g),
			  bpf_sdt_guard__insn(g) + 4 + (short)(m.buf[at + 26] | m.buf[at + 27] << 8));
	}
	mutant_free(&m);
	bpf_sdt_object__close(obj);
}

/* --- malformed guard notes: one line naming the guard, nothing listed --- */

#define GUARD_NOTES ".bpf_sdt_guard_notes"

/* The probe of the first guard entry (its symbol, minus prefix and uid). */
static void first_guard_probe(struct mutant *m, char *buf, size_t size)
{
	const char *sym = mutant_symbol_at(m, GUARD_NOTES, 0);
	const char *name = sym ? sym + strlen("___sdt_guard_") : "?";

	snprintf(buf, size, "%.*s", (int)strcspn(name, "."), name);
}

TEST(list_rejects_a_guard_note_that_points_past_the_guards_load)
{
	long notes, code;
	unsigned long long insn;
	char probe[64], msg[256];
	struct mutant m;

	ASSERT_EQ(mutant_load(&m, corpus_path("guards")), 0);
	first_guard_probe(&m, probe, sizeof(probe));
	notes = mutant_section_offset(&m, GUARD_NOTES);
	insn = mutant_get64(&m, notes) / 8;
	mutant_put64(&m, notes, (insn + 1) * 8); /* the ld_imm64's second half */
	code = mutant_section_offset(&m, "xdp");
	ASSERT_TRUE(code > 0);
	snprintf(msg, sizeof(msg), "guard of probe %s at xdp insn %llu: not 'r0 = <guard> ll' (code 0x00)",
		 probe, insn + 1);
	mutant_expect_refused(&m, "guard_past_load.o", msg);
}

TEST(list_rejects_a_guard_that_reads_another_probes_byte)
{
	char probe[64], msg[256];
	unsigned long long insn;
	long notes, ld;
	unsigned int off;
	struct mutant m;

	ASSERT_EQ(mutant_load(&m, corpus_path("guards")), 0);
	first_guard_probe(&m, probe, sizeof(probe));
	notes = mutant_section_offset(&m, GUARD_NOTES);
	insn = mutant_get64(&m, notes) / 8;
	ld = mutant_section_offset(&m, "xdp") + 8 * (long)insn;
	off = mutant_get32(&m, ld + 4) ^ 1; /* the neighbouring byte: another probe's */
	mutant_put32(&m, ld + 4, off);
	snprintf(msg, sizeof(msg), "guard of probe %s at xdp insn %llu: reads "
		 ".rodata.bpf_sdt_guards+0x%x, which is not ___bpf_sdt_guard__%s", probe, insn, off,
		 probe);
	mutant_expect_refused(&m, "guard_other_byte.o", msg);
}

TEST(list_rejects_a_guard_entry_no_symbol_marks)
{
	const char *sym;
	struct mutant m;
	long at;

	ASSERT_EQ(mutant_load(&m, corpus_path("guards")), 0);
	sym = mutant_symbol_at(&m, GUARD_NOTES, 0);
	ASSERT_TRUE(sym != NULL);
	at = mutant_find_in_section(&m, ".strtab", sym, strlen(sym) + 1);
	ASSERT_TRUE(at > 0);
	m.buf[at] = 'x'; /* no longer ___sdt_guard_... */
	mutant_expect_refused(&m, "guard_unmarked.o",
			      GUARD_NOTES "+0x0: no ___sdt_guard_<probe> symbol marks this entry");
}

/* --- a live program, loaded by iproute2 --- */

#define GUARDS_OBJ TEST_BUILD_DIR "/tests/bpf/guards.bpf.o"

static __u32 unguarded_xlated_cnt(void)
{
	struct bpf_object *obj = bpf_object__open_file(GUARDS_OBJ, NULL);
	__u32 n = 0;

	if (obj && !bpf_object__load(obj))
		n = xlated_cnt(prog_fd_of(obj, "unguarded"));
	bpf_object__close(obj);
	return n;
}

static void live_guards_body(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	__u64 pkts, debug, hits;
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u32 orig_id;
	int fd;

	orig_id = xdp_prog_id(net->ifindex);
	ASSERT_NE(orig_id, 0);
	fd = bpf_prog_get_fd_by_id(orig_id);
	ASSERT_TRUE(fd >= 0);
	/* what iproute2 loaded carries its guards' six slots and no block */
	ASSERT_EQ(xlated_cnt(fd), unguarded_xlated_cnt() + GUARDS_IN_GUARDED * GUARD_SLOTS);
	ASSERT_EQ(xlated_pseudo_calls(fd), 0);
	close(fd);

	t = bpf_sdt_target__open_xdp(GUARDS_OBJ, net->ifindex, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "debug_count"));
	ASSERT_NE(xdp_prog_id(net->ifindex), orig_id);
	pkts = map_count(t, "pkts");
	debug = map_count(t, "debug_hits");
	ASSERT_EQ(testnet_ping(net, 20, "0.01"), 0);
	hits = probe_hits(tr, t, "debug_count");
	pkts = map_count(t, "pkts") - pkts;
	ASSERT_TRUE(pkts >= 20);
	/* every packet went through the block, into the running program's map */
	ASSERT_EQ(map_count(t, "debug_hits") - debug, pkts);
	ASSERT_EQ(hits, pkts);
	bpf_sdt_tracer__free(tr);
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig_id);
	debug = map_count(t, "debug_hits");
	ASSERT_EQ(testnet_ping(net, 5, "0.01"), 0);
	ASSERT_EQ(map_count(t, "debug_hits"), debug); /* off again */
	bpf_sdt_target__close(t);
}

TEST(live_guard_of_a_program_iproute2_loaded_turns_on_while_traced)
{
	struct testnet net;

	REQUIRE_ROOT();
	if (testnet_up(&net, 181))
		FAIL("cannot create the test network");
	if (testnet_attach_xdp(&net, GUARDS_OBJ, "xdp") || testnet_enter(&net)) {
		testnet_down(&net);
		FAIL("cannot attach guards.bpf.o with iproute2");
	}
	live_guards_body(&net);
	testnet_leave(&net);
	testnet_down(&net);
}

/* --- function probes (BPF_SDT_FUNCn) --- */

TEST(function_probe_is_listed_with_its_guard_and_site)
{
	char *argv[] = { (char *)bpfsdt_bin(), "list", (char *)corpus_path("func_probe"), NULL };
	struct cmd_result r;

	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "  fprobe(int, int): 1 site, 1 guard (function probe)\n");
	cmd_result_free(&r);
}

TEST(dormant_function_probe_makes_no_call)
{
	struct bpf_object *obj = bpf_object__open_file(corpus_path("func_probe"), NULL);

	REQUIRE_ROOT();
	ASSERT_TRUE(obj && !bpf_object__load(obj));
	ASSERT_EQ(xlated_pseudo_calls(prog_fd_of(obj, "calls_fprobe")), 0);
	bpf_object__close(obj);
}

/* Where freplace is refused (this host: no EXT programs), the site next to
 * the call is relinked like any other, its guard turned on. */
TEST(function_probe_is_relinked_with_its_guard_on)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;
	__u64 args[12];

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("func_probe"), NULL);
	obs = observer_open("recorders");
	ASSERT_TRUE(t && obs);
	ASSERT_TRUE(bpf_sdt_probe__is_func(bpf_sdt_object__find_probe(bpf_sdt_target__probes(t),
								       "fprobe")));
	ASSERT_TRUE(bpf_sdt_target__attach(t, bpf_object__find_program_by_name(obs, "rec2"),
					   "fprobe", observer_opts(obs)) != NULL);
	ASSERT_EQ(run_packet(bpf_sdt_target__prog_fd(t, "calls_fprobe"), 70), XDP_PASS);
	ASSERT_EQ(observer_var(obs, "rec2_hits"), 1);
	ASSERT_EQ(observer_read_var(obs, "rec2_args", args, sizeof(args)), 0);
	ASSERT_EQ(args[0], 70);
	ASSERT_EQ(args[1], 140);
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

/* bpfsdt's freplace mode asks this host's kernel for the extension of a
 * function probe's function: the extension is built (its BTF, the target's
 * with the observer's, loads), the kernel refuses the EXT program (EPERM
 * here), and the caller is told to observe the probe at its site. */
TEST(freplace_refused_by_the_kernel_falls_back_to_the_site)
{
	struct bpf_insn ret0[] = { BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN() };
	struct bpf_func_info fi = { 0, 0 };
	struct sdt_prog_capture code = { .insns = ret0, .insn_cnt = 2, .func_info = &fi,
					 .func_info_cnt = 1,
					 .func_info_rec_size = sizeof(fi) };
	struct sdt_native_code c = { .name = "obs", .code = &code, .has_btf = true,
				     .license = "GPL" };
	struct bpf_sdt_target *t;
	struct btf *cbtf;
	size_t i;
	int prog_fd = -1, u64p, proto;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("func_probe"), NULL);
	cbtf = btf__new_empty();
	ASSERT_TRUE(t && cbtf);
	u64p = btf__add_ptr(cbtf, btf__add_int(cbtf, "unsigned long long", 8, 0));
	proto = btf__add_func_proto(cbtf, btf__add_int(cbtf, "int", 4, BTF_INT_SIGNED));
	ASSERT_EQ(btf__add_func_param(cbtf, "ctx", u64p), 0);
	fi.type_id = (__u32)btf__add_func(cbtf, "obs", BTF_FUNC_GLOBAL, proto);
	ASSERT_TRUE((int)fi.type_id > 0);
	for (i = 0; i < t->prog_cnt && strcmp(t->progs[i].name, "calls_fprobe"); i++)
		;
	ASSERT_TRUE(i < t->prog_cnt);
	ASSERT_FALSE(t->progs[i].native);
	ASSERT_EQ(sdt_freplace_link(t, &t->progs[i],
				    bpf_sdt_object__find_probe(bpf_sdt_target__probes(t), "fprobe"),
				    &c, cbtf, &prog_fd), -EAGAIN);
	ASSERT_EQ(prog_fd, -1);
	btf__free(cbtf);
	bpf_sdt_target__close(t);
}

static void prog_tag_of(__u32 id, __u8 tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	memset(tag, 0, BPF_TAG_SIZE);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
		memcpy(tag, info.tag, BPF_TAG_SIZE);
	if (fd >= 0)
		close(fd);
}

/* A tracer whose guardian died with it left an armed copy with a guard on:
 * it reads its own guards map, and reset still proves it stands in for the
 * ELF's program (the mark names that map) and puts the dormant one back. */
static void reset_guarded_body(struct testnet *net)
{
	char *trace[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "trace",
			  "--xdp", "v0", GUARDS_OBJ, "debug_count", NULL };
	char *reset[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "reset",
			  "--xdp", "v0", GUARDS_OBJ, NULL };
	__u8 dormant[BPF_TAG_SIZE], now[BPF_TAG_SIZE];
	__u32 orig = xdp_prog_id(net->ifindex);
	struct cmd_result r;
	struct cmd_proc p;
	int tries, status;

	prog_tag_of(orig, dormant);
	ASSERT_EQ(cmd_start(trace, &p), 0);
	ASSERT_EQ(cmd_wait_err(&p, "Ctrl-C to", 10000), 0);
	for (tries = 0; tries < 500 && xdp_prog_id(net->ifindex) == orig; tries++)
		usleep(10000);
	ASSERT_NE(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(cmd_kill_with_guardian(&p, &r), 0); /* nobody restores */
	cmd_result_free(&r);
	ASSERT_NE(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(run_cmd(reset, &r), 0);
	status = r.status;
	if (status)
		fprintf(stdout, "    reset said: %s", r.err);
	cmd_result_free(&r);
	ASSERT_EQ(status, 0);
	prog_tag_of(xdp_prog_id(net->ifindex), now);
	ASSERT_TRUE(!memcmp(now, dormant, BPF_TAG_SIZE));
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
}

TEST(reset_puts_back_the_dormant_program_after_an_armed_copy_with_a_guard_on)
{
	struct testnet net;

	REQUIRE_ROOT();
	if (testnet_up(&net, 182))
		FAIL("cannot create the test network");
	if (testnet_attach_xdp(&net, GUARDS_OBJ, "xdp") || testnet_enter(&net)) {
		testnet_down(&net);
		FAIL("cannot attach guards.bpf.o with iproute2");
	}
	reset_guarded_body(&net);
	testnet_leave(&net);
	testnet_down(&net);
}
