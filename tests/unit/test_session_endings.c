// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every way a live session ends puts the original program back on its hook,
 * or says once, loudly, that it could not: each terminating signal, a reader
 * that goes away (SIGPIPE), a stdout that cannot be written, SIGKILL (the
 * guardian process restores), and someone else changing the hook meanwhile
 * (their program stays, exit status 3). The example firewall runs on a quiet
 * veth, attached by iproute2.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

#define EXAMPLE TEST_BUILD_DIR "/examples/xdp_filter.bpf.o"
#define OBSERVER TEST_BUILD_DIR "/tests/bpf/observers/firewall_stats.bpf.o"
#define RESTORED "; the original program is back\n"
#define EXIT_NOT_RESTORED 3
#define EXIT_OUTPUT_FAILED 4

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int occurrences(const char *hay, const char *needle)
{
	int n = 0;

	while (hay && (hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Whether insn is the instruction of one of the example's verdict sites. */
static bool is_verdict_site(unsigned int insn)
{
	struct bpf_sdt_object *obj = bpf_sdt_object__open_file(EXAMPLE, NULL);
	const struct bpf_sdt_probe *verdict = obj ? bpf_sdt_object__find_probe(obj, "verdict") : NULL;
	bool found = false;
	size_t i;

	for (i = 0; verdict && i < bpf_sdt_probe__site_cnt(verdict); i++)
		found |= bpf_sdt_site__insn(bpf_sdt_probe__site(verdict, i)) == insn;
	bpf_sdt_object__close(obj);
	return found;
}

/* out is n events of a ping meeting the firewall: each "xdp_filter insn N:
 * verdict(XDP_PASS, REASON_NO_PORTS)", N the one verdict site the compiler
 * made of that return (clang 14 and 19 number it differently). */
static void assert_ping_verdicts(const char *out, int n)
{
	const char *line = out;
	unsigned int insn, first = 0;
	int i, end;

	for (i = 0; i < n; i++) {
		end = 0;
		if (sscanf(line, "xdp_filter insn %u: verdict(XDP_PASS, REASON_NO_PORTS)\n%n",
			   &insn, &end) != 1 || !end || line[end - 1] != '\n')
			FAIL("event %d is not a ping's verdict: %s", i + 1, out);
		if (i && insn != first)
			FAIL("a ping's verdict came from insn %u and insn %u: %s", first, insn, out);
		first = insn;
		line += end;
	}
	if (*line)
		FAIL("more than %d events: %s", n, out);
	if (!is_verdict_site(first))
		FAIL("insn %u is no site of the probe verdict: %s", first, out);
}

static void argv_of(char **argv, const char *cmd, const char *const *args)
{
	int i;

	argv[0] = (char *)bpfsdt_bin();
	argv[1] = (char *)cmd;
	for (i = 0; args[i] && i < 20; i++)
		argv[2 + i] = (char *)args[i];
	argv[2 + i] = NULL;
}

/* Waits until bpfsdt (started in ns_a, this thread's namespace) says every
 * probe is armed and the armed copy runs on v0. */
static void wait_armed(struct testnet *net, struct cmd_proc *p, __u32 orig)
{
	ASSERT_EQ(cmd_wait_err(p, "Ctrl-C to", 10000), 0);
	ASSERT_NE(xdp_prog_id(net->ifindex), orig);
}

static void start_live(struct testnet *net, struct cmd_proc *p, const char *cmd,
		       const char *const *args)
{
	char *argv[24];
	__u32 orig = xdp_prog_id(net->ifindex);

	argv_of(argv, cmd, args);
	ASSERT_EQ(cmd_start(argv, p), 0);
	wait_armed(net, p, orig);
}

/* Not a process any more (reaped by bpfsdt, which dismissed it). */
static bool gone(int pid)
{
	return pid > 0 && kill(pid, 0) && errno == ESRCH;
}

static void signal_ending(struct testnet *net, int sig, int status)
{
	__u32 orig = xdp_prog_id(net->ifindex);
	struct cmd_result r;
	struct cmd_proc p;
	int guardian;

	ASSERT_OK_HELPER(start_live(net, &p, "trace", (const char *[]){ "--xdp", "v0", EXAMPLE,
		"verdict", NULL }));
	guardian = cmd_guardian_pid(&p);
	ASSERT_TRUE(guardian > 0);
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, sig, &r), 0);
	ASSERT_EQ(r.status, status);
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	ASSERT_OK_HELPER(assert_ping_verdicts(r.out, 2));
	ASSERT_CONTAINS(r.err, "2 events, 0 lost" RESTORED);
	ASSERT_TRUE(gone(guardian));
	ASSERT_EQ(testnet_ping(net, 1, "0.05"), 0);
	cmd_result_free(&r);
}

static void sighup_body(struct testnet *net) { signal_ending(net, SIGHUP, 128 + SIGHUP); }
static void sigquit_body(struct testnet *net) { signal_ending(net, SIGQUIT, 128 + SIGQUIT); }
static void sigterm_body(struct testnet *net) { signal_ending(net, SIGTERM, 0); }
static void sigusr1_body(struct testnet *net) { signal_ending(net, SIGUSR1, 128 + SIGUSR1); }
static void sigusr2_body(struct testnet *net) { signal_ending(net, SIGUSR2, 128 + SIGUSR2); }
static void sigalrm_body(struct testnet *net) { signal_ending(net, SIGALRM, 128 + SIGALRM); }
static void sigxcpu_body(struct testnet *net) { signal_ending(net, SIGXCPU, 128 + SIGXCPU); }

static void sigrt_body(struct testnet *net)
{
	signal_ending(net, SIGRTMIN + 3, 128 + SIGRTMIN + 3);
}

TEST(trace_restores_the_original_on_sighup_and_dies_by_it)
{
	testnet_run(60, EXAMPLE, sighup_body);
}

TEST(trace_restores_the_original_on_sigquit_and_dies_by_it)
{
	testnet_run(61, EXAMPLE, sigquit_body);
}

TEST(trace_restores_the_original_on_sigterm_and_exits_0)
{
	testnet_run(62, EXAMPLE, sigterm_body);
}

TEST(trace_restores_the_original_on_sigusr1_and_dies_by_it)
{
	testnet_run(63, EXAMPLE, sigusr1_body);
}

TEST(trace_restores_the_original_on_sigusr2_and_dies_by_it)
{
	testnet_run(64, EXAMPLE, sigusr2_body);
}

TEST(trace_restores_the_original_on_sigalrm_and_dies_by_it)
{
	testnet_run(65, EXAMPLE, sigalrm_body);
}

TEST(trace_restores_the_original_on_sigxcpu_and_dies_by_it)
{
	testnet_run(66, EXAMPLE, sigxcpu_body);
}

TEST(trace_restores_the_original_on_a_realtime_signal_and_dies_by_it)
{
	testnet_run(67, EXAMPLE, sigrt_body);
}

/* `bpfsdt trace ... | head -1`: the reader takes one line and goes. */
static void sigpipe_body(struct testnet *net)
{
	__u32 orig = xdp_prog_id(net->ifindex);
	char *argv[24], line[256];
	struct cmd_result r;
	struct cmd_proc p;
	int out = -1, i = 0;

	argv_of(argv, "trace", (const char *[]){ "--xdp", "v0", EXAMPLE, "verdict", NULL });
	ASSERT_EQ(cmd_start_piped(argv, &p, &out), 0);
	ASSERT_OK_HELPER(wait_armed(net, &p, orig));
	ASSERT_EQ(testnet_ping(net, 1, "0.05"), 0);
	while (i < (int)sizeof(line) - 2 && read(out, line + i, 1) == 1 && line[i] != '\n')
		i++;
	line[i] = '\n';
	line[i + 1] = '\0';
	ASSERT_OK_HELPER(assert_ping_verdicts(line, 1));
	close(out);
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0); /* the next write meets no reader */
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	ASSERT_EQ(r.status, 128 + SIGPIPE);
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	ASSERT_CONTAINS(r.err, RESTORED);
	ASSERT_EQ(occurrences(r.err, "bpfsdt:"), 0); /* a pipeline's end, not an error */
	cmd_result_free(&r);
}

