/* placeholder until the core lands */
#include "jail_table.h"
