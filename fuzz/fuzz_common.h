// Shared by the fuzz targets. A loader refuses bad input with poq::InputError; the targets catch that
// and nothing else, so any other exception (std::terminate), crash, leak or sanitizer report is a
// finding. POQ_FUZZ_CHECK stops the run when a promise of the loaders does not hold (a file that was
// accepted must survive being written and read back, sizes must match the header, ...).
#pragma once

#include "util/error.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#define POQ_FUZZ_CHECK(cond, what)                                                                                   \
    do {                                                                                                             \
        if (!(cond)) {                                                                                               \
            std::fprintf(stderr, "POQ fuzz check failed: %s [%s] at %s:%d\n", what, #cond, __FILE__, __LINE__);       \
            std::abort();                                                                                            \
        }                                                                                                            \
    } while (0)

namespace poq::fuzz {

inline std::string bytesOf(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// Runs `f` where an InputError is a finding: the text a loader wrote itself must load again.
template <class F>
auto mustLoad(const char* what, F&& f) -> decltype(f())
{
    try {
        return f();
    } catch (const InputError& e) {
        std::fprintf(stderr, "POQ fuzz check failed: %s was refused: %s\n", what, e.what());
        std::abort();
    }
}

} // namespace poq::fuzz
