// The kernels for CPUs with AVX2 and FMA (compiled with -mavx2 -mfma). Eigen is renamed so that its
// AVX2 template instances cannot be mixed up with the generic ones at link time.
#define Eigen EigenAvx2
#define POQ_KERNEL_NS avx2
#include "engine/kernels_impl.inc"
