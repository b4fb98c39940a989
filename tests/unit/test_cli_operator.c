// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfsdt trace as an operator uses it, on real traffic in private
 * namespaces: packets written to pcap and read back by tcpdump, histograms
 * of what was sent, timestamps, Prometheus metrics served by Debian's
 * node_exporter, and the probes of a running program listed without its ELF.
 * The quiet test network (netns.h) carries only the pings each test sends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "helpers.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

#define PACKETS TEST_BUILD_DIR "/tests/bpf/packet_sites.bpf.o"
#define NODE_EXPORTER "/usr/bin/prometheus-node-exporter"
/* an ICMP echo request with -s 300: 300 + 8 + 20 + 14 bytes on the wire */
#define BIG_FRAME 342
#define SMALL_FRAME 92	/* -s 50 */

static void with_net(int n, bool tc, void (*body)(struct testnet *net))
{
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, n) || testnet_attach_xdp(&net, PACKETS, "xdp") ||
	    (tc && testnet_attach_tc(&net, PACKETS, "tc", true)) || testnet_enter(&net)) {
		testnet_down(&net);
		FAIL("cannot set up the test network");
	}
	body(&net);
	testnet_down(&net);
}

/* `ip netns exec <ns_a> bpfsdt trace ARGS...`, once it says every probe
 * is armed. */
static void start_trace(struct testnet *net, struct cmd_proc *p, const char *const *args)
{
	char *argv[32] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "trace" };
	int i;

	for (i = 0; args[i] && i < 25; i++)
		argv[6 + i] = (char *)args[i];
	ASSERT_EQ(cmd_start(argv, p), 0);
	ASSERT_EQ(cmd_wait_err(p, "Ctrl-C to", 10000), 0);
}

static int ping_size(struct testnet *net, int count, int size)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip netns exec %s ping -q -c %d -i 0.05 -s %d -W 1 %s "
		 ">/dev/null 2>&1", net->ns_b, count, size, net->ip_a);
	return system(cmd);
}

/* tcpdump's reading of a capture: "N LEN" per packet ("frames lengths"). */
static char *tcpdump_lengths(const char *pcap)
{
	char cmd[512];
	struct cmd_result r;
	char *argv[] = { "sh", "-c", cmd, NULL };

	snprintf(cmd, sizeof(cmd), "tcpdump -r %s -n -e 2>/dev/null | "
		 "sed -n 's/.*, length \\([0-9]*\\): .*/\\1/p' | tr '\\n' ' '", pcap);
	if (run_cmd(argv, &r))
		return NULL;
	free(r.err);
	return r.out;
}

static void pcap_filter_body(struct testnet *net)
{
	const char *pcap = scratch_path("big.pcap");
	struct cmd_result r;
	struct cmd_proc p;
	char *lengths, want[64];

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", PACKETS,
		"xdp_seen", "--filter", "arg2 == SIZE_BIG", "--pcap", pcap, "--json", NULL }));
	ASSERT_EQ(ping_size(net, 4, 50), 0);
	ASSERT_EQ(ping_size(net, 3, 300), 0);
	ASSERT_EQ(ping_size(net, 2, 50), 0);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	/* exactly the big ones, whole, as sent */
	lengths = tcpdump_lengths(pcap);
	ASSERT_TRUE(lengths != NULL);
	snprintf(want, sizeof(want), "%d %d %d ", BIG_FRAME, BIG_FRAME, BIG_FRAME);
	ASSERT_STREQ(lengths, want);
	free(lengths);
	/* each event names its packet's frame */
	ASSERT_CONTAINS(r.out, "\"frame\": 1}\n");
	ASSERT_CONTAINS(r.out, "\"frame\": 3}\n");
	ASSERT_TRUE(!strstr(r.out, "\"frame\": 4}"));
	ASSERT_CONTAINS(r.out, "{\"events\": 3, \"lost\": 0}");
	cmd_result_free(&r);
}

