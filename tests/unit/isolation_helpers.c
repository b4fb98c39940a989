// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <bpf/bpf.h>
#include <stdio.h>
#include <string.h>
#include "helpers.h"
#include "isolation_helpers.h"
#include "check/observer_check.h"
#include "observer_helpers.h"
#include "test.h"

struct locked {
	__u32 lock;
	__u32 pad;
	__u64 packets;
};

int iso_map_fd(const struct iso *f, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(bpf_sdt_target__object(f->t), name);

	return m ? bpf_map__fd(m) : -1;
}

/* isolation_target starts every run from XDP_PASS and zero counts */
static int reset_maps(const struct iso *f)
{
	__u64 pass = XDP_PASS, zero = 0;
	struct locked l = {};
	__u32 key = 0;
	int fd;

	if ((fd = iso_map_fd(f, "verdicts")) >= 0 && bpf_map_update_elem(fd, &key, &pass, 0))
		return -1;
	if ((fd = iso_map_fd(f, "byte_count")) >= 0 && bpf_map_update_elem(fd, &key, &zero, 0))
		return -1;
	if ((fd = iso_map_fd(f, "locked_count")) >= 0 && bpf_map_update_elem(fd, &key, &l, 0))
		return -1;
	return 0;
}

static void read_maps(const struct iso *f, struct outcome *o)
{
	struct locked l = {};
	__u32 key = 0;
	int fd;

	if ((fd = iso_map_fd(f, "verdicts")) >= 0)
		bpf_map_lookup_elem(fd, &key, &o->verdict);
	if ((fd = iso_map_fd(f, "byte_count")) >= 0)
		bpf_map_lookup_elem(fd, &key, &o->bytes);
	if ((fd = iso_map_fd(f, "locked_count")) >= 0 && !bpf_map_lookup_elem(fd, &key, &l))
		o->packets = l.packets;
}

int iso_run(struct iso *f, struct outcome *o)
{
	unsigned char in[ISO_PKT_LEN];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = sizeof(in),
		    .data_out = o->pkt, .data_size_out = sizeof(o->pkt), .repeat = 1);
	size_t i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)i;
	in[12] = 0x08; /* IPv4 */
	in[13] = 0x00;
	if (reset_maps(f) ||
	    bpf_prog_test_run_opts(bpf_sdt_target__prog_fd(f->t, f->prog), &opts))
		return -1;
	o->ret = (int)opts.retval;
	o->len = opts.data_size_out;
	read_maps(f, o);
	return 0;
}

bool outcome_equal(const struct outcome *a, const struct outcome *b)
{
	return a->ret == b->ret && a->len == b->len && !memcmp(a->pkt, b->pkt, a->len) &&
	       a->verdict == b->verdict && a->bytes == b->bytes && a->packets == b->packets;
}

const char *outcome_str(const struct outcome *o)
{
	static char buf[2][512];
	static int which;
	char *s = buf[which++ & 1];
	size_t n;
	__u32 i;

	n = (size_t)snprintf(s, 512, "ret %d, verdict map %llu, bytes %llu, packets %llu, packet",
			     o->ret, (unsigned long long)o->verdict, (unsigned long long)o->bytes,
			     (unsigned long long)o->packets);
	for (i = 0; i < o->len && i < 16 && n < 500; i++)
		n += (size_t)snprintf(s + n, 512 - n, " %02x", o->pkt[i]);
	return s;
}

int iso_open(struct iso *f, const char *target, const char *prog, const char *observers)
{
	memset(f, 0, sizeof(*f));
	f->prog = prog;
	f->t = bpf_sdt_target__open_file(corpus_path(target), NULL);
	f->obs = observers ? observer_open(observers) : NULL;
	if (!f->t || (observers && !f->obs))
		return -1;
	return iso_run(f, &f->before);
}

void iso_close(struct iso *f)
{
	bpf_sdt_target__close(f->t);
	bpf_object__close(f->obs);
}

struct bpf_sdt_link *iso_attach(struct iso *f, const char *obs, const char *probe,
				bool unchecked)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(f->obs, obs);
	struct bpf_sdt_link *link;

	if (!prog)
		return NULL;
	sdt_test_unchecked_observers = unchecked;
	link = bpf_sdt_target__attach(f->t, prog, probe, observer_opts(f->obs));
	sdt_test_unchecked_observers = false;
	return link;
}

int line_count(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

void expect_refused(struct iso *f, const char *obs, const char *probe, const char *why)
{
	struct bpf_sdt_link *link;
	struct outcome after;
	char who[192];

	snprintf(who, sizeof(who), "observer %s (probe %s): insn ", obs, probe);
	diag_capture_begin();
	link = iso_attach(f, obs, probe, false);
	diag_capture_end();
	ASSERT_TRUE(link == NULL);
	ASSERT_EQ(line_count(diag_captured()), 1);
	ASSERT_CONTAINS(diag_captured(), who);
	ASSERT_CONTAINS(diag_captured(), why);
	ASSERT_EQ(iso_run(f, &after), 0);
	if (!outcome_equal(&f->before, &after))
		FAIL("the target changed: %s; with no observer: %s", outcome_str(&after),
		     outcome_str(&f->before));
}

void expect_harm_unchecked(struct iso *f, const char *obs, const char *probe)
{
	struct bpf_sdt_link *link;
	struct outcome after;
	int err;

	diag_capture_begin();
	link = iso_attach(f, obs, probe, true);
	diag_capture_end();
	if (!link)
		FAIL("the kernel refused the unchecked observer: %s", diag_captured());
	err = iso_run(f, &after);
	ASSERT_EQ(bpf_sdt_link__destroy(link), 0);
	ASSERT_EQ(err, 0);
	if (outcome_equal(&f->before, &after))
		FAIL("the unchecked observer left the target alone: %s", outcome_str(&after));
}

void expect_accepted(struct iso *f, const char *obs, const char *probe)
{
	struct outcome after;

	diag_capture_begin();
	if (!iso_attach(f, obs, probe, false)) {
		diag_capture_end();
		FAIL("observer %s refused: %s", obs, diag_captured());
	}
	diag_capture_end();
	ASSERT_EQ(iso_run(f, &after), 0);
	if (!outcome_equal(&f->before, &after))
		FAIL("the target changed: %s; with no observer: %s", outcome_str(&after),
		     outcome_str(&f->before));
}

void refused_case(const char *target, const char *observers, const char *obs, const char *probe,
		  const char *why, bool harm)
{
	struct iso f;

	REQUIRE_ROOT();
	if (iso_open(&f, target, target, observers)) {
		iso_close(&f);
		FAIL("cannot open %s or %s", target, observers);
	}
	expect_refused(&f, obs, probe, why);
	if (!TEST_STOPPED() && harm)
		expect_harm_unchecked(&f, obs, probe);
	iso_close(&f);
}
