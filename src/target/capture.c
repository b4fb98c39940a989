// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "insn/emit.h"
#include "target/capture.h"
#include "util/util.h"
#include "util/uapi_compat.h"

#define OBSERVER_SECTION "bpf_sdt+"

/* The sections whose programs bpfsdt can relink or use as observers, with
 * the attributes libbpf's own handlers would give them (a custom handler
 * replaces libbpf's, flags included). */
static const struct {
	const char *sec;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	__u32 flags;
} handlers[] = {
	{ "xdp", BPF_PROG_TYPE_XDP, BPF_XDP, 0 },
	{ "xdp.frags", BPF_PROG_TYPE_XDP, BPF_XDP, BPF_F_XDP_HAS_FRAGS },
	{ "xdp/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0 },
	{ "xdp.frags/devmap", BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, BPF_F_XDP_HAS_FRAGS },
	{ "xdp/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, 0 },
	{ "xdp.frags/cpumap", BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, BPF_F_XDP_HAS_FRAGS },
	{ "tc", BPF_PROG_TYPE_SCHED_CLS, 0, 0 },
	{ "classifier", BPF_PROG_TYPE_SCHED_CLS, 0, 0 },
	{ "action", BPF_PROG_TYPE_SCHED_ACT, 0, 0 },
	/* newer libbpf's names for tcx hooks, which 1.1 does not know; the
	 * kernel (6.6+) takes the attach types at load as hints only */
	{ "tc/ingress", BPF_PROG_TYPE_SCHED_CLS, SDT_TCX_INGRESS, 0 },
	{ "tc/egress", BPF_PROG_TYPE_SCHED_CLS, SDT_TCX_EGRESS, 0 },
	{ "tcx/ingress", BPF_PROG_TYPE_SCHED_CLS, SDT_TCX_INGRESS, 0 },
	{ "tcx/egress", BPF_PROG_TYPE_SCHED_CLS, SDT_TCX_EGRESS, 0 },
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, 0 },
	{ "cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, 0 },
	{ "cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, 0 },
	{ "cgroup/skb", BPF_PROG_TYPE_CGROUP_SKB, 0, 0 },
	/* Observers: loaded as raw tracepoint programs (a context of u64
	 * arguments, as BPF_PROG() reads it) so that libbpf relocates them and
	 * creates their maps; see observer_stub(). */
	{ OBSERVER_SECTION, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0 },
	/* Sections libbpf does not know (iproute2's SEC("prog"), ...): typeless
	 * until given the running program's type or the user's (prog_types.c),
	 * then captured like the others. */
	{ NULL, BPF_PROG_TYPE_UNSPEC, 0, 0 },
};

/*
 * An observer's code is only meaningful inside an armed copy, where the
 * verifier knows what its arguments are (a packet pointer stays a packet
 * pointer); on its own every argument is a scalar and a perfectly good
 * observer that reads a packet would be rejected. So the kernel is handed
 * `r0 = 0; exit` for it here, and its real code is verified when it is
 * relinked into a target.
 */
static int observer_stub(struct bpf_program *prog, struct bpf_prog_load_opts *opts)
{
	static const struct bpf_insn stub[] = { BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN() };

	if (opts->func_info_cnt > 1)
		opts->func_info_cnt = 1; /* the main function only */
	opts->line_info = NULL;
	opts->line_info_cnt = 0;
	return bpf_program__set_insns(prog, (struct bpf_insn *)stub, 2);
}

/*
 * The records. libbpf calls the handlers for every program anyone in the
 * process loads, so what is kept is bounded by what is still of use:
 *
 * - a program libbpfsdt loads itself (sdt_object_load(), the live
 *   rebuild's gen loader) is recorded for the object it loads, and the
 *   target that loaded it takes what it needs and drops the rest
 *   (sdt_capture_drop()) before its open returns;
 * - a program the caller loads (an observer, an object to adopt with
 *   bpf_sdt_target__from_object()) is kept while its object is open: the
 *   record remembers the object's BTF fd and its kernel id, and is pruned
 *   once that fd no longer names that BTF (libbpf closes it with the
 *   object). A program without BTF is not kept: nothing could use it.
 *
 * So a daemon opening and closing targets and loading objects of its own
 * keeps records only of what it holds open.
 */
struct record {
	struct sdt_prog_capture cap;
	const void *owner;	/* the object libbpfsdt loaded it for; NULL: the caller's */
	int btf_fd;		/* a caller's object's BTF fd, when recorded */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_err;
static struct record *records;
static size_t record_cnt, record_cap;
/* the object this thread's libbpfsdt is loading, between begin and end */
static __thread const void *loading_for;

static void *dup_mem(const void *src, size_t size)
{
	void *p;

	if (!src || !size)
		return NULL;
	p = malloc(size);
	if (p)
		memcpy(p, src, size);
	return p;
}

int sdt_capture_dup(const struct sdt_prog_capture *src, struct sdt_prog_capture *dst)
{
	*dst = *src;
	dst->insns = dup_mem(src->insns, (size_t)src->insn_cnt * sizeof(struct bpf_insn));
	dst->func_info = dup_mem(src->func_info, (size_t)src->func_info_cnt * src->func_info_rec_size);
	dst->line_info = dup_mem(src->line_info, (size_t)src->line_info_cnt * src->line_info_rec_size);
	dst->load_stats = src->load_stats ? strdup(src->load_stats) : NULL;
	if ((src->insn_cnt && !dst->insns) || (src->func_info_cnt && !dst->func_info) ||
	    (src->line_info_cnt && !dst->line_info) || (src->load_stats && !dst->load_stats)) {
		sdt_capture_release(dst);
		return -ENOMEM;
	}
	return 0;
}

void sdt_capture_release(struct sdt_prog_capture *cap)
{
	free(cap->insns);
	free(cap->func_info);
	free(cap->line_info);
	free(cap->load_stats);
	memset(cap, 0, sizeof(*cap));
}

/* Does fd still name BTF object id? (A closed fd's number may have been
 * given to anything since: to another BTF, whose id differs.) */
static bool names_btf(int fd, __u32 id)
{
	struct bpf_btf_info info = {};
	__u32 len = sizeof(info);
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno != ENOENT; /* no /proc to ask: kept */
	target[n] = '\0';
	return !strcmp(target, "anon_inode:btf") && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       info.id == id;
}

static void take_record(size_t i)
{
	records[i] = records[--record_cnt];
}

/* Drops the records of the caller's objects closed since (lock held). */
static void prune_closed(void)
{
	size_t i;

	for (i = record_cnt; i-- > 0;) {
		if (records[i].owner || names_btf(records[i].btf_fd, records[i].cap.btf_id))
			continue;
		sdt_capture_release(&records[i].cap);
		take_record(i);
	}
}

static int record(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long idx)
{
	struct sdt_prog_capture cap = {
		.prog = prog,
		.type = bpf_program__type(prog),
		.expected_attach_type = opts->expected_attach_type,
		.prog_flags = opts->prog_flags | handlers[idx].flags,
		.kern_version = opts->kern_version,
		.prog_ifindex = opts->prog_ifindex,
		.insns = (struct bpf_insn *)bpf_program__insns(prog),
		.insn_cnt = bpf_program__insn_cnt(prog),
		.func_info = (void *)opts->func_info,
		.func_info_cnt = opts->func_info_cnt,
		.func_info_rec_size = opts->func_info_rec_size,
		.line_info = (void *)opts->line_info,
		.line_info_cnt = opts->line_info_cnt,
		.line_info_rec_size = opts->line_info_rec_size,
	};
	struct record r = { .owner = loading_for, .btf_fd = (int)opts->prog_btf_fd };
	struct bpf_btf_info info = {};
	__u32 len = sizeof(info);
	bool observer = handlers[idx].sec && !strcmp(handlers[idx].sec, OBSERVER_SECTION);
	int err;

	if (opts->prog_btf_fd > 0 && !bpf_obj_get_info_by_fd(opts->prog_btf_fd, &info, &len))
		cap.btf_id = info.id;
	opts->prog_flags = cap.prog_flags;
	if (!r.owner && !cap.btf_id) /* a caller's program without BTF */
		return observer ? observer_stub(prog, opts) : 0;
	err = sdt_capture_dup(&cap, &r.cap);
	if (err)
		return err;
	pthread_mutex_lock(&lock);
	prune_closed();
	if (record_cnt == record_cap) {
		size_t n = record_cap ? record_cap * 2 : 16;
		struct record *grown = realloc(records, n * sizeof(*records));

		if (!grown) {
			pthread_mutex_unlock(&lock);
			sdt_capture_release(&r.cap);
			return -ENOMEM;
		}
		records = grown;
		record_cap = n;
	}
	records[record_cnt++] = r;
	pthread_mutex_unlock(&lock);
	return observer ? observer_stub(prog, opts) : 0;
}

static void register_handlers(void)
{
	size_t i;
	int id;

	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, opts, .cookie = (long)i,
			    .prog_prepare_load_fn = record);

		id = libbpf_register_prog_handler(handlers[i].sec, handlers[i].type,
						  handlers[i].attach, &opts);
		if (id < 0 && !handlers[i].sec) {
			/* the application has its own fallback: keep it */
			pr_debug("libbpfsdt: no fallback handler: %s", strerror(-id));
		} else if (id < 0) {
			init_err = id;
			pr_warn("libbpfsdt: cannot register a libbpf handler for SEC(\"%s\"): %s",
				handlers[i].sec, strerror(-id));
			return;
		}
	}
}

int sdt_capture_init(void)
{
	pthread_once(&once, register_handlers);
	return init_err;
}

int libbpfsdt_init(void)
{
	return sdt_capture_init();
}

static int lookup(const struct bpf_program *prog, struct sdt_prog_capture *out, bool take)
{
	size_t i;
	int err = -ENOENT;

	pthread_mutex_lock(&lock);
	prune_closed();
	/* The newest record wins: a program object may be reused by the
	 * allocator after an earlier object was closed. */
	for (i = record_cnt; i-- > 0;) {
		if (records[i].cap.prog != prog)
			continue;
		if (take) {
			*out = records[i].cap;
			take_record(i);
			err = 0;
		} else {
			err = sdt_capture_dup(&records[i].cap, out);
		}
		break;
	}
	pthread_mutex_unlock(&lock);
	return err;
}

int sdt_capture_keep_stats(const struct bpf_program *prog, const char *stats)
{
	char *copy = strdup(stats);
	size_t i;
	int err = -ENOENT;

	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&lock);
	prune_closed();
	for (i = record_cnt; i-- > 0;) { /* the newest, as lookup() */
		if (records[i].cap.prog != prog)
			continue;
		free(records[i].cap.load_stats);
		records[i].cap.load_stats = copy;
		copy = NULL;
		err = 0;
		break;
	}
	pthread_mutex_unlock(&lock);
	free(copy);
	return err;
}

int sdt_capture_take(const struct bpf_program *prog, struct sdt_prog_capture *out)
{
	return lookup(prog, out, true);
}

int sdt_capture_copy(const struct bpf_program *prog, struct sdt_prog_capture *out)
{
	return lookup(prog, out, false);
}

void sdt_capture_begin(const struct bpf_object *obj)
{
	loading_for = obj;
}

void sdt_capture_end(void)
{
	loading_for = NULL;
}

void sdt_capture_drop(const struct bpf_object *obj)
{
	size_t i;

	if (!obj)
		return;
	pthread_mutex_lock(&lock);
	for (i = record_cnt; i-- > 0;) {
		if (records[i].owner != obj)
			continue;
		sdt_capture_release(&records[i].cap);
		take_record(i);
	}
	pthread_mutex_unlock(&lock);
}

size_t sdt_capture_count(void)
{
	size_t n;

	pthread_mutex_lock(&lock);
	prune_closed();
	n = record_cnt;
	if (!n) { /* nothing held: nor is the table */
		free(records);
		records = NULL;
		record_cap = 0;
	}
	pthread_mutex_unlock(&lock);
	return n;
}