TEST(trace_restores_the_original_when_its_reader_goes_away)
{
	testnet_run(68, EXAMPLE, sigpipe_body);
}

/* bpfsdt trace args with stdout on /dev/full, through one ping: it ends by
 * itself, saying so in its exit status, the original back on v0. */
static void trace_to_dev_full(struct testnet *net, const char *const *args, struct cmd_result *r)
{
	__u32 orig = xdp_prog_id(net->ifindex);
	struct cmd_proc p;
	char *argv[24];

	argv_of(argv, "trace", args);
	ASSERT_EQ(cmd_start_to(argv, &p, "/dev/full"), 0);
	ASSERT_OK_HELPER(wait_armed(net, &p, orig));
	ASSERT_EQ(testnet_ping(net, 1, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, 0, r), 0); /* ends by itself */
	ASSERT_EQ(r->status, EXIT_OUTPUT_FAILED);
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
}

static void dev_full_body(struct testnet *net)
{
	struct cmd_result r;

	ASSERT_OK_HELPER(trace_to_dev_full(net, (const char *[]){ "--xdp", "v0", EXAMPLE,
		"verdict", NULL }, &r));
	ASSERT_EQ(occurrences(r.err, "bpfsdt: trace: writing to standard output failed: "
				     "No space left on device\n"), 1);
	ASSERT_CONTAINS(r.err, RESTORED);
	cmd_result_free(&r);
}

