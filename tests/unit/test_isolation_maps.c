// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * An observer may use the maps its own object created and no others
 * (docs/isolation.md), compared by kernel map id: a raw fd in an ld_imm64
 * names whatever the loading process has at that number -- here
 * isolation_target's verdicts map -- and an object can reuse a map it did
 * not create. What the check proves about the maps stays true: their fds
 * are bound when the observer is attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "helpers.h"
#include "isolation_helpers.h"
#include "check/observer_check.h"
#include "observer_helpers.h"
#include "test.h"

#define RAW_FD 900	/* tests/bpf/observers/intruders_maps.bpf.c */
#define NOT_OWN "which its own object did not create: observers may use only their own maps"

/* The target's verdicts map at RAW_FD, then the case. */
static void raw_fd_case(const char *obs, const char *why, bool harm)
{
	struct iso f;

	REQUIRE_ROOT();
	ASSERT_EQ(iso_open(&f, "isolation_target", "isolation_target", "intruders_maps"), 0);
	ASSERT_EQ(dup2(iso_map_fd(&f, "verdicts"), RAW_FD), RAW_FD);
	expect_refused(&f, obs, "wide_probe", why);
	if (!TEST_STOPPED() && harm)
		expect_harm_unchecked(&f, obs, "wide_probe");
	close(RAW_FD);
	iso_close(&f);
}

TEST(isolation_refuses_updating_a_map_named_by_raw_fd)
{
	raw_fd_case("updates_a_map_by_raw_fd", "insn 8: uses map verdicts (id ", true);
	if (!TEST_STOPPED())
		raw_fd_case("updates_a_map_by_raw_fd", NOT_OWN, false);
}

TEST(isolation_refuses_writing_a_value_looked_up_in_a_map_named_by_raw_fd)
{
	raw_fd_case("writes_a_value_looked_up_by_raw_fd", NOT_OWN, true);
}

TEST(isolation_refuses_a_map_value_named_by_raw_fd)
{
	raw_fd_case("writes_a_map_value_named_by_raw_fd", NOT_OWN, true);
}

TEST(isolation_refuses_a_raw_fd_that_is_no_map)
{
	refused_case("isolation_target", "intruders_maps", "updates_a_map_by_raw_fd", "wide_probe",
		     "names fd 900 as a map, but it is not one", false);
}

TEST(isolation_refuses_a_map_named_by_index)
{
	refused_case("isolation_target", "intruders_maps", "names_a_map_by_index", "wide_probe",
		     "names a map by index (ld_imm64 src 5)", false);
}

/* Declared by the observer, created by the target: bpf_map__reuse_fd(). */
TEST(isolation_refuses_a_map_the_observer_reused_from_the_target)
{
	char path[512];
	struct iso f;

	REQUIRE_ROOT();
	ASSERT_EQ(iso_open(&f, "isolation_target", "isolation_target", NULL), 0);
	snprintf(path, sizeof(path), "%s/tests/bpf/observers/intruders_maps.bpf.o",
		 TEST_BUILD_DIR);
	f.obs = bpf_object__open_file(path, NULL);
	ASSERT_TRUE(f.obs != NULL);
	ASSERT_EQ(bpf_map__reuse_fd(bpf_object__find_map_by_name(f.obs, "verdicts"),
				    iso_map_fd(&f, "verdicts")), 0);
	ASSERT_EQ(bpf_object__load(f.obs), 0);
	ASSERT_OK_HELPER(expect_refused(&f, "updates_a_map_it_reused", "wide_probe", NOT_OWN));
	ASSERT_OK_HELPER(expect_harm_unchecked(&f, "updates_a_map_it_reused", "wide_probe"));
	iso_close(&f);
}

TEST(isolation_refuses_a_map_that_can_hold_sockets_even_its_own)
{
	refused_case("isolation_target", "intruders_maps", "uses_a_map_of_sockets", "wide_probe",
		     "uses map socks of type 15, which observers may not use: it can hold programs, sockets, devices or other maps",
		     false);
}

