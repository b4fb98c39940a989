/* SPDX-License-Identifier: GPL-2.0 */
/* Guest tests of SDT observers: verification, linking, trampolines (sdt_observers.c). */
#ifndef GUEST_SDT_OBSERVERS_H
#define GUEST_SDT_OBSERVERS_H

int test_rfc_example_observer_prints_len_and_ret(void);
int test_observer_sees_every_site_of_its_probe(void);
int test_observer_reads_the_site_id_and_its_link_cookie(void);
int test_observer_sees_each_of_32_sites(void);
int test_observers_of_one_probe_run_in_link_order(void);
int test_link_detach_stops_an_observer(void);
int test_observer_reads_integers_of_each_width(void);
int test_observer_reads_pointer_arguments(void);
int test_observer_reads_an_enum_argument(void);
int test_unlinking_restores_the_jited_nops(void);
int test_observer_reading_past_the_last_argument_is_refused(void);
int test_observer_with_a_mismatched_prototype_is_refused(void);
int test_observer_of_a_function_that_is_no_probe_is_refused(void);
int test_same_observer_linked_twice_is_refused(void);
int test_link_and_unlink_while_the_target_runs_on_another_cpu(void);
int test_target_and_observer_released_while_linked(void);
int test_per_hit_cost_ratios(void);

#endif