TEST(trace_restores_the_original_when_stdout_cannot_be_written)
{
	testnet_run(69, EXAMPLE, dev_full_body);
}

static void json_dev_full_body(struct testnet *net)
{
	struct cmd_result r;

	/* -c 1 and one packet: the event and the summary only meet the full
	 * disk when written at the end */
	ASSERT_OK_HELPER(trace_to_dev_full(net, (const char *[]){ "--json", "--xdp", "v0", EXAMPLE,
		"verdict", "-c", "1", NULL }, &r));
	ASSERT_EQ(occurrences(r.err, "writing to standard output failed"), 1);
	cmd_result_free(&r);
}

TEST(trace_json_says_when_its_last_lines_cannot_be_written)
{
	testnet_run(70, EXAMPLE, json_dev_full_body);
}

/* SIGKILL: nothing of bpfsdt runs; its guardian puts the original back. */
static void sigkill_body(struct testnet *net)
{
	__u32 orig = xdp_prog_id(net->ifindex);
	struct cmd_result r;
	struct cmd_proc p;
	double killed, restored = 0;
	char *err;

	orphans_adopt();
	ASSERT_OK_HELPER(start_live(net, &p, "trace", (const char *[]){ "--xdp", "v0", EXAMPLE,
		"verdict", NULL }));
	killed = now_ms();
	ASSERT_EQ(cmd_finish(&p, SIGKILL, &r), 0);
	while (now_ms() - killed < 2000 && !restored)
		if (xdp_prog_id(net->ifindex) == orig)
			restored = now_ms();
	ASSERT_TRUE(restored > 0);
	fprintf(stdout, "    the original was back %.1f ms after the SIGKILL\n", restored - killed);
	ASSERT_EQ(orphans_reap(2000, -1), 1); /* the guardian, exited by itself */
	err = read_text_file(p.err_path);
	ASSERT_EQ(occurrences(err, "the session ended without disarming (killed?); its guardian "
				   "put the original program back\n"), 1);
	free(err);
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
	cmd_result_free(&r);
}

TEST(trace_sigkill_leaves_the_original_on_the_hook)
{
	testnet_run(71, EXAMPLE, sigkill_body);
}

static void attach_sigkill_body(struct testnet *net)
{
	__u32 orig = xdp_prog_id(net->ifindex);
	struct cmd_result r;
	struct cmd_proc p;
	double killed;

	orphans_adopt();
	ASSERT_OK_HELPER(start_live(net, &p, "attach", (const char *[]){ "--xdp", "v0", EXAMPLE,
		OBSERVER, NULL }));
	killed = now_ms();
	ASSERT_EQ(cmd_finish(&p, SIGKILL, &r), 0);
	while (now_ms() - killed < 2000 && xdp_prog_id(net->ifindex) != orig)
		;
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	ASSERT_EQ(orphans_reap(2000, -1), 1);
	cmd_result_free(&r);
}

TEST(attach_sigkill_leaves_the_original_on_the_hook)
{
	testnet_run(72, EXAMPLE, attach_sigkill_body);
}

