// Memory estimates checked before allocating: a network that validates (every count below 2^53) can
// still need more memory than the machine has; it is refused with its size instead of ending in
// std::bad_alloc halfway through a job.
#pragma once

#include <cstdint>
#include <string>

namespace poq {

// The machine's physical memory in bytes (0 when unknown).
uint64_t physicalMemoryBytes();

// Throws InputError "WHAT needs about X GiB of memory, more than this machine's Y GiB (HINT)" when
// `bytes` exceed the physical memory. Estimates saturate: pass UINT64_MAX for "beyond counting".
void checkMemoryFits(uint64_t bytes, const std::string& what, const std::string& hint);

// a * b, saturating at UINT64_MAX.
uint64_t saturatingMul(uint64_t a, uint64_t b);
uint64_t saturatingAdd(uint64_t a, uint64_t b);

} // namespace poq
