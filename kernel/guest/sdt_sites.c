// SPDX-License-Identifier: GPL-2.0
/* Guest tests of SDT sites at BPF_PROG_LOAD (patches 1-2): hand-assembled
 * XDP programs with BTF made by the tree's libbpf, loaded with the raw
 * syscall so that every attribute is visible here.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "insn/emit.h"
#include "runner.h"
#include "sdt_sites.h"
#include "guest_util.h"

/* a site's NOP as bpf_sdt.h leaves it */
#define SITE_NOP() BPF_JMP_A(0)

/* BTF for the tests: main's FUNC (int (void *ctx)), and one probe carrier
 * per prototype: ___bpf_sdt_proto__<name> as bpf_sdt.h emits it. */
struct test_btf {
	struct btf *btf;
	int fd;
	__u32 main_func;
	__u32 probe0;		/* probe0(void) */
	__u32 probe_ints;	/* probe_ints(int, int) */
	__u32 probe_ptr;	/* probe_ptr(int *) */
};

static int make_btf(struct test_btf *b)
{
	int i32, vptr, iptr, proto;

	memset(b, 0, sizeof(*b));
	b->btf = btf__new_empty();
	if (!b->btf)
		return test_fail("btf__new_empty: %s", strerror(errno));
	i32 = btf__add_int(b->btf, "int", 4, BTF_INT_SIGNED);
	vptr = btf__add_ptr(b->btf, 0);
	iptr = btf__add_ptr(b->btf, i32);
	proto = btf__add_func_proto(b->btf, i32);
	btf__add_func_param(b->btf, "ctx", vptr);
	b->main_func = btf__add_func(b->btf, "main", BTF_FUNC_GLOBAL, proto);
	proto = btf__add_func_proto(b->btf, 0);
	b->probe0 = btf__add_func(b->btf, "___bpf_sdt_proto__probe0", BTF_FUNC_STATIC, proto);
	proto = btf__add_func_proto(b->btf, 0);
	btf__add_func_param(b->btf, "a1", i32);
	btf__add_func_param(b->btf, "a2", i32);
	b->probe_ints = btf__add_func(b->btf, "___bpf_sdt_proto__probe_ints", BTF_FUNC_STATIC, proto);
	proto = btf__add_func_proto(b->btf, 0);
	btf__add_func_param(b->btf, "a1", iptr);
	b->probe_ptr = btf__add_func(b->btf, "___bpf_sdt_proto__probe_ptr", BTF_FUNC_STATIC, proto);
	if ((int)b->probe_ptr < 0 || btf__load_into_kernel(b->btf))
		return test_fail("building the test BTF: %s", strerror(errno));
	b->fd = btf__fd(b->btf);
	return 0;
}

/* Loads insns as XDP with the sites given (site_cnt may be 0); the fd, or
 * -errno with the verifier's log in log. */
