// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dup3() */
#endif
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "arm/native.h"
#include "insn/emit.h"
#include "target/prog_load.h"

#define PROTO_PREFIX "___bpf_sdt_proto__"
#define NATIVE_LOG_SIZE (1u << 20)

static const struct bpf_insn return_zero[] = { BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN() };

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static bool available, guards_available;

/* A socket filter `goto +0; r0 = 0; exit` whose first instruction is a
 * site of probe p(void): loads only where the kernel takes sites. */
static void probe_kernel(void)
{
	const struct bpf_insn insns[] = {
		BPF_JMP_A(0), BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN(),
	};
	struct sdt_prog_capture attrs = { .type = BPF_PROG_TYPE_SOCKET_FILTER,
					  .func_info_rec_size = sizeof(struct bpf_func_info) };
	struct bpf_func_info fi = { 0, 0 };
	struct sdt_kernel_site site = { .insn_off = 0 };
	struct sdt_load_req req = {
		.attrs = &attrs, .name = "sdt_feature", .license = "GPL",
		.insns = insns, .insn_cnt = 3, .func_info = &fi, .func_info_cnt = 1,
		.sites = &site, .site_cnt = 1,
	};
	struct btf *btf = btf__new_empty();
	int i32, main_proto, probe_proto, fd;

	if (!btf)
		return;
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	main_proto = btf__add_func_proto(btf, i32);
	fi.type_id = btf__add_func(btf, "sdt_feature", BTF_FUNC_GLOBAL, main_proto);
	probe_proto = btf__add_func_proto(btf, 0);
	site.btf_id = btf__add_func(btf, PROTO_PREFIX "p", BTF_FUNC_STATIC, probe_proto);
	if (i32 > 0 && (int)fi.type_id > 0 && (int)site.btf_id > 0 && !btf__load_into_kernel(btf)) {
		req.btf_fd = btf__fd(btf);
		fd = sdt_prog_load(&req);
		available = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	btf__free(btf);
	pr_debug("libbpfsdt: in-kernel SDT %savailable", available ? "" : "not ");
}

/* A socket filter with one guard of probe p(void) around `r0 = 1`, which
 * loads with the guard only where the kernel makes guards static branches. */
static void probe_guards(void)
{
	struct bpf_insn insns[] = {
		BPF_LD_IMM64_RAW(BPF_REG_0, BPF_PSEUDO_MAP_VALUE, 0),	/* imm: the map's fd */
		BPF_LDX_MEM(BPF_B, BPF_REG_0, BPF_REG_0, 0),
		BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 2),
		return_zero[0], return_zero[1],
		BPF_MOV64_IMM(BPF_REG_0, 1), BPF_EXIT_INSN(),
	};
	struct sdt_prog_capture attrs = { .type = BPF_PROG_TYPE_SOCKET_FILTER,
					  .func_info_rec_size = sizeof(struct bpf_func_info) };
	struct bpf_func_info fi = { 0, 0 };
	struct sdt_kernel_guard guard = { .insn_off = 0 };
	struct sdt_load_req req = {
		.attrs = &attrs, .name = "sdt_feature", .license = "GPL",
		.insns = insns, .insn_cnt = 8, .func_info = &fi, .func_info_cnt = 1,
		.guards = &guard, .guard_cnt = 1,
	};
	struct btf *btf = btf__new_empty();
	int i32, map_fd, fd;

	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sdt_feature", 4, 1, 1, NULL);
	if (!btf || map_fd < 0)
		goto out;
	insns[0].imm = map_fd;
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	fi.type_id = btf__add_func(btf, "sdt_feature", BTF_FUNC_GLOBAL,
				   btf__add_func_proto(btf, i32));
	guard.btf_id = btf__add_func(btf, PROTO_PREFIX "p", BTF_FUNC_STATIC,
				     btf__add_func_proto(btf, 0));
	if (i32 > 0 && (int)fi.type_id > 0 && (int)guard.btf_id > 0 && !btf__load_into_kernel(btf)) {
		req.btf_fd = btf__fd(btf);
		fd = sdt_prog_load(&req);
		guards_available = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
out:
	if (map_fd >= 0)
		close(map_fd);
	btf__free(btf);
	pr_debug("libbpfsdt: in-kernel SDT guards %savailable", guards_available ? "" : "not ");
}

static void probe_all(void)
{
	probe_kernel();
	if (available)
		probe_guards();
}

bool sdt_native_available(void)
{
	const char *env = getenv("BPFSDT_NATIVE");

	if (env && !strcmp(env, "0"))
		return false;
	pthread_once(&probe_once, probe_all);
	return available;
}

/* Whether the kernel also makes guards static branches: a program with
 * guards is native only then (its guarded sites are dead code otherwise). */
static bool guards_fit(const struct sdt_target_prog *tp)
{
	return !tp->guard_cnt || guards_available;
}

/* Whether the kernel can take every site of tp: at most 5 arguments, each
 * in a register. */
static bool sites_fit(const struct sdt_target_prog *tp)
{
	size_t i;
	int a;

	for (i = 0; i < tp->site_cnt; i++) {
		const struct bpf_sdt_site *s = tp->sites[i].site;

		if (bpf_sdt_site__arg_cnt(s) > SDT_KERNEL_SITE_MAX_ARGS)
			return false;
		for (a = 0; a < bpf_sdt_site__arg_cnt(s); a++)
			if (bpf_sdt_site__arg(s, a)->kind != BPF_SDT_ARG_REG)
				return false;
	}
	return true;
}

/* The FUNC carrying probe's prototype in btf, or -ENOENT. */
static int carrier_id(const struct btf *btf, const struct bpf_sdt_probe *probe)
{
	char name[256];

	if (!btf || snprintf(name, sizeof(name), PROTO_PREFIX "%s", bpf_sdt_probe__name(probe)) >=
			    (int)sizeof(name))
		return -ENOENT;
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
}

/* The FUNC of a function probe's no-op function (BPF_SDT_FUNCn), 0 if the
 * probe has none. */
static __u32 func_id(const struct btf *btf, const struct bpf_sdt_probe *probe)
{
	int id;

	if (!bpf_sdt_probe__is_func(probe))
		return 0;
	id = btf__find_by_name_kind(btf, bpf_sdt_probe__name(probe), BTF_KIND_FUNC);
	return id > 0 ? (__u32)id : 0;
}

/* tp's guards as the kernel takes them; those of probes without a FUNC
 * carrier (more than five arguments) are left out: they read their 0. */
static int kernel_guards(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
			 struct sdt_kernel_guard **out, __u32 *cnt)
{
	size_t i;
	int id;

	*cnt = 0;
	*out = calloc(tp->guard_cnt ? tp->guard_cnt : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < tp->guard_cnt; i++) {
		const struct bpf_sdt_probe *probe = bpf_sdt_guard__probe(tp->guards[i].guard);

		id = carrier_id(t->btf, probe);
		if (id < 0)
			continue;
		(*out)[*cnt] = (struct sdt_kernel_guard){ .insn_off = tp->guards[i].idx,
							  .btf_id = (__u32)id,
							  .func_btf_id = func_id(t->btf, probe) };
		(*cnt)++;
	}
	return 0;
}

static int reload_with_sites(struct bpf_sdt_target *t, struct sdt_target_prog *tp)
{
	struct sdt_kernel_site *sites = calloc(tp->site_cnt, sizeof(*sites));
	struct sdt_kernel_guard *guards = NULL;
	struct sdt_load_req req;
	size_t i;
	int a, fd, id;

	if (!sites)
		return -ENOMEM;
	sdt_target_prog_load_req(t, tp, &req);
	req.btf_fd = btf__fd(t->btf); /* sites name FUNCs of the program's BTF */
	req.sites = sites;
	req.site_cnt = (__u32)tp->site_cnt;
	for (i = 0; i < tp->site_cnt; i++) {
		const struct bpf_sdt_site *s = tp->sites[i].site;

		id = carrier_id(t->btf, bpf_sdt_site__probe(s));
		if (id < 0) {
			free(sites);
			return id;
		}
		sites[i].insn_off = tp->sites[i].idx;
		sites[i].btf_id = (__u32)id;
		sites[i].nargs = (__u8)bpf_sdt_site__arg_cnt(s);
		sites[i].id = (__u16)bpf_sdt_site__id(s);
		for (a = 0; a < sites[i].nargs; a++)
			sites[i].regs[a] = bpf_sdt_site__arg(s, a)->reg;
	}
	fd = kernel_guards(t, tp, &guards, &req.guard_cnt);
	if (fd) {
		free(sites);
		return fd;
	}
	req.guards = guards;
	fd = sdt_prog_load(&req);
	if (fd == -EACCES || fd == -EINVAL) { /* once more for the verifier's reasons */
		req.log_size = NATIVE_LOG_SIZE;
		req.log_buf = malloc(NATIVE_LOG_SIZE);
		if (req.log_buf) {
			fd = sdt_prog_load(&req);
			if (fd < 0) {
				pr_warn("%s: program %s: the kernel refused its SDT sites or guards (%s); its probes are armed by relinking:",
					t->name, tp->name, strerror(-fd));
				sdt_pr_verifier_tail(req.log_buf);
			}
			free(req.log_buf);
		}
	} else if (fd < 0) {
		pr_warn("%s: program %s: loading it with its SDT sites failed (%s); its probes are armed by relinking",
			t->name, tp->name, strerror(-fd));
	}
	free(sites);
	free(guards);
	return fd;
}

/* The kernel's copy of a program's BTF, where its carriers' ids are. */
static struct btf *prog_btf(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) || !info.btf_id)
		return NULL;
	return btf__load_from_kernel_by_id(info.btf_id);
}