TEST(trace_pcap_holds_exactly_the_packets_that_met_the_site_and_filter)
{
	with_net(170, false, pcap_filter_body);
}

static void pcap_tc_body(struct testnet *net)
{
	const char *pcap = scratch_path("tc.pcap");
	struct cmd_result r;
	struct cmd_proc p;
	char *lengths, want[64];

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--tc", "v0:ingress", PACKETS,
		"tc_seen", "--pcap", pcap, "--snaplen", "100", NULL }));
	ASSERT_EQ(ping_size(net, 2, 300), 0);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	lengths = tcpdump_lengths(pcap);
	ASSERT_TRUE(lengths != NULL);
	/* the whole length on the wire, 100 bytes of it captured */
	snprintf(want, sizeof(want), "%d %d ", BIG_FRAME, BIG_FRAME);
	ASSERT_STREQ(lengths, want);
	free(lengths);
	{
		char cmd[512], *argv[] = { "sh", "-c", cmd, NULL };
		struct cmd_result t;

		snprintf(cmd, sizeof(cmd), "tcpdump -r %s -n 2>&1 | grep -c 'ICMP echo request'",
			 pcap);
		ASSERT_EQ(run_cmd(argv, &t), 0);
		ASSERT_STREQ(t.out, "2\n");
		cmd_result_free(&t);
	}
	ASSERT_CONTAINS(r.out, "tc_seen(0x");
	ASSERT_CONTAINS(r.out, ", 342) frame 2\n");
	cmd_result_free(&r);
}

TEST(trace_pcap_of_a_tc_program_keeps_the_snap_length_and_the_wire_length)
{
	with_net(171, true, pcap_tc_body);
}

static void hist_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;
	char want[512];

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", PACKETS,
		"xdp_seen", "--hist", "arg1", "--max", "arg1", "--interval", "0", "--json", NULL }));
	ASSERT_EQ(ping_size(net, 5, 50), 0);
	ASSERT_EQ(ping_size(net, 3, 300), 0);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	/* 92-byte frames in [64, 128), 342-byte ones in [256, 512) */
	snprintf(want, sizeof(want), "{\"aggregates\": [{\"probe\": \"xdp_seen\", \"site\": 0, "
		 "\"function\": \"packet_xdp\", \"insn\": %%d, \"arg\": 1, \"count\": 8, "
		 "\"sum\": %d, \"min\": %d, \"max\": %d, \"hist\": [{\"min\": 64, \"max\": 128, "
		 "\"count\": 5}, {\"min\": 256, \"max\": 512, \"count\": 3}]}]}\n"
		 "{\"events\": 8, \"lost\": 0}\n",
		 5 * SMALL_FRAME + 3 * BIG_FRAME, SMALL_FRAME, BIG_FRAME);
	{
		char line[512];
		const char *insn = strstr(r.out, "\"insn\": ");

		ASSERT_TRUE(insn != NULL);
		snprintf(line, sizeof(line), want, atoi(insn + 8));
		ASSERT_STREQ(r.out, line);
	}
	cmd_result_free(&r);
}

TEST(trace_hist_counts_the_packets_sent_in_their_buckets)
{
	with_net(172, false, hist_body);
}

static void hist_text_body(struct testnet *net)
{
	struct cmd_result r;
	struct cmd_proc p;

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", PACKETS,
		"xdp_seen", "--hist", "arg1,0,400,100", "--per", "probe", "--interval", "0", NULL }));
	ASSERT_EQ(ping_size(net, 2, 50), 0);
	ASSERT_EQ(ping_size(net, 1, 300), 0);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_STREQ(r.out, "@xdp_seen_arg1:\n"
		"[0, 100)                    2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		"[100, 200)                  0 |                                                    |\n"
		"[200, 300)                  0 |                                                    |\n"
		"[300, 400)                  1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		"\n");
	cmd_result_free(&r);
}

TEST(trace_hist_prints_linear_buckets_like_bpftrace)
{
	with_net(173, false, hist_text_body);
}