static int load(const struct test_btf *b, const struct bpf_insn *insns, __u32 cnt,
		const struct bpf_sdt_site_info *sites, __u32 site_cnt, char *log, size_t log_size)
{
	struct bpf_func_info fi = { .insn_off = 0, .type_id = b->main_func };
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = cnt;
	attr.license = (unsigned long)"GPL";
	attr.prog_btf_fd = b->fd;
	attr.func_info = (unsigned long)&fi;
	attr.func_info_cnt = 1;
	attr.func_info_rec_size = sizeof(fi);
	attr.log_buf = (unsigned long)log;
	attr.log_size = log_size;
	attr.log_level = 1;
	attr.sdt_sites = (unsigned long)sites;
	attr.sdt_site_cnt = site_cnt;
	attr.sdt_site_rec_size = site_cnt ? sizeof(*sites) : 0;
	log[0] = '\0';
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

static int index_of_nop(const struct bpf_insn *insns, __u32 cnt)
{
	const struct bpf_insn nop = SITE_NOP();
	__u32 i;

	for (i = 0; i < cnt; i++)
		if (!memcmp(&insns[i], &nop, sizeof(nop)))
			return (int)i;
	return -1;
}

/* A site keeps its `goto +0` through verification (without sites the
 * verifier deletes it) and the JIT makes it a 5-byte NOP: the image holds
 * two (the prologue's patchable NOP, the site's) instead of one. */
int test_sdt_site_keeps_its_nop_and_gets_a_nop5(void)
{
	const struct bpf_insn prog[] = { BPF_MOV64_IMM(0, XDP_PASS), SITE_NOP(), BPF_EXIT_INSN() };
	struct bpf_sdt_site_info site = { .insn_off = 1 };
	struct bpf_insn xlated[16];
	unsigned char jited[512];
	struct test_btf b;
	static char log[65536];
	int fd_site = -1, fd_plain = -1, err = -1;
	__u32 xcnt, jlen;

	if (make_btf(&b))
		return -1;
	site.btf_id = b.probe0;
	fd_site = load(&b, prog, 3, &site, 1, log, sizeof(log));
	if (fd_site < 0) {
		test_fail("load with a site: %s; log: %s", strerror(-fd_site), log);
		goto out;
	}
	fd_plain = load(&b, prog, 3, NULL, 0, log, sizeof(log));
	if (fd_plain < 0) {
		test_fail("load without sites: %s", strerror(-fd_plain));
		goto out;
	}
	xcnt = 16, jlen = sizeof(jited);
	if (prog_dump(fd_site, xlated, &xcnt, jited, &jlen))
		goto out;
	if (xcnt != 3 || index_of_nop(xlated, xcnt) != 1) {
		test_fail("with a site: %u translated insns, NOP at %d; expected 3, at 1", xcnt,
			  index_of_nop(xlated, xcnt));
		goto out;
	}
	if (count_nop5(jited, jlen) != 2) {
		test_fail("with a site: %d 5-byte NOPs in %u JITed bytes, expected 2",
			  count_nop5(jited, jlen), jlen);
		goto out;
	}
	xcnt = 16, jlen = sizeof(jited);
	if (prog_dump(fd_plain, xlated, &xcnt, jited, &jlen))
		goto out;
	if (xcnt != 2 || count_nop5(jited, jlen) != 1) {
		test_fail("without sites: %u insns and %d 5-byte NOPs, expected 2 and 1", xcnt,
			  count_nop5(jited, jlen));
		goto out;
	}
	if (xdp_test_run(fd_site, 0, 1, NULL) != XDP_PASS) {
		test_fail("the program with a site does not return XDP_PASS");
		goto out;
	}
	err = 0;
out:
	if (fd_site >= 0)
		close(fd_site);
	if (fd_plain >= 0)
		close(fd_plain);
	btf__free(b.btf);
	return err;
}

/* A call the verifier inlines before the site (bpf_get_smp_processor_id
 * becomes three instructions on x86): the site's NOP moves with it. */
int test_sdt_site_follows_rewrites_before_it(void)
{
	const struct bpf_insn prog[] = {
		BPF_EMIT_CALL(BPF_FUNC_get_smp_processor_id), BPF_MOV64_REG(1, 0), BPF_MOV64_IMM(2, 7),
		SITE_NOP(), BPF_MOV64_IMM(0, XDP_PASS), BPF_EXIT_INSN(),
	};
	struct bpf_sdt_site_info site = { .insn_off = 3, .nargs = 2, .regs = { 1, 2 } };
	struct bpf_insn xlated[32];
	unsigned char jited[1024];
	struct test_btf b;
	static char log[65536];
	__u32 xcnt = 32, jlen = sizeof(jited);
	int fd, err = -1, at;

	if (make_btf(&b))
		return -1;
	site.btf_id = b.probe_ints;
	fd = load(&b, prog, 6, &site, 1, log, sizeof(log));
	if (fd < 0) {
		test_fail("load: %s; log: %s", strerror(-fd), log);
		goto out;
	}
	if (prog_dump(fd, xlated, &xcnt, jited, &jlen))
		goto out;
	at = index_of_nop(xlated, xcnt);
	if (xcnt <= 6 || at != (int)xcnt - 3) {
		test_fail("%u translated insns (the call not inlined?), NOP at %d, expected %u",
			  xcnt, at, xcnt - 3);
		goto out;
	}
	if (count_nop5(jited, jlen) != 2) {
		test_fail("%d 5-byte NOPs in the image, expected 2", count_nop5(jited, jlen));
		goto out;
	}
	err = 0;
out:
	if (fd >= 0)
		close(fd);
	btf__free(b.btf);
	return err;
}

/* Expects the load to fail with -EACCES and the log to say `says`. */
static int expect_refused(const struct bpf_insn *prog, __u32 cnt, struct bpf_sdt_site_info *site,
			  const struct test_btf *b, const char *says)
{
	static char log[65536];
	int fd = load(b, prog, cnt, site, 1, log, sizeof(log));

	if (fd >= 0) {
		close(fd);
		return test_fail("loaded; expected the verifier to refuse: %s", says);
	}
	if (fd != -EACCES)
		return test_fail("load failed with %s, expected EACCES; log: %s", strerror(-fd), log);
	if (!strstr(log, says))
		return test_fail("the log does not say \"%s\": %s", says, log);
	return 0;
}

/* A packet pointer passed for an int argument. */
int test_sdt_site_refuses_a_pointer_for_an_int(void)
{
	const struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_W, 1, 1, 0 /* data */), BPF_MOV64_IMM(2, 1), SITE_NOP(),
		BPF_MOV64_IMM(0, XDP_PASS), BPF_EXIT_INSN(),
	};
	struct bpf_sdt_site_info site = { .insn_off = 2, .nargs = 2, .regs = { 1, 2 } };
	struct test_btf b;
	int err;

	if (make_btf(&b))
		return -1;
	site.btf_id = b.probe_ints;
	err = expect_refused(prog, 5, &site, &b,
			     "sdt: probe probe_ints site 0 arg 0 (R1): expected a scalar, got pkt");
	btf__free(b.btf);
	return err;
}

