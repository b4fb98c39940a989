/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * UAPI constants of kernels newer than Debian 12's headers (linux-libc-dev
 * 6.1) that bpfsdt uses; their values are ABI and never change.
 */
#ifndef __BPFSDT_UAPI_COMPAT_H
#define __BPFSDT_UAPI_COMPAT_H

#define SDT_TCX_INGRESS 46	/* BPF_TCX_INGRESS, 6.6 */
#define SDT_TCX_EGRESS 47	/* BPF_TCX_EGRESS, 6.6 */

#endif