static void timestamps_body(struct testnet *net)
{
	unsigned long long last = 0, t;
	struct cmd_result r;
	struct cmd_proc p;
	const char *at;
	int n = 0;

	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", PACKETS,
		"xdp_seen", "-T", "-c", "3", NULL }));
	ASSERT_EQ(ping_size(net, 3, 50), 0);
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	ASSERT_EQ(r.status, 0);
	for (at = r.out; at && *at; at = strchr(at, '\n'), at = at ? at + 1 : NULL) {
		int h, m, s, cpu, used = 0;
		unsigned long ns;

		ASSERT_EQ(sscanf(at, "%2d:%2d:%2d.%9lu [%3d] %n", &h, &m, &s, &ns, &cpu, &used), 5);
		ASSERT_EQ(used, 25);
		ASSERT_TRUE(!strncmp(at + used, "packet_xdp insn ", 16));
		n++;
	}
	ASSERT_EQ(n, 3);
	cmd_result_free(&r);
	/* JSON: every event, monotonic time_ns */
	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", PACKETS,
		"xdp_seen", "--json", "-c", "5", NULL }));
	ASSERT_EQ(ping_size(net, 5, 50), 0);
	ASSERT_EQ(cmd_finish(&p, 0, &r), 0);
	for (n = 0, at = strstr(r.out, "\"time_ns\": "); at; at = strstr(at + 1, "\"time_ns\": ")) {
		t = strtoull(at + 11, NULL, 10);
		ASSERT_TRUE(t > last);
		last = t;
		n++;
	}
	ASSERT_EQ(n, 5);
	ASSERT_CONTAINS(r.out, "\"wall_ns\": ");
	ASSERT_CONTAINS(r.out, "\"cpu\": ");
	cmd_result_free(&r);
}

TEST(trace_timestamps_lead_text_events_and_move_forward_in_json)
{
	with_net(174, false, timestamps_body);
}

