/* SPDX-License-Identifier: GPL-2.0 */
/* Guest tests of SDT guards as static branches (sdt_guards.c) and the
 * design comparison (designs.c). */
#ifndef GUEST_SDT_GUARDS_H
#define GUEST_SDT_GUARDS_H

int test_guard_is_a_nop5_and_its_block_is_kept_while_off(void);
int test_linking_an_observer_turns_its_probes_guard_on(void);
int test_unlinking_turns_the_guard_off_and_restores_the_image(void);
int test_verifier_follows_the_block_of_a_guard(void);
int test_freplace_of_a_function_probe_turns_its_guard_on(void);
int test_second_freplace_of_a_function_probe_is_refused(void);
int test_guards_flip_while_the_target_runs_on_another_cpu(void);
int test_sdt_guard_must_name_a_guard(void);
int test_design_comparison(void);
int test_design_comparison_relinking(void);

#endif