static void attach_sighup_body(struct testnet *net)
{
	__u32 orig = xdp_prog_id(net->ifindex);
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(start_live(net, &p, "attach", (const char *[]){ "--json", "--xdp", "v0",
		EXAMPLE, OBSERVER, NULL }));
	ASSERT_EQ(testnet_ping(net, 2, "0.05"), 0);
	ASSERT_EQ(cmd_finish(&p, SIGHUP, &r), 0);
	ASSERT_EQ(r.status, 128 + SIGHUP);
	ASSERT_EQ(xdp_prog_id(net->ifindex), orig);
	ASSERT_CONTAINS(r.out, "\"checked\": 0"); /* pings carry no ports: the globals printed */
	cmd_result_free(&r);
}

TEST(attach_restores_the_original_on_sighup_and_dies_by_it)
{
	testnet_run(73, EXAMPLE, attach_sighup_body);
}

/* Someone else's XDP program replaces the armed copy while bpfsdt traces. */
static void replaced_body(struct testnet *net)
{
	char cmd[512];
	struct cmd_result r;
	struct cmd_proc p;
	__u32 theirs;

	ASSERT_OK_HELPER(start_live(net, &p, "trace", (const char *[]){ "--xdp", "v0", EXAMPLE,
		"verdict", NULL }));
	snprintf(cmd, sizeof(cmd), "ip -force -n %s link set dev v0 xdp obj %s sec xdp",
		 net->ns_a, corpus_path("no_probes"));
	ASSERT_EQ(system(cmd), 0);
	theirs = xdp_prog_id(net->ifindex);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, EXIT_NOT_RESTORED);
	ASSERT_EQ(xdp_prog_id(net->ifindex), theirs); /* theirs stays */
	ASSERT_EQ(occurrences(r.err, "cannot put the original back"), 1);
	ASSERT_CONTAINS(r.err, "program xdp_filter: cannot put the original back: the hook runs "
			       "program id ");
	ASSERT_CONTAINS(r.err, " now (replaced by someone else?); left as it is\n");
	ASSERT_CONTAINS(r.err, "0 events, 0 lost\n"); /* no claim it is back */
	ASSERT_EQ(occurrences(r.err, "original program is back"), 0);
	cmd_result_free(&r);
}

TEST(trace_leaves_a_program_someone_else_attached_and_says_so_once)
{
	testnet_run(74, EXAMPLE, replaced_body);
}

static void attach_replaced_body(struct testnet *net)
{
	char cmd[512];
	struct cmd_result r;
	struct cmd_proc p;
	__u32 theirs;

	ASSERT_OK_HELPER(start_live(net, &p, "attach", (const char *[]){ "--xdp", "v0", EXAMPLE,
		OBSERVER, NULL }));
	snprintf(cmd, sizeof(cmd), "ip -force -n %s link set dev v0 xdp obj %s sec xdp",
		 net->ns_a, corpus_path("no_probes"));
	ASSERT_EQ(system(cmd), 0);
	theirs = xdp_prog_id(net->ifindex);
	ASSERT_EQ(cmd_finish(&p, SIGTERM, &r), 0);
	ASSERT_EQ(r.status, EXIT_NOT_RESTORED);
	ASSERT_EQ(xdp_prog_id(net->ifindex), theirs);
	ASSERT_EQ(occurrences(r.err, "cannot put the original back"), 1);
	ASSERT_CONTAINS(r.out, "checked = 0\n"); /* the globals, still printed */
	cmd_result_free(&r);
}

TEST(attach_leaves_a_program_someone_else_attached_and_says_so_once)
{
	testnet_run(79, EXAMPLE, attach_replaced_body);
}

static void json_replaced_body(struct testnet *net)
{
	char cmd[512];
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(start_live(net, &p, "trace", (const char *[]){ "--json", "--xdp", "v0",
		EXAMPLE, "verdict", NULL }));
	snprintf(cmd, sizeof(cmd), "ip -force -n %s link set dev v0 xdp obj %s sec xdp",
		 net->ns_a, corpus_path("no_probes"));
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, EXIT_NOT_RESTORED);
	ASSERT_STREQ(r.out, "{\"events\": 0, \"lost\": 0, \"restored\": false}\n");
	cmd_result_free(&r);
}

TEST(trace_json_summary_says_the_original_was_not_restored)
{
	testnet_run(75, EXAMPLE, json_replaced_body);
}