void sdt_native_adopt(struct bpf_sdt_target *t)
{
	size_t i;
	int fd;

	if (t->offline || !sdt_native_available() || !t->btf || btf__fd(t->btf) < 0)
		return;
	for (i = 0; i < t->prog_cnt; i++) {
		struct sdt_target_prog *tp = &t->progs[i];

		if (!tp->captured || !tp->site_cnt || tp->orig_fd < 0 || !sites_fit(tp) ||
		    !guards_fit(tp))
			continue;
		fd = reload_with_sites(t, tp);
		if (fd < 0)
			continue;
		/* the program's fd (libbpf's too) now names the load with
		 * sites; the one without goes with its last reference */
		if (dup3(fd, tp->orig_fd, O_CLOEXEC) >= 0)
			tp->kbtf = prog_btf(tp->orig_fd);
		tp->native = tp->kbtf != NULL;
		close(fd);
		if (tp->native)
			pr_info("%s: program %s: loaded with its %zu SDT site%s%s: observers are linked in the kernel",
				t->name, tp->name, tp->site_cnt, tp->site_cnt == 1 ? "" : "s",
				tp->guard_cnt ? " and guards" : "");
	}
}

/* Loads `r0 = 0; exit` as an observer of probe in tp: the kernel refuses
 * it with ENOENT when tp's program holds no site of the probe. */
