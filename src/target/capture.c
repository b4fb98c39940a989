// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
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

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_err;
static struct sdt_prog_capture *captures;
static size_t capture_cnt, capture_cap;

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
	if ((src->insn_cnt && !dst->insns) || (src->func_info_cnt && !dst->func_info) ||
	    (src->line_info_cnt && !dst->line_info)) {
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
	memset(cap, 0, sizeof(*cap));
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
	struct sdt_prog_capture copy;
	struct bpf_btf_info info = {};
	__u32 len = sizeof(info);
	int err;

	if (opts->prog_btf_fd > 0 && !bpf_obj_get_info_by_fd(opts->prog_btf_fd, &info, &len))
		cap.btf_id = info.id;
	opts->prog_flags = cap.prog_flags;
	err = sdt_capture_dup(&cap, &copy);
	if (err)
		return err;
	pthread_mutex_lock(&lock);
	if (capture_cnt == capture_cap) {
		size_t n = capture_cap ? capture_cap * 2 : 16;
		struct sdt_prog_capture *grown = realloc(captures, n * sizeof(*captures));

		if (!grown) {
			pthread_mutex_unlock(&lock);
			sdt_capture_release(&copy);
			return -ENOMEM;
		}
		captures = grown;
		capture_cap = n;
	}
	captures[capture_cnt++] = copy;
	pthread_mutex_unlock(&lock);
	return handlers[idx].sec && !strcmp(handlers[idx].sec, OBSERVER_SECTION) ?
	       observer_stub(prog, opts) : 0;
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
	/* The newest record wins: a program object may be reused by the
	 * allocator after an earlier object was closed. */
	for (i = capture_cnt; i-- > 0;) {
		if (captures[i].prog != prog)
			continue;
		if (take) {
			*out = captures[i];
			captures[i] = captures[--capture_cnt];
			err = 0;
		} else {
			err = sdt_capture_dup(&captures[i], out);
		}
		break;
	}
	pthread_mutex_unlock(&lock);
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
