// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * corpus-classify [--header] OBJECT...
 *
 * For each network program (XDP, tc, socket filter, cgroup_skb) of each BPF
 * object, one tab-separated line on stdout:
 *   object program section type typed_by autoload expect retval insns
 *   subprogs features result reason
 * result: "loads" (this kernel accepted it through libbpf), "refused" (the
 * verifier said no; reason: its error line), "needs" (it never reached the
 * verifier: an extern, a map, a relocation libbpf or the kernel could not
 * provide; reason: libbpf's line), "open-failed" (libbpf could not open the
 * object; one line per network section, program "-"), "crashed" (libbpf
 * died on the object; one line, program "-").
 *
 * Loading is done the way libbpf users do it: the whole object, its
 * non-network programs (tracing, LSM, ... which this host refuses) set not
 * to load. Programs still undecided after that (the object failed as a
 * whole, or SEC("?...") programs, which libbpf does not load by default)
 * are loaded one at a time, as the selftests' test_loader.c does: with
 * the object's __auxiliary programs, and with its default ones if those
 * loaded. A refused program's verifier log is the one libbpf prints when
 * it loads it once more to say why. Load flags a selftest states with
 * __flag() are honoured; see selftest_spec.c. Needs root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "classify.h"

#define REASON_SIZE 512

enum result { UNDECIDED, LOADS, REFUSED, NEEDS };

static const char *const result_names[] = { "undecided", "loads", "refused", "needs" };

/* Who gives a program its type: libbpf 1.1.2 from its section name, a
 * newer libbpf (1.3+) from a section 1.1.2 does not know (its programs are
 * left without a type and refused), or iproute2, which loads any section
 * with the type its command names (`tc filter ... bpf da obj X sec Y`,
 * `ip link set ... xdp obj X sec Y`). The latter two are typed here so
 * that the kernel, not the library's age, decides. */
enum typed_by { BY_LIBBPF, BY_NEWER_LIBBPF, BY_IPROUTE2 };

static const char *const typed_by_names[] = { "libbpf", "newer-libbpf", "iproute2" };

struct prog_row {
	char *name;
	char *section;
	enum bpf_prog_type type;	/* BPF_PROG_TYPE_UNSPEC: not a network program */
	enum typed_by typed_by;
	bool autoload;			/* libbpf's default (SEC("?...") says no) */
	struct selftest_spec spec;
	struct prog_shape shape;
	enum result result;
	char reason[REASON_SIZE];
};

struct object_rows {
	const char *path;
	struct prog_row *rows;
	size_t cnt;
};

static struct btf *kernel_btf;

static const struct {
	const char *prefix;
	enum bpf_prog_type type;
} newer_sections[] = {
	{ "tcx/", BPF_PROG_TYPE_SCHED_CLS },
	{ "netkit/", BPF_PROG_TYPE_SCHED_CLS },
	{ "tc/", BPF_PROG_TYPE_SCHED_CLS },
};

/* Sections the selftests' shell scripts load with iproute2, as those
 * scripts type them (test_tc_tunnel.sh, test_tc_edt.sh, test_xdp_meta.sh,
 * test_xdp_redirect.sh, test_xdp_vlan.sh). */
static const struct {
	const char *object;	/* file name without .bpf.o */
	const char *section;	/* a prefix if it ends in '_' */
	enum bpf_prog_type type;
} iproute2_sections[] = {
	{ "test_tc_tunnel", "encap_", BPF_PROG_TYPE_SCHED_CLS },
	{ "test_tc_tunnel", "decap", BPF_PROG_TYPE_SCHED_CLS },
	{ "test_tc_edt", "cls_test", BPF_PROG_TYPE_SCHED_CLS },
	{ "test_xdp_meta", "t", BPF_PROG_TYPE_SCHED_CLS },
	{ "test_xdp_meta", "x", BPF_PROG_TYPE_XDP },
	{ "test_xdp_redirect", "redirect_to_", BPF_PROG_TYPE_XDP },
	{ "test_xdp_vlan", "xdp_", BPF_PROG_TYPE_XDP },
	{ "test_xdp_vlan", "tc_vlan_push", BPF_PROG_TYPE_SCHED_CLS },
};