static int load_observer(const struct sdt_target_prog *tp, const struct bpf_sdt_probe *probe,
			 const struct sdt_native_code *c, char *log, __u32 log_size)
{
	struct sdt_prog_capture attrs = { .type = BPF_PROG_TYPE_TRACING,
					  .expected_attach_type = SDT_BPF_TRACE_SDT };
	struct sdt_load_req req = {
		.attrs = &attrs,
		.name = c->name,
		.license = c->license,
		.insns = c->code->insns,
		.insn_cnt = c->code->insn_cnt,
		.btf_fd = -1,
		.attach_prog_fd = tp->orig_fd,
		.log_buf = log,
		.log_size = log_size,
		.log_level = log ? 1 : 0,
	};
	int id = carrier_id(tp->kbtf, probe), btf_fd = -1, fd;

	if (id < 0)
		return -ENOENT;
	req.attach_btf_id = (__u32)id;
	if (c->has_btf && c->code->btf_id && c->code->func_info_cnt) {
		btf_fd = bpf_btf_get_fd_by_id(c->code->btf_id);
		if (btf_fd < 0)
			return -errno;
		attrs.func_info_rec_size = c->code->func_info_rec_size;
		attrs.line_info_rec_size = c->code->line_info_rec_size;
		req.btf_fd = btf_fd;
		req.func_info = c->code->func_info;
		req.func_info_cnt = c->code->func_info_cnt;
		req.line_info = c->code->line_info;
		req.line_info_cnt = c->code->line_info_cnt;
	}
	fd = sdt_prog_load(&req);
	if (btf_fd >= 0)
		close(btf_fd);
	return fd;
}

