// Fashion-MNIST IDX files (poq::parseFashionMnist, core/data/idx.cpp) and their gzip layer
// (poq::gunzip / poq::gunzipPrefix, core/data/gzip.cpp). Input: a 4-byte little-endian length N, then
// N bytes of the images file, then the labels file. A part that starts with the gzip signature is
// inflated as the loader does it (the header prefix first, then the whole file, here with a small
// limit); gunzipPrefix must return a prefix of what gunzip returns.
#include "fuzz_common.h"

#include "data/dataset.h"
#include "data/gzip.h"

namespace {

constexpr size_t kMaxInflated = size_t(1) << 20; // the fuzzer's inputs are small; a bomb stops here

// The IDX file that `part` holds, inflated when it is gzipped. Throws InputError like the loader.
std::string idxBytes(const std::string& part, size_t headerBytes, const std::string& name)
{
    if (part.size() < 2 || uint8_t(part[0]) != 0x1f || uint8_t(part[1]) != 0x8b)
        return part;
    const std::string header = poq::gunzipPrefix(part, headerBytes, name);
    POQ_FUZZ_CHECK(header.size() <= headerBytes, "gunzipPrefix returns at most the prefix asked for");
    const std::string all = poq::gunzip(part, name, kMaxInflated);
    POQ_FUZZ_CHECK(all.size() <= kMaxInflated, "gunzip stays within its limit");
    POQ_FUZZ_CHECK(all.compare(0, header.size(), header) == 0, "gunzipPrefix returns a prefix of gunzip");
    POQ_FUZZ_CHECK(header.size() == std::min(headerBytes, all.size()), "gunzipPrefix stops early only on short data");
    // A limit of exactly the inflated size still succeeds; one byte less is refused.
    if (!all.empty()) {
        POQ_FUZZ_CHECK(poq::gunzip(part, name, all.size()) == all, "gunzip at its exact size");
        bool refused = false;
        try {
            poq::gunzip(part, name, all.size() - 1);
        } catch (const poq::InputError&) {
            refused = true;
        }
        POQ_FUZZ_CHECK(refused, "gunzip refuses output beyond maxBytes");
    }
    return all;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    const std::string input = fuzz::bytesOf(data, size);
    size_t split = 0;
    if (size >= 4)
        split = std::min<size_t>(size - 4, size_t(data[0]) | size_t(data[1]) << 8 | size_t(data[2]) << 16
                                               | size_t(data[3]) << 24);
    const std::string imagesPart = size >= 4 ? input.substr(4, split) : input;
    const std::string labelsPart = size >= 4 ? input.substr(4 + split) : std::string();
    Dataset ds;
    try {
        const std::string images = idxBytes(imagesPart, 16, "images.gz");
        const std::string labels = idxBytes(labelsPart, 8, "labels.gz");
        ds = parseFashionMnist(images, labels, "images", "labels");
    } catch (const InputError&) {
        return 0;
    }
    POQ_FUZZ_CHECK(ds.size() > 0 && ds.channels == 1 && ds.height == 28 && ds.width == 28 && ds.classes == 10,
                   "an accepted dataset is 1x28x28 in 10 classes");
    POQ_FUZZ_CHECK(ds.pixels.size() == size_t(ds.size()) * 784, "784 pixels per label");
    for (uint8_t l : ds.labels)
        POQ_FUZZ_CHECK(l < 10, "labels are below the 10 classes");
    return 0;
}
