// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Live targets on the hooks other than an interface's XDP: a cls_bpf filter
 * attached by iproute2's tc, a prog array slot filled by a libbpf loader,
 * and a cgroup_skb program on a pinned link. Traffic is pings between two
 * private namespaces; each program counts what it handles itself, and the
 * observer's hits must equal that count.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "helpers.h"
#include "libbpfsdt.h"
#include "live_helpers.h"
#include "netns.h"
#include "test.h"

enum { COUNT_TC_IP, COUNT_SLOT, COUNT_CGROUP }; /* live_hooks.bpf.c's counters */

static const char *live_hooks(void)
{
	return corpus_path("live_hooks");
}

static struct bpf_sdt_hook tc_ingress(struct testnet *net)
{
	return (struct bpf_sdt_hook){ .sz = sizeof(struct bpf_sdt_hook), .kind = BPF_SDT_HOOK_TC,
				      .ifindex = net->ifindex, .tc_attach_point = BPF_TC_INGRESS };
}

/* Runs body on a fresh test network with live_hooks' tc program attached
 * to v0's ingress by iproute2 (direct-action or not). */
static void with_tc_filter(int n, bool da, void (*body)(struct testnet *net))
{
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, n) || testnet_attach_tc(&net, live_hooks(), "tc", da) ||
	    testnet_enter(&net)) {
		testnet_down(&net);
		FAIL("cannot attach the tc filter with iproute2");
	}
	body(&net);
	testnet_down(&net);
}

static void tc_hits_body(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_hook hook = tc_ingress(net);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u32 orig = tc_filter_prog_id(net->ifindex);
	__u64 before, counted;

	ASSERT_NE(orig, 0);
	t = bpf_sdt_target__open_live(live_hooks(), &hook, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "tc_ip"));
	ASSERT_NE(tc_filter_prog_id(net->ifindex), orig); /* the armed copy runs */
	before = percpu_count(t, "handled", COUNT_TC_IP);
	ASSERT_EQ(testnet_ping(net, 20, "0.01"), 0);
	counted = percpu_count(t, "handled", COUNT_TC_IP) - before;
	ASSERT_EQ(counted, 20); /* the echo requests: the network is quiet */
	ASSERT_EQ(probe_hits(tr, t, "tc_ip"), counted);
	bpf_sdt_tracer__free(tr);
	ASSERT_EQ(tc_filter_prog_id(net->ifindex), orig);
	bpf_sdt_target__close(t);
}

TEST(live_tc_filter_observer_hits_equal_the_filters_own_count)
{
	with_tc_filter(22, true, tc_hits_body);
}

static void tc_not_da_body(struct testnet *net)
{
	struct bpf_sdt_hook hook = tc_ingress(net);
	struct bpf_sdt_target *t;

	diag_capture_begin();
	errno = 0;
	t = bpf_sdt_target__open_live(live_hooks(), &hook, NULL);
	diag_capture_end();
	ASSERT_TRUE(t == NULL);
	ASSERT_EQ(errno, EOPNOTSUPP);
	ASSERT_CONTAINS(diag_captured(), "the cls_bpf filter running live_tc on v0 ingress "
			"(handle 0x1, priority 1) is not a direct-action filter");
}

TEST(live_tc_refuses_a_filter_not_in_direct_action_mode)
{
	with_tc_filter(23, false, tc_not_da_body);
}

static void tc_empty_hook_body(struct testnet *net)
{
	struct bpf_sdt_hook hook = tc_ingress(net);
	struct bpf_sdt_target *t;

	hook.tc_attach_point = BPF_TC_EGRESS;
	diag_capture_begin();
	t = bpf_sdt_target__open_live(live_hooks(), &hook, NULL);
	diag_capture_end();
	ASSERT_TRUE(t == NULL);
	ASSERT_CONTAINS(diag_captured(), ": no BPF program runs on v0 egress\n");
}

TEST(live_tc_refuses_a_hook_without_programs)
{
	with_tc_filter(24, true, tc_empty_hook_body);
}

static void tc_race_body(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	struct bpf_sdt_hook hook = tc_ingress(net);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	char cmd[512];
	__u32 theirs;

	t = bpf_sdt_target__open_live(live_hooks(), &hook, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "tc_ip"));
	/* someone else replaces the filter while it is armed */
	snprintf(cmd, sizeof(cmd), "tc filter replace dev v0 ingress pref 1 handle 1 bpf da obj %s sec tc",
		 live_hooks());
	ASSERT_EQ(system(cmd), 0);
	theirs = tc_filter_prog_id(net->ifindex);
	diag_capture_begin();
	errno = 0;
	ASSERT_EQ(bpf_sdt_tracer__add_probe(tr, "tc_pkt"), -EEXIST);
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), " now (replaced by someone else?); left as it is\n");
	ASSERT_EQ(tc_filter_prog_id(net->ifindex), theirs); /* theirs stays */
	diag_capture_begin();
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	diag_capture_end();
	ASSERT_STREQ(diag_captured(), ""); /* said once */
	ASSERT_EQ(tc_filter_prog_id(net->ifindex), theirs);
}

