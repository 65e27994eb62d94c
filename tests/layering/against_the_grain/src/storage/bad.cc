// Fixture for layering.catches_a_bad_include: storage may not include runtime/.
#include "runtime/codec.h"
