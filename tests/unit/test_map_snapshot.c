// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Map snapshots: what a run changed is seen, and undone. Real kernel maps. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <unistd.h>
#include "helpers.h"
#include "sweep/map_snapshot.h"
#include "test.h"

static int new_map(enum bpf_map_type type, __u32 key_size, __u32 value_size, __u32 entries)
{
	return bpf_map_create(type, "snap_test", key_size, value_size, entries, NULL);
}

TEST(snapshot_sees_a_changed_array_slot_and_restore_undoes_it)
{
	struct sdt_maps_snapshot before = {}, after = {}, again = {};
	__u32 key = 3;
	__u64 v = 42;
	char why[256];
	int fd;

	REQUIRE_ROOT();
	fd = new_map(BPF_MAP_TYPE_ARRAY, 4, 8, 8);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &before), 0);
	ASSERT_EQ(bpf_map_update_elem(fd, &key, &v, BPF_ANY), 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &after), 0);
	ASSERT_FALSE(sdt_maps_equal(&before, &after, NULL, why, sizeof(why)));
	ASSERT_CONTAINS(why, "key 03000000");
	ASSERT_CONTAINS(why, "2a00000000000000");
	ASSERT_EQ(sdt_maps_restore(&before), 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &again), 0);
	ASSERT_TRUE(sdt_maps_equal(&before, &again, NULL, why, sizeof(why)));
	sdt_maps_snapshot_free(&before);
	sdt_maps_snapshot_free(&after);
	sdt_maps_snapshot_free(&again);
	close(fd);
}

TEST(snapshot_restore_deletes_hash_entries_added_since)
{
	struct sdt_maps_snapshot before = {}, again = {};
	__u64 key = 7, v = 1, got;
	char why[256];
	int fd;

	REQUIRE_ROOT();
	fd = new_map(BPF_MAP_TYPE_HASH, 8, 8, 16);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(bpf_map_update_elem(fd, &v, &v, BPF_ANY), 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &before), 0);
	ASSERT_EQ(bpf_map_update_elem(fd, &key, &v, BPF_ANY), 0);
	ASSERT_EQ(sdt_maps_restore(&before), 0);
	ASSERT_TRUE(bpf_map_lookup_elem(fd, &key, &got) && errno == ENOENT);
	ASSERT_EQ(bpf_map_lookup_elem(fd, &v, &got), 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &again), 0);
	ASSERT_TRUE(sdt_maps_equal(&before, &again, NULL, why, sizeof(why)));
	sdt_maps_snapshot_free(&before);
	sdt_maps_snapshot_free(&again);
	close(fd);
}

TEST(snapshot_compares_hash_tables_whatever_order_they_iterate_in)
{
	struct sdt_maps_snapshot a = {}, b = {};
	__u32 k;
	__u64 v = 5;
	char why[256];
	int fd;

	REQUIRE_ROOT();
	fd = new_map(BPF_MAP_TYPE_HASH, 4, 8, 4096);
	ASSERT_TRUE(fd >= 0);
	for (k = 0; k < 3000; k++)
		ASSERT_EQ(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &a), 0);
	ASSERT_EQ(a.maps[0].cnt, 3000); /* more than one batch */
	/* the same contents, inserted in another order */
	for (k = 0; k < 3000; k++)
		ASSERT_EQ(bpf_map_delete_elem(fd, &k), 0);
	for (k = 3000; k-- > 0;)
		ASSERT_EQ(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &b), 0);
	ASSERT_TRUE(sdt_maps_equal(&a, &b, NULL, why, sizeof(why)));
	sdt_maps_snapshot_free(&a);
	sdt_maps_snapshot_free(&b);
	close(fd);
}

TEST(snapshot_of_a_per_cpu_array_holds_every_cpus_value)
{
	struct sdt_maps_snapshot s = {};
	int ncpus = libbpf_num_possible_cpus(), fd;

	REQUIRE_ROOT();
	fd = new_map(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &s), 0);
	ASSERT_EQ(s.maps[0].cnt, 2);
	ASSERT_EQ(s.maps[0].value_size, 8 * ncpus);
	sdt_maps_snapshot_free(&s);
	close(fd);
}

TEST(snapshot_of_a_stack_leaves_it_as_it_was)
{
	struct sdt_maps_snapshot s = {};
	__u32 v, i;
	int fd;

	REQUIRE_ROOT();
	fd = new_map(BPF_MAP_TYPE_STACK, 0, 4, 8);
	ASSERT_TRUE(fd >= 0);
	for (v = 1; v <= 3; v++)
		ASSERT_EQ(bpf_map_update_elem(fd, NULL, &v, BPF_ANY), 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &s), 0);
	ASSERT_EQ(s.maps[0].cnt, 3);
	for (i = 3; i >= 1; i--) { /* still popped top first */
		ASSERT_EQ(bpf_map_lookup_and_delete_elem(fd, NULL, &v), 0);
		ASSERT_EQ(v, i);
	}
	ASSERT_EQ(sdt_maps_restore(&s), 0);
	ASSERT_EQ(bpf_map_lookup_and_delete_elem(fd, NULL, &v), 0);
	ASSERT_EQ(v, 3);
	sdt_maps_snapshot_free(&s);
	close(fd);
}

TEST(snapshot_marks_a_bloom_filter_not_comparable)
{
	struct sdt_maps_snapshot s = {};
	int fd;

	REQUIRE_ROOT();
	fd = new_map(BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 16);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(sdt_maps_snapshot(&fd, 1, &s), 0);
	ASSERT_CONTAINS(s.maps[0].not_comparable, "bloom filter");
	sdt_maps_snapshot_free(&s);
	close(fd);
}
