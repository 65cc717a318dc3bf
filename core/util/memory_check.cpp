// Physical memory from sysconf (POSIX) and the refusal message.
#include "util/memory_check.h"

#include "util/error.h"
#include "util/input_file.h"

#include <unistd.h>

namespace poq {

uint64_t physicalMemoryBytes()
{
    const long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && pageSize > 0 ? uint64_t(pages) * uint64_t(pageSize) : 0;
}

uint64_t saturatingMul(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

uint64_t saturatingAdd(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

void checkMemoryFits(uint64_t bytes, const std::string& what, const std::string& hint)
{
    const uint64_t have = physicalMemoryBytes();
    if (have == 0 || bytes <= have)
        return;
    throw InputError(what + " needs about " + humanBytes(double(bytes)) + " of memory, more than this machine's "
                     + humanBytes(double(have)) + (hint.empty() ? "" : " (" + hint + ")"));
}

} // namespace poq
