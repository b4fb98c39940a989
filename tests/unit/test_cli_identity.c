// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Armed copies are marked, and the commands act on the mark: reset puts
 * back only a marked copy of the ELF it is given once its session is gone,
 * on the maps the mark names; a second session on a taken hook is told
 * whose it is; status says what runs. The target is identity_fw loaded by a
 * libbpf loader that set its policy in .rodata (UDP blocked: the ELF's
 * default blocks ICMP), with the ELF named by a relative path; verdicts and
 * counters are compared with what the firewall does with no observer.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
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

#define FW_DIR TEST_BUILD_DIR "/tests/bpf"
#define FW_REL "identity_fw.bpf.o"

/* `ip netns exec <ns_a> sh -c 'cd <dir> && exec bpfsdt <args>'`: the
 * command's pid is bpfsdt's. */
static void ns_cmd(struct testnet *net, const char *dir, const char *args, char *buf, size_t size,
		   char *argv[8])
{
	char bin[PATH_MAX];

	if (!realpath(bpfsdt_bin(), bin))
		snprintf(bin, sizeof(bin), "%s", bpfsdt_bin());
	snprintf(buf, size, "cd %s && exec %s %s", dir, bin, args);
	argv[0] = "ip";
	argv[1] = "netns";
	argv[2] = "exec";
	argv[3] = net->ns_a;
	argv[4] = "sh";
	argv[5] = "-c";
	argv[6] = buf;
	argv[7] = NULL;
}

