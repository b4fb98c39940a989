/* SPDX-License-Identifier: GPL-2.0 */
/* bpfsdt run and trace on a kernel with in-kernel SDT (bpfsdt_cli.c). */
#ifndef GUEST_BPFSDT_CLI_H
#define GUEST_BPFSDT_CLI_H

int test_bpfsdt_run_traces_the_rfc_example_in_the_kernel(void);
int test_bpfsdt_run_events_name_the_same_sites_as_relinking(void);
int test_bpfsdt_run_counts_in_the_kernel(void);
int test_bpfsdt_run_turns_guards_on_in_the_kernel(void);
int test_bpfsdt_run_links_a_compiled_observer_in_the_kernel(void);
int test_bpfsdt_run_observes_a_function_probe_by_freplace(void);
int test_bpfsdt_run_relinks_a_program_with_a_six_argument_probe(void);
int test_bpfsdt_trace_follows_a_live_xdp_program_without_swapping_it(void);

#endif
