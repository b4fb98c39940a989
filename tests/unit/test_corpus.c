// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The corpus subset (tests/corpus/subset.txt): Linux 6.12's own BPF
 * selftests programs, built by `make corpus` with clang 14 and clang 19,
 * load as libbpfsdt targets and return the verdicts their selftests state
 * on their packets. Without a built corpus the loading tests skip: make
 * check does not unpack the kernel's source (docs/corpus.md).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "corpus_subset.h"
#include "helpers.h"
#include "libbpfsdt.h"
#include "test.h"

#define SUBSET "tests/corpus/subset.txt"
#define PACKETS "tests/corpus/packets"
#define ERR_SIZE 1024

static const char *corpus_dir(void)
{
	const char *dir = getenv("BPFSDT_CORPUS_DIR");

	return dir && dir[0] ? dir : "build/corpus";
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static int failed(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Says why in err (ERR_SIZE bytes); returns -1. */
static int failed(char *err, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(err, ERR_SIZE, fmt, args);
	va_end(args);
	return -1;
}

/* Everything one program needs while it runs. */
struct loaded {
	struct bpf_object *obj;
	struct bpf_sdt_target *target;
	void *elf;
};

static void unload(struct loaded *l)
{
	bpf_sdt_target__close(l->target);
	bpf_object__close(l->obj);
	free(l->elf);
	memset(l, 0, sizeof(*l));
}

static bool loads_with(const struct corpus_prog *p, const char *name)
{
	int i;

	if (!strcmp(name, p->program))
		return true;
	for (i = 0; i < p->with_cnt; i++)
		if (!strcmp(name, p->with[i]))
			return true;
	return false;
}

/* Opens the object as its selftest would, only p's programs to load, and
 * adopts it as a target. 0, or -1 with err set. */
static int load(const char *dir, const struct corpus_prog *p, struct loaded *l, char *err)
{
	char path[512];
	struct bpf_program *prog;
	size_t size;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, p->object);
	l->elf = read_whole_file(path, &size);
	if (!l->elf)
		return failed(err, "cannot read %s", path);
	if (libbpfsdt_init())
		return failed(err, "libbpfsdt_init failed");
	l->obj = bpf_object__open_file(path, NULL);
	if (!l->obj)
		return failed(err, "libbpf cannot open %s", path);
	bpf_object__for_each_program(prog, l->obj) {
		bool mine = !strcmp(bpf_program__name(prog), p->program);

		bpf_program__set_autoload(prog, loads_with(p, bpf_program__name(prog)));
		if (mine && p->type != BPF_PROG_TYPE_UNSPEC)
			bpf_program__set_type(prog, p->type);
	}
	if (!bpf_object__find_program_by_name(l->obj, p->program))
		return failed(err, "%s has no program %s", path, p->program);
	ret = bpf_object__load(l->obj);
	if (ret)
		return failed(err, "%s: loading %s failed: %s", path, p->program, strerror(-ret));
	l->target = bpf_sdt_target__from_object(l->obj, l->elf, size, NULL);
	if (!l->target)
		return failed(err, "%s: libbpfsdt does not adopt it: %s", path, strerror(errno));
	return 0;
}

static int fill_maps(const struct corpus_prog *p, struct loaded *l, char *err)
{
	int i;

	for (i = 0; i < p->map_cnt; i++) {
		const struct corpus_map_entry *m = &p->maps[i];
		struct bpf_map *map = bpf_object__find_map_by_name(l->obj, m->map);
		const void *value = m->value;
		size_t value_size = m->value_size;
		__u32 fd;

		if (!map)
			return failed(err, "no map %s", m->map);
		if (m->value_prog[0]) {
			struct bpf_program *target =
				bpf_object__find_program_by_name(l->obj, m->value_prog);

			if (!target || bpf_program__fd(target) < 0)
				return failed(err, "map %s: program %s is not loaded", m->map,
					      m->value_prog);
			fd = bpf_program__fd(target);
			value = &fd;
			value_size = sizeof(fd);
		}
		if (bpf_map__update_elem(map, m->key, m->key_size, value, value_size, 0))
			return failed(err, "map %s: update failed (key %zu bytes of %u, "
				      "value %zu of %u): %s", m->map, m->key_size,
				      bpf_map__key_size(map), value_size, bpf_map__value_size(map),
				      strerror(errno));
	}
	return 0;
}

static int run_one(int prog_fd, const struct corpus_run *r, char *err)
{
	unsigned char out[4096];
	char path[512];
	size_t size;
	void *pkt;
	int ret;

	snprintf(path, sizeof(path), "%s/%s.bin", PACKETS, r->packet);
	pkt = read_whole_file(path, &size);
	if (!pkt)
		return failed(err, "cannot read %s", path);
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = size,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

		ret = bpf_prog_test_run_opts(prog_fd, &opts);
		if (ret)
			ret = failed(err, "%s: BPF_PROG_TEST_RUN failed: %s", r->packet,
				     strerror(errno));
		else if ((long long)(int)opts.retval != r->retval)
			ret = failed(err, "%s returned %d, expected %lld", r->packet,
				     (int)opts.retval, r->retval);
		else if (r->size_out >= 0 && opts.data_size_out != (__u32)r->size_out)
			ret = failed(err, "%s came out %u bytes long, expected %ld", r->packet,
				     opts.data_size_out, r->size_out);
		else if (r->out_prefix_size && (opts.data_size_out < r->out_prefix_size ||
						memcmp(out, r->out_prefix, r->out_prefix_size)))
			ret = failed(err, "%s came out with other first bytes than expected",
				     r->packet);
	}
	free(pkt);
	return ret;
}