/* A map value that may be NULL passed for a pointer argument. */
int test_sdt_site_refuses_a_maybe_null_pointer(void)
{
	struct test_btf b;
	int map, err;

	if (make_btf(&b))
		return -1;
	map = bpf_map_create(BPF_MAP_TYPE_HASH, "sdt_vals", 4, 4, 1, NULL);
	if (map < 0) {
		btf__free(b.btf);
		return test_fail("bpf_map_create: %s", strerror(errno));
	}
	{
		const struct bpf_insn prog[] = {
			BPF_ST_MEM(BPF_W, 10, -4, 0), BPF_MOV64_REG(2, 10), BPF_ALU64_IMM(BPF_ADD, 2, -4),
			BPF_LD_MAP_FD(1, map), BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),
			SITE_NOP(), BPF_MOV64_IMM(0, XDP_PASS), BPF_EXIT_INSN(),
		};
		struct bpf_sdt_site_info site = { .insn_off = 6, .nargs = 1, .regs = { 0 },
					     .btf_id = b.probe_ptr };

		err = expect_refused(prog, 9, &site, &b,
				     "sdt: probe probe_ptr site 0 arg 0 (R0): expected a non-NULL pointer, got map_value_or_null");
	}
	close(map);
	btf__free(b.btf);
	return err;
}

/* An argument register nothing wrote. */
int test_sdt_site_refuses_an_uninitialized_register(void)
{
	const struct bpf_insn prog[] = {
		BPF_MOV64_IMM(1, 1), SITE_NOP(), BPF_MOV64_IMM(0, XDP_PASS), BPF_EXIT_INSN(),
	};
	struct bpf_sdt_site_info site = { .insn_off = 1, .nargs = 2, .regs = { 1, 4 } };
	struct test_btf b;
	int err;

	if (make_btf(&b))
		return -1;
	site.btf_id = b.probe_ints;
	err = expect_refused(prog, 4, &site, &b,
			     "sdt: probe probe_ints site 0 arg 1 (R4): expected a scalar, got an uninitialized register");
	btf__free(b.btf);
	return err;
}

/* A site record that names something other than a `goto +0`. */
int test_sdt_site_must_name_a_nop(void)
{
	const struct bpf_insn prog[] = { BPF_MOV64_IMM(0, XDP_PASS), SITE_NOP(), BPF_EXIT_INSN() };
	struct bpf_sdt_site_info site = { .insn_off = 0 };
	static char log[65536];
	struct test_btf b;
	int fd, err = 0;

	if (make_btf(&b))
		return -1;
	site.btf_id = b.probe0;
	fd = load(&b, prog, 3, &site, 1, log, sizeof(log));
	if (fd >= 0) {
		close(fd);
		err = test_fail("a site on a mov was accepted");
	} else if (fd != -EINVAL || !strstr(log, "sdt site 0: insn 0 is not a 'goto +0'")) {
		err = test_fail("load failed with %s, log: %s", strerror(-fd), log);
	}
	btf__free(b.btf);
	return err;
}
