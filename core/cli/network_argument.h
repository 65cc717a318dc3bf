// The NETWORK argument every subcommand takes (a built-in name, a network JSON file or an ONNX file)
// and --input-shape for ONNX files with symbolic dimensions: one definition for every command.
#pragma once

#include "graph/network_io.h"
#include "graph/zoo.h"

#include <CLI/CLI.hpp>

#include <string>

namespace poq::cli {

struct NetworkArgument {
    std::string network;
    std::string inputShape; // "C,H,W" or empty

    NetworkLoadOptions options() const
    {
        NetworkLoadOptions o;
        if (!inputShape.empty())
            o.inputShape = parseShapeText(inputShape, "--input-shape");
        return o;
    }
    NetworkSpec load() const { return resolveNetwork(network, options()); }
    bool isOnnxFile() const { return isOnnxPath(network); } // no built-in name ends in .onnx
};

inline constexpr const char* kNetworkHelp =
    "Built-in network name (see `poq networks`), network JSON file, or ONNX file (.onnx, opset 11-18)";

// NETWORK (positional) and --input-shape; returns the positional option.
inline CLI::Option* addNetworkArgument(CLI::App* sub, NetworkArgument& a, bool required = true)
{
    CLI::Option* n = sub->add_option("NETWORK", a.network, kNetworkHelp);
    if (required)
        n->required();
    sub->add_option("--input-shape", a.inputShape,
                    "ONNX files only: the input's C,H,W when the file leaves them symbolic (e.g. 3,224,224)");
    return n;
}

} // namespace poq::cli
