/* SPDX-License-Identifier: GPL-2.0 */
/* Guest tests of SDT sites at BPF_PROG_LOAD (sdt_sites.c). */
#ifndef GUEST_SDT_SITES_H
#define GUEST_SDT_SITES_H

int test_sdt_site_keeps_its_nop_and_gets_a_nop5(void);
int test_sdt_site_follows_rewrites_before_it(void);
int test_sdt_site_refuses_a_pointer_for_an_int(void);
int test_sdt_site_refuses_a_maybe_null_pointer(void);
int test_sdt_site_refuses_an_uninitialized_register(void);
int test_sdt_site_must_name_a_nop(void);

#endif