TEST(live_tc_rearming_fails_cleanly_when_someone_else_replaced_the_filter)
{
	with_tc_filter(25, true, tc_race_body);
}

/* A libbpf loader's XDP dispatcher on v0 tail-calling slot 0 of its prog
 * array, which holds live_slot. */
struct dispatcher {
	struct bpf_object *obj;
	int jump_fd;
};

static int dispatcher_up(struct testnet *net, struct dispatcher *d)
{
	d->obj = xdp_dispatcher_up(net->ifindex, NULL);
	if (!d->obj)
		return -1;
	d->jump_fd = bpf_map__fd(bpf_object__find_map_by_name(d->obj, "jump"));
	return 0;
}

static void dispatcher_down(struct testnet *net, struct dispatcher *d)
{
	bpf_xdp_detach(net->ifindex, 0, NULL);
	bpf_object__close(d->obj);
}

static __u32 slot_prog_id(struct dispatcher *d)
{
	return slot_id(d->jump_fd);
}

static void with_dispatcher(int n, void (*body)(struct testnet *net, struct dispatcher *d))
{
	struct dispatcher d = {};
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces and BPF");
	if (testnet_up(&net, n) || testnet_enter(&net) || dispatcher_up(&net, &d)) {
		dispatcher_down(&net, &d);
		testnet_down(&net);
		FAIL("cannot set up the dispatcher");
	}
	body(&net, &d);
	dispatcher_down(&net, &d);
	testnet_down(&net);
}

static void slot_hits_body(struct testnet *net, struct dispatcher *d)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_PROG_ARRAY,
		    .prog_array_fd = d->jump_fd, .key = 0);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u32 orig = slot_prog_id(d);
	__u64 before, counted;

	t = bpf_sdt_target__open_live(live_hooks(), &hook, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "slot_pkt"));
	ASSERT_NE(slot_prog_id(d), orig);
	before = percpu_count(t, "handled", COUNT_SLOT);
	ASSERT_EQ(testnet_ping(net, 20, "0.01"), 0);
	counted = percpu_count(t, "handled", COUNT_SLOT) - before;
	ASSERT_EQ(counted, 20);
	ASSERT_EQ(probe_hits(tr, t, "slot_pkt"), counted);
	bpf_sdt_tracer__free(tr);
	ASSERT_EQ(slot_prog_id(d), orig);
	bpf_sdt_target__close(t);
}

TEST(live_prog_array_slot_observer_hits_equal_the_programs_own_count)
{
	with_dispatcher(26, slot_hits_body);
}

static void slot_race_body(struct testnet *net, struct dispatcher *d)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_PROG_ARRAY,
		    .prog_array_fd = d->jump_fd, .key = 0);
	struct bpf_object *other = bpf_object__open_file(live_hooks(), NULL);
	struct bpf_sdt_tracer *tr;
	struct bpf_sdt_target *t;
	__u32 key = 0, theirs;
	int fd;

	(void)net;
	ASSERT_TRUE(other && !bpf_object__load(other));
	t = bpf_sdt_target__open_live(live_hooks(), &hook, NULL);
	ASSERT_TRUE(t != NULL);
	tr = bpf_sdt_tracer__new(t, &topts);
	ASSERT_TRUE(tr && !bpf_sdt_tracer__add_probe(tr, "slot_pkt"));
	/* someone else's program goes into the slot while it is armed */
	fd = bpf_program__fd(bpf_object__find_program_by_name(other, "live_slot"));
	ASSERT_EQ(bpf_map_update_elem(d->jump_fd, &key, &fd, BPF_ANY), 0);
	theirs = slot_prog_id(d);
	diag_capture_begin();
	bpf_sdt_tracer__free(tr); /* disarming must not undo their change */
	diag_capture_end();
	ASSERT_CONTAINS(diag_captured(), " now (replaced by someone else?); left as it is\n");
	ASSERT_EQ(slot_prog_id(d), theirs);
	diag_capture_begin();
	bpf_sdt_target__close(t);
	diag_capture_end();
	ASSERT_STREQ(diag_captured(), ""); /* said once */
	ASSERT_EQ(slot_prog_id(d), theirs);
	bpf_object__close(other);
}

TEST(live_prog_array_disarming_leaves_a_slot_someone_else_changed)
{
	with_dispatcher(27, slot_race_body);
}