static int run_in(struct testnet *net, const char *args, struct cmd_result *r)
{
	char buf[PATH_MAX + 512], *argv[8];

	ns_cmd(net, FW_DIR, args, buf, sizeof(buf), argv);
	return run_cmd(argv, r);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* `bpfsdt trace --xdp v0 identity_fw.bpf.o fw_verdict` in the background,
 * until the armed copy runs. */
static void start_trace(struct testnet *net, struct cmd_proc *p)
{
	char buf[PATH_MAX + 512], *argv[8];
	__u32 orig = xdp_prog_id(net->ifindex);
	int tries;

	ns_cmd(net, FW_DIR, "trace --count --xdp v0 " FW_REL " fw_verdict", buf, sizeof(buf),
	       argv);
	ASSERT_EQ(cmd_start(argv, p), 0);
	for (tries = 0; tries < 500 && xdp_prog_id(net->ifindex) == orig; tries++)
		sleep_ms(10);
	ASSERT_NE(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(cmd_wait_err(p, "Ctrl-C to", 10000), 0);
}

/* A session gone with its guardian (both SIGKILLed): the armed copy stays
 * on the hook, which is what reset is for. */
static void kill_trace(struct cmd_proc *p)
{
	struct cmd_result r;

	ASSERT_EQ(cmd_kill_with_guardian(p, &r), 0);
	cmd_result_free(&r);
}

static void prog_tag(__u32 id, __u8 tag[BPF_TAG_SIZE])
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

/* FW_PINGS pings; the counters moved as they do without any observer. */
static void expect_pings_counted(struct testnet *net, struct fw_loader *l,
				 const struct fw_state *plain)
{
	struct fw_state s0, s1, d;

	ASSERT_EQ(fw_read(l, &s0), 0);
	ASSERT_TRUE(fw_pings_pass(net));
	ASSERT_EQ(fw_read(l, &s1), 0);
	d = fw_delta(&s0, &s1);
	ASSERT_EQ(d.blocked_proto, IPPROTO_UDP);
	ASSERT_EQ(d.packets_seen, plain->packets_seen);
	ASSERT_EQ(d.last_len, plain->last_len);
	ASSERT_EQ(d.data_counter, plain->data_counter);
	ASSERT_EQ(d.pass_packets, plain->pass_packets);
	ASSERT_EQ(d.pass_bytes, plain->pass_bytes);
	ASSERT_EQ(d.drop_packets, plain->drop_packets);
}

static void reset_keeps_state_body(struct testnet *net, struct fw_loader *l)
{
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_XDP, .ifindex = net->ifindex);
	LIBBPF_OPTS(bpf_sdt_hook_status, st);
	__u8 orig_tag[BPF_TAG_SIZE], tag[BPF_TAG_SIZE];
	struct fw_state s0, s1, plain;
	struct cmd_result r;
	struct cmd_proc p;

	prog_tag(l->prog_id, orig_tag);
	ASSERT_EQ(fw_read(l, &s0), 0);
	ASSERT_TRUE(fw_pings_pass(net)); /* the loader's policy */
	ASSERT_EQ(fw_read(l, &s1), 0);
	plain = fw_delta(&s0, &s1);
	ASSERT_OK_HELPER(start_trace(net, &p));
	ASSERT_OK_HELPER(expect_pings_counted(net, l, &plain));
	ASSERT_OK_HELPER(kill_trace(&p));
	ASSERT_OK_HELPER(expect_pings_counted(net, l, &plain)); /* the orphaned copy */
	ASSERT_EQ(run_in(net, "reset --xdp v0 " FW_REL, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.err, "the dormant program from " FW_REL " runs on v0\n");
	cmd_result_free(&r);
	/* the original is gone: a rebuild, unmarked, on the very same maps */
	ASSERT_EQ(bpf_sdt_hook__status(&hook, 0, &st), 1);
	ASSERT_FALSE(st.armed);
	prog_tag(st.prog_id, tag);
	ASSERT_TRUE(!memcmp(tag, orig_tag, BPF_TAG_SIZE));
	ASSERT_TRUE(fw_maps_used_by(l, st.prog_id));
	ASSERT_OK_HELPER(expect_pings_counted(net, l, &plain));
}

TEST(reset_after_sigkill_keeps_the_loader_set_policy_and_the_programs_state)
{
	fw_run(70, corpus_path("identity_fw"), IPPROTO_UDP, true, reset_keeps_state_body);
}

static void reset_original_body(struct testnet *net, struct fw_loader *l)
{
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(start_trace(net, &p));
	ASSERT_OK_HELPER(kill_trace(&p));
	ASSERT_NE(xdp_prog_id(net->ifindex), l->prog_id);
	ASSERT_EQ(run_in(net, "reset --xdp v0 " FW_REL, &r), 0);
	ASSERT_EQ(r.status, 0);
	cmd_result_free(&r);
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
	ASSERT_TRUE(fw_pings_pass(net));
}

TEST(reset_puts_back_the_very_original_while_its_loader_still_holds_it)
{
	fw_run(71, corpus_path("identity_fw"), IPPROTO_UDP, false, reset_original_body);
}

/* identity_fw with one constant changed: another tag, the same maps. */
static const char *other_fw(char *path, size_t size)
{
	struct mutant m;
	const char *saved;
	long xdp;

	if (mutant_load(&m, corpus_path("identity_fw")))
		return NULL;
	xdp = mutant_section_offset(&m, "xdp");
	while (m.buf[xdp] != (BPF_ALU64 | BPF_MOV | BPF_K) &&
	       m.buf[xdp] != (BPF_ALU | BPF_MOV | BPF_K))
		xdp += 8; /* the first `rX = imm` */
	m.buf[xdp + 4] ^= 1;
	saved = mutant_save(&m, "identity_fw_other.bpf.o");
	mutant_free(&m);
	if (!saved || !realpath(saved, path))
		return NULL;
	(void)size;
	return path;
}

/* `bpfsdt reset` with args: exit 2, one line containing message, the hook
 * as it was. */
static void expect_reset_refused(struct testnet *net, const char *args, const char *message)
{
	__u32 before = xdp_prog_id(net->ifindex);
	struct cmd_result r;

	ASSERT_EQ(run_in(net, args, &r), 0);
	ASSERT_EQ(r.status, 2);
	ASSERT_CONTAINS(r.err, message);
	ASSERT_TRUE(strchr(r.err, '\n') == r.err + strlen(r.err) - 1);
	ASSERT_STREQ(r.out, "");
	cmd_result_free(&r);
	ASSERT_EQ(xdp_prog_id(net->ifindex), before);
}

static void reset_other_elf_body(struct testnet *net, struct fw_loader *l)
{
	char other[PATH_MAX], args[PATH_MAX + 32];
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_TRUE(other_fw(other, sizeof(other)) != NULL);
	snprintf(args, sizeof(args), "reset --xdp v0 %s", other);
	ASSERT_OK_HELPER(start_trace(net, &p));
	ASSERT_OK_HELPER(kill_trace(&p));
	ASSERT_OK_HELPER(expect_reset_refused(net, args, "stands in for a program with tag "));
	ASSERT_TRUE(fw_pings_pass(net)); /* the orphaned copy, still working */
	ASSERT_EQ(run_in(net, "reset --xdp v0 " FW_REL, &r), 0);
	ASSERT_EQ(r.status, 0);
	cmd_result_free(&r);
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
}

TEST(reset_refuses_the_armed_copy_of_another_elf)
{
	fw_run(72, corpus_path("identity_fw"), IPPROTO_UDP, false, reset_other_elf_body);
}

static void reset_unmarked_body(struct testnet *net, struct fw_loader *l)
{
	char other[PATH_MAX], args[PATH_MAX + 32];
	struct cmd_result r;

	ASSERT_TRUE(other_fw(other, sizeof(other)) != NULL);
	snprintf(args, sizeof(args), "reset --xdp v0 %s", other);
	ASSERT_OK_HELPER(expect_reset_refused(net, args, "on the hook is no armed copy (it carries no bpfsdt mark) and not what this ELF builds"));
	/* with its own ELF: nothing to do, nothing replaced */
	ASSERT_EQ(run_in(net, "reset --xdp v0 " FW_REL, &r), 0);
	ASSERT_EQ(r.status, 0);
	cmd_result_free(&r);
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
}

TEST(reset_refuses_a_program_without_a_mark)
{
	fw_run(73, corpus_path("identity_fw"), IPPROTO_UDP, false, reset_unmarked_body);
}

static void reset_live_session_body(struct testnet *net, struct fw_loader *l)
{
	struct cmd_result r;
	struct cmd_proc p;
	char msg[128];

	ASSERT_OK_HELPER(start_trace(net, &p));
	snprintf(msg, sizeof(msg), "belongs to session pid %d (running), since ", p.pid);
	ASSERT_OK_HELPER(expect_reset_refused(net, "reset --xdp v0 " FW_REL, msg));
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	cmd_result_free(&r);
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
}

TEST(reset_refuses_while_the_session_that_armed_the_hook_runs)
{
	fw_run(74, corpus_path("identity_fw"), IPPROTO_UDP, false, reset_live_session_body);
}

/* A second `bpfsdt trace`: exit 2 and one line, starting with start and
 * ending with end. */
static void expect_second_trace_refused(struct testnet *net, const char *start, const char *end)
{
	__u32 before = xdp_prog_id(net->ifindex);
	struct cmd_result r;
	size_t n;

	ASSERT_EQ(run_in(net, "trace --xdp v0 " FW_REL, &r), 0);
	ASSERT_EQ(r.status, 2);
	ASSERT_TRUE(!strncmp(r.err, start, strlen(start)));
	n = strlen(r.err);
	ASSERT_TRUE(n > strlen(end) && !strcmp(r.err + n - strlen(end), end));
	ASSERT_TRUE(strchr(r.err, '\n') == r.err + n - 1);
	cmd_result_free(&r);
	ASSERT_EQ(xdp_prog_id(net->ifindex), before);
}

static void second_session_body(struct testnet *net, struct fw_loader *l)
{
	char start[256];
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(start_trace(net, &p));
	snprintf(start, sizeof(start),
		 "bpfsdt: " FW_REL ": the hook is taken: program identity_fw (id %u) there is an armed copy (probes fw_verdict) of session pid %d (running), since ",
		 xdp_prog_id(net->ifindex), p.pid);
	ASSERT_OK_HELPER(expect_second_trace_refused(net, start, "; see 'bpfsdt status'\n"));
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	cmd_result_free(&r);
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
}

TEST(trace_on_a_taken_hook_says_which_session_holds_it_and_since_when)
{
	fw_run(75, corpus_path("identity_fw"), IPPROTO_UDP, false, second_session_body);
}

static void killed_session_body(struct testnet *net, struct fw_loader *l)
{
	char start[256];
	struct cmd_proc p;

	(void)l;
	ASSERT_OK_HELPER(start_trace(net, &p));
	ASSERT_OK_HELPER(kill_trace(&p));
	snprintf(start, sizeof(start),
		 "bpfsdt: " FW_REL ": the hook is taken: program identity_fw (id %u) there is an armed copy (probes fw_verdict) of session pid %d (gone), since ",
		 xdp_prog_id(net->ifindex), p.pid);
	ASSERT_OK_HELPER(expect_second_trace_refused(net, start,
		"; see 'bpfsdt status', and 'bpfsdt reset' to put the original back\n"));
}

TEST(trace_on_a_hook_a_killed_session_left_points_to_reset)
{
	fw_run(76, corpus_path("identity_fw"), IPPROTO_UDP, false, killed_session_body);
}

static void status_body(struct testnet *net, struct fw_loader *l)
{
	char want[512], tag[17], armed_tag[17];
	__u8 raw[BPF_TAG_SIZE];
	struct cmd_result r;
	struct cmd_proc p;
	__u32 armed;
	int i;

	prog_tag(l->prog_id, raw);
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(tag + 2 * i, 3, "%02x", raw[i]);
	ASSERT_EQ(run_in(net, "status --xdp v0", &r), 0);
	ASSERT_EQ(r.status, 0);
	snprintf(want, sizeof(want), "v0: identity_fw id %u tag %s: original\n", l->prog_id, tag);
	ASSERT_STREQ(r.out, want);
	cmd_result_free(&r);

	ASSERT_OK_HELPER(start_trace(net, &p));
	armed = xdp_prog_id(net->ifindex);
	prog_tag(armed, raw);
	for (i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(armed_tag + 2 * i, 3, "%02x", raw[i]);
	ASSERT_EQ(run_in(net, "status --xdp v0", &r), 0);
	ASSERT_EQ(r.status, 0);
	snprintf(want, sizeof(want),
		 "v0: identity_fw id %u tag %s: armed copy of id %u tag %s, probes fw_verdict, session pid %d (running) since ",
		 armed, armed_tag, l->prog_id, tag, p.pid);
	ASSERT_TRUE(!strncmp(r.out, want, strlen(want)));
	cmd_result_free(&r);
	ASSERT_EQ(run_in(net, "--json status --xdp v0", &r), 0);
	ASSERT_EQ(r.status, 0);
	snprintf(want, sizeof(want),
		 "{\"hook\": \"v0\", \"programs\": [{\"id\": %u, \"name\": \"identity_fw\", \"tag\": \"%s\", \"armed\": true, \"original\": {\"id\": %u, \"tag\": \"%s\"}, \"probes\": [\"fw_verdict\"], \"session\": {\"pid\": %d, \"running\": true, \"since\": ",
		 armed, armed_tag, l->prog_id, tag, p.pid);
	ASSERT_TRUE(!strncmp(r.out, want, strlen(want)));
	ASSERT_TRUE(strlen(r.out) > 5 && !strcmp(r.out + strlen(r.out) - 5, "}}]}\n"));
	cmd_result_free(&r);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	cmd_result_free(&r);
	ASSERT_EQ(xdp_prog_id(net->ifindex), l->prog_id);
}

TEST(status_tells_the_original_from_an_armed_copy)
{
	fw_run(77, corpus_path("identity_fw"), IPPROTO_UDP, false, status_body);
}

static void empty_status_body(struct testnet *net, struct fw_loader *l)
{
	char *argv[] = { "ip", "netns", "exec", net->ns_b, (char *)bpfsdt_bin(), "status", "--xdp",
			 "v1", NULL };
	struct cmd_result r;

	(void)l;
	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.out, "v1: no program runs there\n");
	ASSERT_STREQ(r.err, "");
	cmd_result_free(&r);
}

TEST(status_of_a_hook_without_a_program_says_so)
{
	fw_run(78, corpus_path("identity_fw"), IPPROTO_UDP, false, empty_status_body);
}

TEST(status_takes_no_file)
{
	char *argv[] = { (char *)bpfsdt_bin(), "status", "--xdp", "lo", "x.bpf.o", NULL };
	struct cmd_result r;

	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.err, "bpfsdt: status: takes no FILE, only the hook (try 'bpfsdt status --help')\n");
	cmd_result_free(&r);
}
