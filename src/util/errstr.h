/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __BPFSDT_ERRSTR_H
#define __BPFSDT_ERRSTR_H

/* The text of an error code from libbpf or the kernel (either sign):
 * libbpf's own codes (LIBBPF_ERRNO__*, 4000 and up) have no strerror()
 * text, "Unknown error 4001" says nothing. Thread-local buffer, valid until
 * the thread's next call. */
const char *sdt_errstr(int err);

#endif