static void slot_empty_body(struct testnet *net, struct dispatcher *d)
{
	LIBBPF_OPTS(bpf_sdt_hook, hook, .kind = BPF_SDT_HOOK_PROG_ARRAY,
		    .prog_array_fd = d->jump_fd, .key = 0);
	struct bpf_sdt_target *t;
	__u32 key = 0;

	(void)net;
	ASSERT_EQ(bpf_map_delete_elem(d->jump_fd, &key), 0);
	diag_capture_begin();
	t = bpf_sdt_target__open_live(live_hooks(), &hook, NULL);
	diag_capture_end();
	ASSERT_TRUE(t == NULL);
	ASSERT_CONTAINS(diag_captured(), ": slot 0 of prog array jump is empty\n");
}

TEST(live_prog_array_refuses_an_empty_slot)
{
	with_dispatcher(28, slot_empty_body);
}

/* The cgroup v2 hierarchy's mount point, from /proc/mounts. */
static bool cgroup2_root(char *buf, size_t size)
{
	char dev[64], dir[256], type[64];
	FILE *f = fopen("/proc/mounts", "r");
	bool found = false;

	while (f && !found && fscanf(f, "%63s %255s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, size, "%s", dir);
			found = true;
		}
	if (f)
		fclose(f);
	return found;
}

/* Runs `ip netns exec ns_b ping ...` from inside cgroup dir. */
static int ping_from_cgroup(struct testnet *net, const char *dir, int count)
{
	char procs[600], cnt[16];
	int pid, status;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	snprintf(cnt, sizeof(cnt), "%d", count);
	pid = fork();
	if (pid == 0) {
		FILE *f = fopen(procs, "w");

		int null = open("/dev/null", O_WRONLY);

		if (!f || fprintf(f, "0\n") < 0 || fclose(f) || null < 0 || dup2(null, 1) < 0)
			_exit(126);
		execlp("ip", "ip", "netns", "exec", net->ns_b, "ping", "-q", "-c", cnt, "-i",
		       "0.01", "-W", "1", net->ip_a, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void cgroup_body(struct testnet *net)
{
	LIBBPF_OPTS(bpf_sdt_tracer_opts, topts, .count_only = true);
	char root[256], dir[512], pin[512];
	struct bpf_object *loader = NULL;
	struct bpf_link *link = NULL;
	struct bpf_sdt_tracer *tr = NULL;
	struct bpf_sdt_target *t = NULL;
	const char *fs = scratch_bpffs();
	__u64 before, counted;
	int cg = -1;

	if (!cgroup2_root(root, sizeof(root)))
		SKIP("no cgroup v2 hierarchy mounted");
	ASSERT_TRUE(fs != NULL);
	snprintf(dir, sizeof(dir), "%s/bpfsdt-test-%d", root, (int)getpid());
	snprintf(pin, sizeof(pin), "%s/cgroup_%d", fs, (int)getpid());
	mkdir(dir, 0755);
	cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	loader = bpf_object__open_file(live_hooks(), NULL);
	if (cg >= 0 && loader && !bpf_object__load(loader))
		link = bpf_program__attach_cgroup(
			bpf_object__find_program_by_name(loader, "live_cgroup"), cg);
	if (link && !bpf_link__pin(link, pin))
		t = bpf_sdt_target__open_link(live_hooks(), pin, NULL);
	if (t)
		tr = bpf_sdt_tracer__new(t, &topts);
	if (tr && !bpf_sdt_tracer__add_probe(tr, "cg_pkt")) {
		before = percpu_count(t, "handled", COUNT_CGROUP);
		if (ping_from_cgroup(net, dir, 20) == 0) {
			counted = percpu_count(t, "handled", COUNT_CGROUP) - before;
			if (counted != 20 || probe_hits(tr, t, "cg_pkt") != counted)
				test_fail(__FILE__, __LINE__, "%llu packets counted, %llu hits",
					  (unsigned long long)counted,
					  (unsigned long long)probe_hits(tr, t, "cg_pkt"));
		} else {
			test_fail(__FILE__, __LINE__, "ping from the cgroup failed");
		}
	} else {
		test_fail(__FILE__, __LINE__, "cannot arm the cgroup_skb program on its link");
	}
	/* everything released whatever the outcome: the cgroup must go */
	bpf_sdt_tracer__free(tr);
	bpf_sdt_target__close(t);
	unlink(pin);
	bpf_link__destroy(link);
	bpf_object__close(loader);
	if (cg >= 0)
		close(cg);
	rmdir(dir);
	scratch_bpffs_release();
}

TEST(live_cgroup_skb_link_observer_hits_equal_the_programs_own_count)
{
	struct testnet net;

	if (geteuid())
		SKIP("needs root for network namespaces, cgroups and BPF");
	if (testnet_up(&net, 29))
		FAIL("cannot create the test network");
	cgroup_body(&net);
	testnet_down(&net);
}