static bool is_network(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_XDP || type == BPF_PROG_TYPE_SCHED_CLS ||
	       type == BPF_PROG_TYPE_SCHED_ACT || type == BPF_PROG_TYPE_SOCKET_FILTER ||
	       type == BPF_PROG_TYPE_CGROUP_SKB;
}

static const char *type_name(enum bpf_prog_type type)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP: return "xdp";
	case BPF_PROG_TYPE_SCHED_CLS: return "sched_cls";
	case BPF_PROG_TYPE_SCHED_ACT: return "sched_act";
	case BPF_PROG_TYPE_SOCKET_FILTER: return "socket_filter";
	case BPF_PROG_TYPE_CGROUP_SKB: return "cgroup_skb";
	default: return "other";
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The type of a section libbpf 1.1.2 does not know, UNSPEC if none. */
static enum bpf_prog_type untyped_section_type(const char *path, const char *sec,
					       enum typed_by *by)
{
	const char *obj = base_name(path);
	size_t i, n;

	if (sec[0] == '?')
		sec++;
	*by = BY_NEWER_LIBBPF;
	for (i = 0; i < sizeof(newer_sections) / sizeof(newer_sections[0]); i++)
		if (!strncmp(sec, newer_sections[i].prefix, strlen(newer_sections[i].prefix)))
			return newer_sections[i].type;
	*by = BY_IPROUTE2;
	for (i = 0; i < sizeof(iproute2_sections) / sizeof(iproute2_sections[0]); i++) {
		n = strlen(iproute2_sections[i].object);
		if (strncmp(obj, iproute2_sections[i].object, n) || strcmp(obj + n, ".bpf.o"))
			continue;
		n = strlen(iproute2_sections[i].section);
		if (iproute2_sections[i].section[n - 1] == '_' ?
		    !strncmp(sec, iproute2_sections[i].section, n) :
		    !strcmp(sec, iproute2_sections[i].section))
			return iproute2_sections[i].type;
	}
	*by = BY_LIBBPF;
	return BPF_PROG_TYPE_UNSPEC;
}

/* UNSPEC unless a network program. */
static enum bpf_prog_type program_type(const char *path, const struct bpf_program *prog,
				       enum typed_by *by)
{
	enum bpf_prog_type type = bpf_program__type(prog);

	*by = BY_LIBBPF;
	if (type == BPF_PROG_TYPE_UNSPEC)
		type = untyped_section_type(path, bpf_program__section_name(prog), by);
	return is_network(type) ? type : BPF_PROG_TYPE_UNSPEC;
}

static bool in_base_set(const struct prog_row *r)
{
	return is_network(r->type) && r->autoload;
}

/* Opens the object and sets it up for one attempt: the programs libbpf
 * would load by default, network ones only (only < 0), or programs[only]
 * with the object's auxiliary programs (as the selftests' test_loader
 * loads each), and the default ones too if they loaded together (with).
 */
static struct bpf_object *open_for(struct object_rows *o, long only, bool with)
{
	struct bpf_object *obj = bpf_object__open_file(o->path, NULL);
	struct bpf_program *prog;
	size_t j = 0;

	if (!obj)
		return NULL;
	bpf_object__for_each_program(prog, obj) {
		struct prog_row *r = j < o->cnt ? &o->rows[j] : NULL;
		bool load = false;

		if (r && only < 0)
			load = in_base_set(r);
		else if (r)
			load = (long)j == only || (is_network(r->type) && r->spec.auxiliary) ||
			       (with && in_base_set(r));
		if (r && r->typed_by != BY_LIBBPF && r->type != BPF_PROG_TYPE_UNSPEC)
			bpf_program__set_type(prog, r->type);
		if (r && r->spec.prog_flags)
			bpf_program__set_flags(prog, bpf_program__flags(prog) | r->spec.prog_flags);
		bpf_program__set_autoload(prog, load);
		j++;
	}
	return obj;
}