/* Loads p and runs it on its packets: 0, or -1 with err set. */
static int load_and_run(const char *dir, const struct corpus_prog *p, char *err)
{
	struct loaded l = {};
	int j, fd, ret;

	ret = load(dir, p, &l, err);
	if (!ret)
		ret = fill_maps(p, &l, err);
	if (!ret) {
		fd = bpf_sdt_target__prog_fd(l.target, p->program);
		if (fd < 0)
			ret = failed(err, "the target has no program %s", p->program);
		for (j = 0; j < p->run_cnt && !ret; j++)
			ret = run_one(fd, &p->runs[j], err);
	}
	unload(&l);
	return ret;
}

/* Every subset program with one compiler's objects, through check (load
 * and run, or sweep); each failure is listed with its subset line. */
static void subset_each(const char *clang,
			int (*check)(const char *dir, const struct corpus_prog *p, char *err))
{
	char dir[256], err[ERR_SIZE];
	struct corpus_prog *progs;
	size_t cnt, i, bad = 0;

	REQUIRE_ROOT();
	snprintf(dir, sizeof(dir), "%s/%s", corpus_dir(), clang);
	if (!exists(dir))
		SKIP("no %s: the corpus is not built (make corpus, or make corpus-subset)", dir);
	if (corpus_subset_read(SUBSET, &progs, &cnt, err, sizeof(err)))
		FAIL("%s", err);
	for (i = 0; i < cnt; i++) {
		if (!check(dir, &progs[i], err))
			continue;
		fprintf(stderr, "  %s:%d: %s %s (%s): %s\n", SUBSET, progs[i].line,
			progs[i].object, progs[i].program, clang, err);
		bad++;
	}
	free(progs);
	if (bad)
		FAIL("%zu of %zu subset programs failed with %s (listed above)", bad, cnt, clang);
}

/* Loads p and sweeps it on its packets: every boundary armed, every run
 * identical. 0, or -1 with err set (the sweep's failures, one per line
 * on stderr). */
static int load_and_sweep(const char *dir, const struct corpus_prog *p, char *err)
{
	struct bpf_sdt_run_input in[CORPUS_LIST_MAX];
	void *pkts[CORPUS_LIST_MAX] = {};
	struct bpf_sdt_sweep *s = NULL;
	struct loaded l = {};
	char path[512];
	size_t size, k;
	int j, ret;

	ret = load(dir, p, &l, err);
	if (!ret)
		ret = fill_maps(p, &l, err);
	for (j = 0; j < p->run_cnt && !ret; j++) {
		snprintf(path, sizeof(path), "%s/%s.bin", PACKETS, p->runs[j].packet);
		pkts[j] = read_whole_file(path, &size);
		if (!pkts[j])
			ret = failed(err, "cannot read %s", path);
		in[j] = (struct bpf_sdt_run_input){ .data = pkts[j], .size = (__u32)size };
	}
	if (!ret) {
		LIBBPF_OPTS(bpf_sdt_sweep_opts, opts, .inputs = in, .input_cnt = p->run_cnt);

		s = bpf_sdt_target__sweep(l.target, p->program, &opts);
		if (!s)
			ret = failed(err, "the sweep stopped: %s", strerror(errno));
	}
	if (s && (bpf_sdt_sweep__armed(s) != bpf_sdt_sweep__boundaries(s) ||
		  bpf_sdt_sweep__identical(s) != bpf_sdt_sweep__boundaries(s))) {
		for (k = 0; k < bpf_sdt_sweep__failure_cnt(s); k++)
			fprintf(stderr, "    insn %u: %s\n", bpf_sdt_sweep__failure(s, k)->insn,
				bpf_sdt_sweep__failure(s, k)->reason);
		ret = failed(err, "%u boundaries, %u armed, %u identical",
			     bpf_sdt_sweep__boundaries(s), bpf_sdt_sweep__armed(s),
			     bpf_sdt_sweep__identical(s));
	}
	bpf_sdt_sweep__free(s);
	for (j = 0; j < p->run_cnt; j++)
		free(pkts[j]);
	unload(&l);
	return ret;
}

