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
#include "guest.h"
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

/* The test BTF, loaded; freed after the test. NULL (the test failed) if
 * it cannot be built. */
static struct test_btf *make_btf(void)
{
	static struct test_btf tb;
	struct test_btf *b = &tb;
	int i32, vptr, iptr, proto;

	memset(b, 0, sizeof(*b));
	b->btf = btf__new_empty();
	if (!b->btf)
		return FAIL_NOTE("btf__new_empty: %s", strerror(errno)), NULL;
	DEFER(btf__free, b->btf);
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
		return FAIL_NOTE("building the test BTF: %s", strerror(errno)), NULL;
	b->fd = btf__fd(b->btf);
	return b;
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

#define ARRAY_CNT(a) ((__u32)(sizeof(a) / sizeof((a)[0])))

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
TEST(sdt_site_keeps_its_nop_and_gets_a_nop5)
{
	const struct bpf_insn prog[] = { BPF_MOV64_IMM(0, XDP_PASS), SITE_NOP(), BPF_EXIT_INSN() };
	struct bpf_sdt_site_info site = { .insn_off = 1 };
	int fd_site __cleanup(close_fdp) = -1, fd_plain __cleanup(close_fdp) = -1;
	struct bpf_insn xlated[16];
	unsigned char jited[512];
	static char log[65536];
	struct test_btf *b;
	__u32 xcnt, jlen;

	b = make_btf();
	ASSERT_TRUE(b != NULL);
	site.btf_id = b->probe0;
	fd_site = load(b, prog, ARRAY_CNT(prog), &site, 1, log, sizeof(log));
	if (fd_site < 0)
		FAIL("load with a site: %s; log: %s", strerror(-fd_site), log);
	fd_plain = load(b, prog, ARRAY_CNT(prog), NULL, 0, log, sizeof(log));
	if (fd_plain < 0)
		FAIL("load without sites: %s", strerror(-fd_plain));
	xcnt = 16, jlen = sizeof(jited);
	ASSERT_EQ(prog_dump(fd_site, xlated, &xcnt, jited, &jlen), 0);
	ASSERT_EQ(xcnt, 3); /* with a site */
	ASSERT_EQ(index_of_nop(xlated, xcnt), 1);
	ASSERT_EQ(count_nop5(jited, jlen), 2);
	xcnt = 16, jlen = sizeof(jited);
	ASSERT_EQ(prog_dump(fd_plain, xlated, &xcnt, jited, &jlen), 0);
	ASSERT_EQ(xcnt, 2); /* without: the NOP is gone */
	ASSERT_EQ(count_nop5(jited, jlen), 1);
	ASSERT_EQ(xdp_test_run(fd_site, 0, 1, NULL), XDP_PASS);
}

/* A call the verifier inlines before the site (bpf_get_smp_processor_id
 * becomes three instructions on x86): the site's NOP moves with it. */
TEST(sdt_site_follows_rewrites_before_it)
{
	const struct bpf_insn prog[] = {
		BPF_EMIT_CALL(BPF_FUNC_get_smp_processor_id), BPF_MOV64_REG(1, 0),
		BPF_MOV64_IMM(2, 7), SITE_NOP(), BPF_MOV64_IMM(0, XDP_PASS), BPF_EXIT_INSN(),
	};
	struct bpf_sdt_site_info site = { .insn_off = 3, .nargs = 2, .regs = { 1, 2 } };
	int fd __cleanup(close_fdp) = -1;
	struct bpf_insn xlated[32];
	unsigned char jited[1024];
	static char log[65536];
	__u32 xcnt = 32, jlen = sizeof(jited);
	struct test_btf *b;

	b = make_btf();
	ASSERT_TRUE(b != NULL);
	site.btf_id = b->probe_ints;
	fd = load(b, prog, ARRAY_CNT(prog), &site, 1, log, sizeof(log));
	if (fd < 0)
		FAIL("load: %s; log: %s", strerror(-fd), log);
	ASSERT_EQ(prog_dump(fd, xlated, &xcnt, jited, &jlen), 0);
	ASSERT_TRUE(xcnt > ARRAY_CNT(prog)); /* the call was inlined */
	ASSERT_EQ(index_of_nop(xlated, xcnt), (int)xcnt - 3);
	ASSERT_EQ(count_nop5(jited, jlen), 2);
}

/* The load fails with -EACCES and the log says `says`. */
static void expect_refused(const struct bpf_insn *prog, __u32 cnt,
			   struct bpf_sdt_site_info *site, const struct test_btf *b, const char *says)
{
	static char log[65536];
	int fd __cleanup(close_fdp) = load(b, prog, cnt, site, 1, log, sizeof(log));