TEST(observer_without_its_object_may_use_no_maps)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	obs = observer_open("rfc_observer");
	ASSERT_TRUE(t && obs);
	diag_capture_begin();
	ASSERT_TRUE(bpf_sdt_target__attach(t, observer_prog(obs), NULL, NULL) == NULL);
	diag_capture_end();
	ASSERT_EQ(line_count(diag_captured()), 1);
	ASSERT_CONTAINS(diag_captured(), "observer observer_prog (probe my_trace): insn ");
	ASSERT_CONTAINS(diag_captured(), "which its own object did not create (no object was named: pass observer_obj in bpf_sdt_attach_opts to let it use its own)");
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
}

TEST(observer_obj_must_be_the_observers_own_object)
{
	struct bpf_sdt_target *t;
	struct bpf_object *obs, *other;

	REQUIRE_ROOT();
	t = bpf_sdt_target__open_file(corpus_path("basic"), NULL);
	obs = observer_open("rfc_observer");
	other = observer_open("recorders");
	ASSERT_TRUE(t && obs && other);
	diag_capture_begin();
	ASSERT_TRUE(bpf_sdt_target__attach(t, observer_prog(obs), NULL, observer_opts(other)) ==
		    NULL);
	diag_capture_end();
	ASSERT_EQ(errno, EINVAL);
	ASSERT_STREQ(diag_captured(), TEST_BUILD_DIR "/tests/bpf/basic.bpf.o: observer "
		     "observer_prog: observer_obj is not the object it belongs to\n");
	bpf_sdt_target__close(t);
	bpf_object__close(obs);
	bpf_object__close(other);
}

static struct bpf_map *bss_of(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		size_t len = strlen(name);

		if (len >= 4 && !strcmp(name + len - 4, ".bss"))
			return m;
	}
	return NULL;
}

/* hit_counter counts in its .bss. After it is attached, its fd for that map
 * comes to name the target's verdicts map instead; re-arming (another
 * observer) must still give it its own map. Unchecked -- which binds
 * nothing -- the same steps make it count in the target's map. */
static void rebind_case(bool unchecked)
{
	struct bpf_object *other;
	struct bpf_map *bss;
	struct outcome after;
	struct iso f;

	ASSERT_EQ(iso_open(&f, "isolation_target", "isolation_target", "hit_counter"), 0);
	other = observer_open("recorders");
	ASSERT_TRUE(other != NULL);
	sdt_test_unchecked_observers = unchecked;
	ASSERT_TRUE(bpf_sdt_target__attach(f.t, observer_prog(f.obs), "wide_probe",
					   observer_opts(f.obs)) != NULL);
	sdt_test_unchecked_observers = false;
	bss = bss_of(f.obs);
	ASSERT_TRUE(bss != NULL);
	ASSERT_EQ(dup2(iso_map_fd(&f, "verdicts"), bpf_map__fd(bss)), bpf_map__fd(bss));
	sdt_test_unchecked_observers = unchecked;
	ASSERT_TRUE(bpf_sdt_target__attach(f.t, bpf_object__find_program_by_name(other, "rec0"),
					   "state_probe", observer_opts(other)) != NULL);
	sdt_test_unchecked_observers = false;
	ASSERT_EQ(iso_run(&f, &after), 0);
	if (outcome_equal(&f.before, &after) == unchecked)
		FAIL("%s: %s; with no observer: %s", unchecked ? "unchecked" : "checked",
		     outcome_str(&after), outcome_str(&f.before));
	iso_close(&f);
	bpf_object__close(other);
}

TEST(observer_maps_are_bound_by_identity_when_it_is_attached)
{
	REQUIRE_ROOT();
	ASSERT_OK_HELPER(rebind_case(false));
	ASSERT_OK_HELPER(rebind_case(true));
}