static void record_shape(struct prog_row *r, struct bpf_object *obj, struct bpf_program *prog)
{
	prog_shape_scan(bpf_program__insns(prog), bpf_program__insn_cnt(prog), kernel_btf,
			&r->shape);
	if (bpf_program__fd(prog) >= 0)
		prog_shape_add_loaded(bpf_program__fd(prog), bpf_object__btf(obj), &r->shape);
}

/* The whole object, as its user would load it. True if it loaded. */
static bool classify_default(struct object_rows *o)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	bool ok = false;
	size_t j = 0;

	load_log_begin();
	obj = open_for(o, -1, false);
	if (obj && !bpf_object__load(obj)) {
		ok = true;
		bpf_object__for_each_program(prog, obj) {
			if (in_base_set(&o->rows[j])) {
				record_shape(&o->rows[j], obj, prog);
				o->rows[j].result = LOADS;
			}
			j++;
		}
	}
	bpf_object__close(obj);
	return ok;
}

static struct bpf_program *nth_program(struct bpf_object *obj, long n)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (!n--)
			return prog;
	return NULL;
}

/* One program: loads, or the verifier refused it, or something it needs
 * was missing. */
static void classify_one(struct object_rows *o, long j, bool with_default)
{
	struct prog_row *r = &o->rows[j];
	struct bpf_program *prog;
	struct bpf_object *obj;
	const char *why;

	load_log_begin();
	obj = open_for(o, j, with_default);
	prog = obj ? nth_program(obj, j) : NULL;
	if (prog && !bpf_object__load(obj)) {
		record_shape(r, obj, prog);
		r->result = LOADS;
	} else {
		why = load_log_refusal(r->name);
		/* libbpf poisons a CO-RE relocation it could not resolve: the
		 * verifier only reports what libbpf lacked (a type, a BTF). */
		if (why && !strstr(why, "CO-RE relocation")) {
			r->result = REFUSED;
			snprintf(r->reason, sizeof(r->reason), "%s", why);
		} else {
			r->result = NEEDS;
			if (why)
				snprintf(r->reason, sizeof(r->reason), "%s", why);
			else
				load_log_reason(r->reason, sizeof(r->reason));
		}
		if (prog) /* what libbpf made of it, relocated if it got that far */
			prog_shape_scan(bpf_program__insns(prog), bpf_program__insn_cnt(prog),
					kernel_btf, &r->shape);
	}
	bpf_object__close(obj);
}

static void print_row(const struct object_rows *o, const struct prog_row *r)
{
	char feats[256];

	printf("%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%u\t%u\t%s\t%s\t%s\n", base_name(o->path),
	       r->name, r->section, type_name(r->type), typed_by_names[r->typed_by], r->autoload,
	       r->spec.expect, r->spec.retval, r->shape.insns, r->shape.subprogs,
	       prog_features_str(r->shape.features, feats, sizeof(feats)), result_names[r->result],
	       r->reason[0] ? r->reason : "-");
}

struct unopened {
	const char *path;
	const char *reason;
};

/* A network section of an object libbpf could not open; "-": not ELF. */
static void print_unopened(const char *sec, void *ctx)
{
	const struct unopened *u = ctx;
	enum bpf_prog_type type = BPF_PROG_TYPE_UNSPEC;
	enum bpf_attach_type attach;
	const char *name = sec[0] == '?' ? sec + 1 : sec;
	enum typed_by by = BY_LIBBPF;

	if (strcmp(sec, "-") && libbpf_prog_type_by_name(name, &type, &attach))
		type = untyped_section_type(u->path, name, &by);
	if (strcmp(sec, "-") && !is_network(type))
		return;
	printf("%s\t-\t%s\t%s\t%s\t-\t-\t-\t0\t0\t-\topen-failed\t%s\n", base_name(u->path),
	       sec, type_name(type), typed_by_names[by], u->reason);
}

