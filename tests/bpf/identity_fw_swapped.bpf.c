/* identity_fw with its two maps' names swapped: the same code, so the same kernel tag. */
#define FIRST_MAP per_verdict_count_drop
#define SECOND_MAP per_verdict_count_pass
#define REF_DROP per_verdict_count_pass
#define REF_PASS_PACKETS per_verdict_count_drop
#define REF_PASS_BYTES per_verdict_count_drop
#include "identity_fw.h"