static void iface_gone_body(struct testnet *net)
{
	char cmd[256];
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(start_live(net, &p, "trace", (const char *[]){ "--xdp", "v0", EXAMPLE,
		"verdict", NULL }));
	snprintf(cmd, sizeof(cmd), "ip -n %s link del v0", net->ns_a);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, EXIT_NOT_RESTORED);
	ASSERT_EQ(occurrences(r.err, "cannot put the original back: its interface is gone; "
				     "left as it is\n"), 1);
	ASSERT_EQ(occurrences(r.err, "bpfsdt:"), 1);
	ASSERT_EQ(occurrences(r.err, "original program is back"), 0);
	cmd_result_free(&r);
}

TEST(trace_says_once_that_its_interface_is_gone)
{
	testnet_run(76, EXAMPLE, iface_gone_body);
}

/* After a SIGKILL the guardian, too, leaves someone else's program. */
static void guardian_replaced_body(struct testnet *net)
{
	char cmd[512], *err;
	struct cmd_result r;
	struct cmd_proc p;
	__u32 theirs;

	orphans_adopt();
	ASSERT_OK_HELPER(start_live(net, &p, "trace", (const char *[]){ "--xdp", "v0", EXAMPLE,
		"verdict", NULL }));
	snprintf(cmd, sizeof(cmd), "ip -force -n %s link set dev v0 xdp obj %s sec xdp",
		 net->ns_a, corpus_path("no_probes"));
	ASSERT_EQ(system(cmd), 0);
	theirs = xdp_prog_id(net->ifindex);
	ASSERT_EQ(cmd_finish(&p, SIGKILL, &r), 0);
	ASSERT_EQ(orphans_reap(2000, -1), 1);
	ASSERT_EQ(xdp_prog_id(net->ifindex), theirs);
	err = read_text_file(p.err_path);
	ASSERT_EQ(occurrences(err, "the session ended without disarming; the hook runs program "
				   "id "), 1);
	ASSERT_CONTAINS(err, " now (replaced by someone else?): left as it is\n");
	free(err);
	cmd_result_free(&r);
}

TEST(guardian_leaves_a_program_someone_else_attached)
{
	testnet_run(77, EXAMPLE, guardian_replaced_body);
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* bpftool puts another program into the slot while bpfsdt traces it. */
static void slot_changed_body(struct testnet *net, const char *fs)
{
	char pin[512], spec[600], cmd[1024], *argv[24];
	struct bpf_object *obj, *other;
	struct cmd_result r;
	struct cmd_proc p;
	__u32 orig, theirs;
	int jump, tries;

	snprintf(pin, sizeof(pin), "%s/jump_end_%d", fs, (int)getpid());
	snprintf(spec, sizeof(spec), "%s:0", pin);
	obj = xdp_dispatcher_up(net->ifindex, pin);
	other = bpf_object__open_file(corpus_path("live_hooks"), NULL);
	ASSERT_TRUE(obj && other && !bpf_object__load(other));
	jump = bpf_map__fd(bpf_object__find_map_by_name(obj, "jump"));
	orig = slot_id(jump);
	argv_of(argv, "trace", (const char *[]){ "--prog-array", spec, corpus_path("live_hooks"),
		"slot_pkt", NULL });
	ASSERT_EQ(cmd_start(argv, &p), 0);
	for (tries = 0; tries < 1000 && slot_id(jump) == orig; tries++)
		usleep(10000);
	ASSERT_EQ(cmd_wait_err(&p, "Ctrl-C to", 10000), 0);
	theirs = prog_id_of(bpf_program__fd(bpf_object__find_program_by_name(other, "live_slot")));
	snprintf(cmd, sizeof(cmd),
		 "bpftool map update pinned %s key 0 0 0 0 value id %u 2>/dev/null", pin, theirs);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(slot_id(jump), theirs);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, EXIT_NOT_RESTORED);
	ASSERT_EQ(slot_id(jump), theirs);
	ASSERT_EQ(occurrences(r.err, "cannot put the original back"), 1);
	ASSERT_EQ(occurrences(r.err, "original program is back"), 0);
	cmd_result_free(&r);
	bpf_xdp_detach(net->ifindex, 0, NULL);
	unlink(pin);
	bpf_object__close(other);
	bpf_object__close(obj);
}

TEST(trace_leaves_a_prog_array_slot_someone_else_changed_and_says_so_once)
{
	testnet_run_bpffs(78, slot_changed_body);
}