/* Whether the running program still reads its guards' map: its guards are
 * loads the verifier resolved (it was loaded without them), not static
 * branches, and its guarded sites are gone. The translated program names
 * the map by id. */
static bool reads_guards_map(const struct sdt_target_prog *tp)
{
	struct bpf_prog_info info;
	struct bpf_map_info minfo;
	__u32 len = sizeof(info), mlen = sizeof(minfo), n, i;
	struct bpf_insn *insns;
	bool reads = true;

	memset(&minfo, 0, sizeof(minfo));
	memset(&info, 0, sizeof(info));
	if (tp->guards_map_fd < 0 || bpf_obj_get_info_by_fd(tp->guards_map_fd, &minfo, &mlen) ||
	    bpf_obj_get_info_by_fd(tp->orig_fd, &info, &len))
		return true;
	n = info.xlated_prog_len / sizeof(*insns);
	insns = calloc(n ? n : 1, sizeof(*insns));
	if (!insns)
		return true;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = n * sizeof(*insns);
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(tp->orig_fd, &info, &len)) {
		reads = false;
		for (i = 0; i + 1 < n && !reads; i++)
			reads = insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
				insns[i].src_reg == BPF_PSEUDO_MAP_VALUE &&
				(__u32)insns[i].imm == minfo.id;
	}
	free(insns);
	return reads;
}

void sdt_native_detect(struct bpf_sdt_target *t, struct sdt_target_prog *tp)
{
	struct sdt_prog_capture stub = { .insns = (struct bpf_insn *)return_zero, .insn_cnt = 2 };
	struct sdt_native_code c = { .name = "sdt_detect", .code = &stub, .license = "GPL" };
	int fd;

	if (t->offline || !tp->site_cnt || tp->orig_fd < 0 || !sites_fit(tp) ||
	    !sdt_native_available())
		return;
	if (tp->guard_cnt && (!guards_fit(tp) || reads_guards_map(tp))) {
		pr_debug("%s: program %s runs without its guards as static branches: armed by relinking",
			 t->name, tp->name);
		return;
	}
	if (!tp->kbtf)
		tp->kbtf = prog_btf(tp->orig_fd);
	fd = tp->kbtf ? load_observer(tp, bpf_sdt_site__probe(tp->sites[0].site), &c, NULL, 0) : -1;
	if (fd >= 0) {
		tp->native = true;
		close(fd);
	}
	if (tp->native)
		pr_info("%s: program %s runs with its SDT sites: observers are linked in the kernel, it is not swapped",
			t->name, tp->name);
	else
		pr_debug("%s: program %s was loaded without its SDT sites: armed by relinking",
			 t->name, tp->name);
}

static int link_create(int prog_fd, __u64 cookie)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = (__u32)prog_fd;
	attr.link_create.attach_type = SDT_BPF_TRACE_SDT;
	attr.link_create.tracing.cookie = cookie;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

int sdt_native_link(const struct bpf_sdt_target *t, const struct sdt_target_prog *tp,
		    const struct bpf_sdt_probe *probe, const struct sdt_native_code *c,
		    int *prog_fd)
{
	char *log;
	int fd, link_fd;

	fd = load_observer(tp, probe, c, NULL, 0);
	if (fd == -EACCES || fd == -EINVAL) {
		log = malloc(NATIVE_LOG_SIZE);
		fd = log ? load_observer(tp, probe, c, log, NATIVE_LOG_SIZE) : -ENOMEM;
		if (fd < 0) {
			pr_warn("%s: observer %s (probe %s, program %s): the kernel verifier refused it (%s):",
				t->name, c->name, bpf_sdt_probe__name(probe), tp->name, strerror(-fd));
			if (log)
				sdt_pr_verifier_tail(log);
		}
		free(log);
	} else if (fd < 0) {
		pr_warn("%s: observer %s (probe %s, program %s): loading it failed: %s", t->name,
			c->name, bpf_sdt_probe__name(probe), tp->name, strerror(-fd));
	}
	if (fd < 0)
		return fd;
	link_fd = link_create(fd, c->cookie);
	if (link_fd < 0) {
		pr_warn("%s: observer %s (probe %s, program %s): linking it failed: %s", t->name,
			c->name, bpf_sdt_probe__name(probe), tp->name, strerror(-link_fd));
		close(fd);
		return link_fd;
	}
	*prog_fd = fd;
	return link_fd;
}
