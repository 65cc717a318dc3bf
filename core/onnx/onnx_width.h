// How the width multiplier scales an imported network: every channel count scales except the
// network input's and the output's, and channels that must stay equal (joined by Add, Mul or a
// depthwise convolution) follow one rule. See planOnnxWidth.
#pragma once

#include "graph/network_spec.h"

#include <string>
#include <vector>

namespace poq {

// Sets the Scaling (or Expand) attribute of every MAC layer of `spec` (a valid network at width 1)
// and returns one line per layer held fixed or scaled differently, with the reason:
// - channels tied to the network input or to the network output (`outputTensor`) stay fixed, as do
//   both sides of a grouped (not depthwise) convolution;
// - a 1x1 convolution whose output is an integer multiple of its input and feeds a depthwise
//   convolution, alone in its tie group, is an inverted-residual expansion (Expand: the ratio stays);
// - a lone 1x1 convolution whose channels reach the classifier scales only above width 1
//   (MobileNet's last convolution);
// - everything else scales with makeDivisible(c x width, 8).
// When the rules cannot keep tied channels equal at some width, every layer is held fixed and the
// note says so.
std::vector<std::string> planOnnxWidth(NetworkSpec& spec, const std::string& outputTensor);

} // namespace poq
