/* The firewall as its loader runs it. */
#define FIRST_MAP per_verdict_count_pass
#define SECOND_MAP per_verdict_count_drop
#define REF_DROP per_verdict_count_drop
#define REF_PASS_PACKETS per_verdict_count_pass
#define REF_PASS_BYTES per_verdict_count_pass
#include "identity_fw.h"