TEST(corpus_subset_programs_load_and_return_their_verdicts_with_clang_14)
{
	subset_each("clang-14", load_and_run);
}

TEST(corpus_subset_programs_load_and_return_their_verdicts_with_clang_19)
{
	subset_each("clang-19", load_and_run);
}

TEST(corpus_subset_programs_sweep_armed_and_identical_at_every_boundary_with_clang_14)
{
	subset_each("clang-14", load_and_sweep);
}

TEST(corpus_subset_programs_sweep_armed_and_identical_at_every_boundary_with_clang_19)
{
	subset_each("clang-19", load_and_sweep);
}

TEST(corpus_subset_names_packets_that_exist)
{
	char err[ERR_SIZE], path[512];
	struct corpus_prog *progs;
	size_t cnt, i;
	int j;

	if (corpus_subset_read(SUBSET, &progs, &cnt, err, sizeof(err)))
		FAIL("%s", err);
	for (i = 0; i < cnt; i++) {
		for (j = 0; j < progs[i].run_cnt; j++) {
			snprintf(path, sizeof(path), "%s/%s.bin", PACKETS,
				 progs[i].runs[j].packet);
			if (!exists(path)) {
				snprintf(err, sizeof(err), "%s:%d: no packet %s", SUBSET,
					 progs[i].line, path);
				free(progs);
				FAIL("%s", err);
			}
		}
		if (!progs[i].run_cnt) {
			free(progs);
			FAIL("%s:%d: %s has no run line", SUBSET, progs[i].line, progs[i].program);
		}
	}
	free(progs);
}

/* Field idx (0-based) of a tab-separated line, as a pointer into it. */
static const char *tsv_field(const char *line, int idx)
{
	while (line && idx--)
		line = strchr(line, '\t') ? strchr(line, '\t') + 1 : NULL;
	return line;
}

/* What manifest says of object's program ("loads", "refused", ...), into
 * result; false if it does not list it. */
static bool manifest_result(const char *manifest, const char *object, const char *program,
			    char *result, size_t size)
{
	char line[4096], want[2 * CORPUS_NAME_MAX + 4];
	int col = -1, i;
	bool found = false;
	FILE *f = fopen(manifest, "r");

	if (!f)
		return false;
	snprintf(want, sizeof(want), "%s\t%s\t", object, program);
	if (fgets(line, sizeof(line), f))
		for (i = 0; tsv_field(line, i); i++)
			if (!strncmp(tsv_field(line, i), "result", 6))
				col = i;
	while (col >= 0 && !found && fgets(line, sizeof(line), f)) {
		const char *v = tsv_field(line, col);

		if (strncmp(line, want, strlen(want)) || !v)
			continue;
		snprintf(result, size, "%.*s", (int)strcspn(v, "\t\n"), v);
		found = true;
	}
	fclose(f);
	return found;
}

/* The manifests (make corpus) say each subset program loads with both
 * compilers: the subset is chosen from what the classification found. */
TEST(corpus_subset_programs_are_ones_both_manifests_say_load)
{
	static const char *const clangs[] = { "clang-14", "clang-19" };
	char err[ERR_SIZE] = "", path[512], result[32];
	struct corpus_prog *progs;
	size_t cnt, i, c;

	for (c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/%s/manifest.tsv", corpus_dir(), clangs[c]);
		if (!exists(path))
			SKIP("no %s: the corpus is not classified (make corpus)", path);
	}
	if (corpus_subset_read(SUBSET, &progs, &cnt, err, sizeof(err)))
		FAIL("%s", err);
	for (c = 0; c < 2 && !err[0]; c++) {
		snprintf(path, sizeof(path), "%s/%s/manifest.tsv", corpus_dir(), clangs[c]);
		for (i = 0; i < cnt && !err[0]; i++) {
			if (!manifest_result(path, progs[i].object, progs[i].program, result,
					     sizeof(result)))
				snprintf(result, sizeof(result), "not listed");
			if (strcmp(result, "loads"))
				snprintf(err, sizeof(err), "%s:%d: %s %s: %s in %s", SUBSET,
					 progs[i].line, progs[i].object, progs[i].program, result,
					 path);
		}
	}
	free(progs);
	if (err[0])
		FAIL("%s", err);
}

TEST(corpus_subset_reader_names_the_line_of_a_malformed_entry)
{
	const char *path = scratch_path("subset-malformed.txt");
	struct corpus_prog *progs;
	char err[ERR_SIZE];
	size_t cnt;
	FILE *f = fopen(path, "w");

	ASSERT_TRUE(f != NULL);
	fputs("prog a.bpf.o p\nmap m 0g 00\n", f);
	fclose(f);
	ASSERT_EQ(corpus_subset_read(path, &progs, &cnt, err, sizeof(err)), -EINVAL);
	ASSERT_CONTAINS(err, "subset-malformed.txt:2: not a hex digit: 'g'");
	ASSERT_TRUE(progs == NULL);
}
