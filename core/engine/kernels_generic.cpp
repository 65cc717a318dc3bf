// The kernels for any x86-64 CPU (SSE2).
#define POQ_KERNEL_NS generic
#include "engine/kernels_impl.inc"
