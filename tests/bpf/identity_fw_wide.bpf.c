/* identity_fw whose drop counters are 16 bytes wide: the same code, a map the running one cannot stand for. */
#define FIRST_MAP per_verdict_count_pass
#define SECOND_MAP per_verdict_count_drop
#define REF_DROP per_verdict_count_drop
#define REF_PASS_PACKETS per_verdict_count_pass
#define REF_PASS_BYTES per_verdict_count_pass
#define SECOND_VALUE struct wide_count
struct wide_count { unsigned long long n, spare; };
#include "identity_fw.h"
