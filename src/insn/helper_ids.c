// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "insn/helper_args.h"

int sdt_helper_id(const char *name)
{
	unsigned int id;

	for (id = 1; id < sdt_helper_name_cnt; id++)
		if (sdt_helper_name_table[id] && !strcmp(sdt_helper_name_table[id], name))
			return (int)id;
	return -1;
}
