/* placeholder until the core lands */
#include "jail_policy.h"