static int read_programs(struct object_rows *o, struct bpf_object *obj)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_program *prog;
	size_t n = 0;

	bpf_object__for_each_program(prog, obj)
		n++;
	o->rows = calloc(n ? n : 1, sizeof(*o->rows));
	if (!o->rows)
		return -ENOMEM;
	bpf_object__for_each_program(prog, obj) {
		struct prog_row *r = &o->rows[o->cnt++];

		r->name = strdup(bpf_program__name(prog));
		r->section = strdup(bpf_program__section_name(prog));
		if (!r->name || !r->section)
			return -ENOMEM;
		r->type = program_type(o->path, prog, &r->typed_by);
		r->autoload = bpf_program__autoload(prog);
		selftest_spec_read(btf, r->name, &r->spec);
	}
	return 0;
}

static int classify_object(const char *path)
{
	struct object_rows o = { .path = path };
	struct bpf_object *obj;
	bool default_ok;
	size_t j;
	int err;

	load_log_begin();
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		char reason[REASON_SIZE];
		struct unopened u = { path, load_log_reason(reason, sizeof(reason)) };

		if (elf_code_sections(path, print_unopened, &u) < 0)
			print_unopened("-", &u);
		return 0;
	}
	err = read_programs(&o, obj);
	bpf_object__close(obj);
	if (err)
		goto out;
	for (j = 0; j < o.cnt && o.rows[j].type == BPF_PROG_TYPE_UNSPEC; j++)
		;
	if (j == o.cnt)
		goto out; /* nothing to load: no network program */

	default_ok = classify_default(&o);
	for (j = 0; j < o.cnt; j++)
		if (o.rows[j].type != BPF_PROG_TYPE_UNSPEC && o.rows[j].result == UNDECIDED)
			classify_one(&o, j, default_ok);
	for (j = 0; j < o.cnt; j++)
		if (o.rows[j].type != BPF_PROG_TYPE_UNSPEC)
			print_row(&o, &o.rows[j]);
	fflush(stdout);
out:
	for (j = 0; j < o.cnt; j++) {
		free(o.rows[j].name);
		free(o.rows[j].section);
	}
	free(o.rows);
	if (err)
		fprintf(stderr, "corpus-classify: %s: %s\n", path, strerror(-err));
	return err;
}

/* In a child of its own: libbpf 1.1.2 crashes on some objects the
 * selftests hold (struct_ops ones), and a crash is an answer too. */
static int classify_isolated(const char *path)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "corpus-classify: fork: %s\n", strerror(errno));
		return -errno;
	}
	if (!pid) {
		int err = classify_object(path);

		fflush(stdout);
		_exit(err ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFSIGNALED(status)) {
		printf("%s\t-\t-\t-\t-\t-\t-\t-\t0\t0\t-\tcrashed\tlibbpf died of signal %d "
		       "classifying the object\n", base_name(path), WTERMSIG(status));
		return 0;
	}
	return WEXITSTATUS(status) ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	int i = 1, err = 0;

	if (argc > 1 && !strcmp(argv[1], "--header")) {
		printf("object\tprogram\tsection\ttype\ttyped_by\tautoload\texpect\tretval\t"
		       "insns\tsubprogs\tfeatures\tresult\treason\n");
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: corpus-classify [--header] OBJECT...\n");
		return 2;
	}
	libbpf_set_print(load_log_print);
	kernel_btf = btf__load_vmlinux_btf(); /* NULL: kfuncs stay unnamed */
	for (; i < argc; i++)
		err |= classify_isolated(argv[i]);
	btf__free(kernel_btf);
	return err ? 1 : 0;
}
