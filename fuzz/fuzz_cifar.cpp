// CIFAR-10 binary batches (poq::appendCifarBatch, core/data/cifar.cpp): an accepted batch adds whole
// records with labels below 10, and appending it a second time doubles the dataset.
#include "fuzz_common.h"

#include "data/dataset.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    const std::string bytes = fuzz::bytesOf(data, size);
    constexpr size_t kImage = 3 * 32 * 32;
    Dataset ds;
    ds.channels = 3;
    ds.height = ds.width = 32;
    ds.classes = 10;
    try {
        appendCifarBatch(ds, bytes, "fuzz.bin");
    } catch (const InputError&) {
        return 0;
    }
    POQ_FUZZ_CHECK(ds.size() > 0 && ds.labels.size() * (kImage + 1) == size, "one record per 3073 bytes");
    POQ_FUZZ_CHECK(ds.pixels.size() == ds.labels.size() * kImage, "3072 pixels per label");
    for (uint8_t l : ds.labels)
        POQ_FUZZ_CHECK(l < 10, "labels are below the 10 classes");
    POQ_FUZZ_CHECK(size_t(ds.imageSizeBytes()) == kImage, "image size");
    POQ_FUZZ_CHECK(std::memcmp(ds.image(0), bytes.data() + 1, kImage) == 0, "the first image is the first record's pixels");
    const size_t records = ds.labels.size();
    fuzz::mustLoad("the same batch a second time", [&] { appendCifarBatch(ds, bytes, "again.bin"); return 0; });
    POQ_FUZZ_CHECK(ds.labels.size() == 2 * records && ds.pixels.size() == 2 * records * kImage, "appending doubles");
    return 0;
}