	if (fd >= 0)
		FAIL("loaded; expected the verifier to refuse: %s", says);
	if (fd != -EACCES)
		FAIL("load failed with %s, expected EACCES; log: %s", strerror(-fd), log);
	ASSERT_CONTAINS(log, says);
}

/* A packet pointer passed for an int argument. */
TEST(sdt_site_refuses_a_pointer_for_an_int)
{
	const struct bpf_insn prog[] = {
		BPF_LDX_MEM(BPF_W, 1, 1, 0 /* data */), BPF_MOV64_IMM(2, 1), SITE_NOP(),
		BPF_MOV64_IMM(0, XDP_PASS), BPF_EXIT_INSN(),
	};
	struct bpf_sdt_site_info site = { .insn_off = 2, .nargs = 2, .regs = { 1, 2 } };
	struct test_btf *b = make_btf();

	ASSERT_TRUE(b != NULL);
	site.btf_id = b->probe_ints;
	expect_refused(prog, ARRAY_CNT(prog), &site, b,
		       "sdt: probe probe_ints site 0 arg 0 (R1): expected a scalar, got pkt");
}

/* A map value that may be NULL passed for a pointer argument. */
TEST(sdt_site_refuses_a_maybe_null_pointer)
{
	int map __cleanup(close_fdp) = bpf_map_create(BPF_MAP_TYPE_HASH, "sdt_vals", 4, 4, 1,
						      NULL);
	struct test_btf *b = make_btf();

	ASSERT_TRUE(b != NULL);
	if (map < 0)
		FAIL("bpf_map_create: %s", strerror(errno));
	{
		const struct bpf_insn prog[] = {
			BPF_ST_MEM(BPF_W, 10, -4, 0), BPF_MOV64_REG(2, 10),
			BPF_ALU64_IMM(BPF_ADD, 2, -4), BPF_LD_MAP_FD(1, map),
			BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem), SITE_NOP(),
			BPF_MOV64_IMM(0, XDP_PASS), BPF_EXIT_INSN(),
		};
		struct bpf_sdt_site_info site = { .insn_off = 6, .nargs = 1, .regs = { 0 },
						  .btf_id = b->probe_ptr };

		expect_refused(prog, ARRAY_CNT(prog), &site, b,
			       "sdt: probe probe_ptr site 0 arg 0 (R0): expected a non-NULL pointer, got map_value_or_null");
	}
}

/* An argument register nothing wrote. */
TEST(sdt_site_refuses_an_uninitialized_register)
{
	const struct bpf_insn prog[] = {
		BPF_MOV64_IMM(1, 1), SITE_NOP(), BPF_MOV64_IMM(0, XDP_PASS), BPF_EXIT_INSN(),
	};
	struct bpf_sdt_site_info site = { .insn_off = 1, .nargs = 2, .regs = { 1, 4 } };
	struct test_btf *b = make_btf();

	ASSERT_TRUE(b != NULL);
	site.btf_id = b->probe_ints;
	expect_refused(prog, ARRAY_CNT(prog), &site, b,
		       "sdt: probe probe_ints site 0 arg 1 (R4): expected a scalar, got an uninitialized register");
}

/* A site record that names something other than a `goto +0`. */
TEST(sdt_site_must_name_a_nop)
{
	const struct bpf_insn prog[] = { BPF_MOV64_IMM(0, XDP_PASS), SITE_NOP(), BPF_EXIT_INSN() };
	struct bpf_sdt_site_info site = { .insn_off = 0 };
	int fd __cleanup(close_fdp) = -1;
	static char log[65536];
	struct test_btf *b = make_btf();

	ASSERT_TRUE(b != NULL);
	site.btf_id = b->probe0;
	fd = load(b, prog, ARRAY_CNT(prog), &site, 1, log, sizeof(log));
	if (fd >= 0)
		FAIL("a site on a mov was accepted");
	ASSERT_EQ(fd, -EINVAL);
	ASSERT_CONTAINS(log, "sdt site 0: insn 0 is not a 'goto +0'");
}