/* A loopback port nothing listens on (bound, then released). */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* GET /metrics from 127.0.0.1:port; the body, or NULL. */
static char *http_metrics(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	if (!buf || fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			char *grown = realloc(buf, cap *= 2);

			if (!grown)
				break;
			buf = grown;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static void prom_body(struct testnet *net)
{
	char dir[256], file[300], port_arg[64], dir_arg[300], line[512];
	char *argv[] = { NODE_EXPORTER, port_arg, dir_arg, "--collector.disable-defaults",
			 "--collector.textfile", NULL };
	struct cmd_result r, ne;
	struct cmd_proc p, exporter;
	char *metrics = NULL;
	int port, tries;

	snprintf(dir, sizeof(dir), "%s", scratch_path("prom"));
	mkdir(dir, 0755);
	snprintf(file, sizeof(file), "%s/bpfsdt.prom", dir);
	unlink(file);
	ASSERT_OK_HELPER(start_trace(net, &p, (const char *[]){ "--xdp", "v0", PACKETS,
		"xdp_seen", "--count", "--hist", "arg1", "--interval", "0.2", "--prom-textfile", file,
		NULL }));
	ASSERT_EQ(ping_size(net, 4, 300), 0);
	/* the file as the last interval wrote it, read by node_exporter */
	port = free_port();
	ASSERT_TRUE(port > 0);
	snprintf(port_arg, sizeof(port_arg), "--web.listen-address=127.0.0.1:%d", port);
	snprintf(dir_arg, sizeof(dir_arg), "--collector.textfile.directory=%s", dir);
	usleep(500 * 1000);
	ASSERT_EQ(cmd_start(argv, &exporter), 0);
	for (tries = 0; tries < 100 && !(metrics && strstr(metrics, "bpfsdt_site_hits_total"));
	     tries++) {
		free(metrics);
		usleep(100 * 1000);
		metrics = http_metrics(port);
	}
	ASSERT_EQ(cmd_finish(&exporter, SIGTERM, &ne), 0);
	cmd_result_free(&ne);
	ASSERT_EQ(cmd_finish(&p, SIGINT, &r), 0);
	ASSERT_EQ(r.status, 0);
	cmd_result_free(&r);
	ASSERT_TRUE(metrics != NULL);
	/* node_exporter sorts the labels */
	snprintf(line, sizeof(line), "bpfsdt_site_hits_total{function=\"packet_xdp\",hook=\"xdp:v0\","
		 "host=\"");
	ASSERT_CONTAINS(metrics, line);
	ASSERT_CONTAINS(metrics, "probe=\"xdp_seen\",site=\"0\"} 4\n");
	ASSERT_CONTAINS(metrics, "# TYPE bpfsdt_arg_histogram histogram");
	/* [256, 512): cumulative, 511 is the largest value in it */
	ASSERT_CONTAINS(metrics, "probe=\"xdp_seen\",site=\"0\",le=\"255\"} 0\n");
	ASSERT_CONTAINS(metrics, "probe=\"xdp_seen\",site=\"0\",le=\"511\"} 4\n");
	ASSERT_CONTAINS(metrics, "probe=\"xdp_seen\",site=\"0\",le=\"+Inf\"} 4\n");
	ASSERT_CONTAINS(metrics, "bpfsdt_arg_histogram_sum{arg=\"arg1\"");
	ASSERT_CONTAINS(metrics, "probe=\"xdp_seen\",site=\"0\"} 1368\n"); /* 4 * 342 */
	free(metrics);
}

TEST(trace_prom_textfile_is_served_by_node_exporter)
{
	if (access(NODE_EXPORTER, X_OK))
		SKIP("needs Debian's prometheus-node-exporter");
	with_net(175, false, prom_body);
}

static void list_live_body(struct testnet *net)
{
	char *argv[] = { "ip", "netns", "exec", net->ns_a, (char *)bpfsdt_bin(), "list", "--xdp",
			 "v0", NULL };
	char id[32], *argv_id[] = { (char *)bpfsdt_bin(), "list", "--prog-id", id, NULL };
	struct cmd_result r;

	ASSERT_EQ(run_cmd(argv, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "(packet_xdp): 3 probes (from its BTF; the sites need its ELF)\n");
	ASSERT_CONTAINS(r.out, "  pkt_bounds(void *, void *, int)\n");
	ASSERT_CONTAINS(r.out, "  xdp_seen(struct xdp_md *, unsigned int, enum size_class)\n");
	cmd_result_free(&r);
	snprintf(id, sizeof(id), "%u", xdp_prog_id(net->ifindex));
	ASSERT_EQ(run_cmd(argv_id, &r), 0);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "(packet_xdp): 3 probes");
	cmd_result_free(&r);
}

TEST(list_of_a_running_program_reads_its_probes_from_its_btf)
{
	with_net(176, false, list_live_body);
}

TEST(list_of_a_loaded_program_without_probes_says_the_elf_is_needed)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char id[32], *argv[] = { (char *)bpfsdt_bin(), "list", "--prog-id", id, NULL };
	struct cmd_result r;

	REQUIRE_ROOT();
	obj = bpf_object__open_file(corpus_path("no_probes"), NULL);
	ASSERT_TRUE(obj != NULL);
	ASSERT_EQ(bpf_object__load(obj), 0);
	prog = bpf_object__next_program(obj, NULL);
	ASSERT_EQ(bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len), 0);
	snprintf(id, sizeof(id), "%u", info.id);
	ASSERT_EQ(run_cmd(argv, &r), 0);
	bpf_object__close(obj);
	ASSERT_EQ(r.status, 2);
	ASSERT_STREQ(r.out, "");
	ASSERT_CONTAINS(r.err, "its BTF declares no probes: they need its ELF (bpfsdt list FILE)\n");
	ASSERT_EQ((int)(strchr(r.err, '\n') - r.err + 1), (int)strlen(r.err));
	cmd_result_free(&r);
}
