// Bounded reads of regular files (POSIX): open without blocking, fstat, refuse, then read at most
// the limit plus one byte (a file that grows while it is read is refused too).
#include "util/input_file.h"

#include "util/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace poq {

namespace {

constexpr size_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;

// A network of 100,000 layers is about 10 MB of JSON; hardware files and sessions are a few kB; a
// sweep of 100,000 points is about 20 MB of CSV; the largest model in use is 30 MB, the largest
// dataset file (Fashion-MNIST training images, uncompressed) 47 MB.
constexpr InputFileInfo kInfos[] = {
    {InputFileKind::NetworkJson, "network file", 256 * kMiB},
    {InputFileKind::HardwareJson, "hardware file", 16 * kMiB},
    {InputFileKind::Session, "session file", 64 * kMiB},
    {InputFileKind::AccuracyCsv, "accuracy CSV", 256 * kMiB},
    {InputFileKind::SweepCsv, "sweep CSV", 256 * kMiB},
    {InputFileKind::Model, "model file", 2 * kGiB},
    {InputFileKind::DataFile, "dataset file", kGiB},
    {InputFileKind::CacheEntry, "cache entry", kMiB},
    {InputFileKind::OnnxModel, "ONNX model", 2 * kGiB - 1}, // protobuf's limit
};
static_assert(std::size(kInfos) == kInputFileKindCount, "one row per InputFileKind");

const char* fileTypeName(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a plain file";
}

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

const InputFileInfo& inputFileInfo(InputFileKind kind)
{
    for (const InputFileInfo& i : kInfos)
        if (i.kind == kind)
            return i;
    return kInfos[0];
}

std::string humanBytes(double bytes)
{
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < 6) {
        bytes /= 1024;
        ++u;
    }
    char buf[48];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%.0f B", bytes);
    else
        std::snprintf(buf, sizeof buf, bytes < 10 ? "%.3g %s" : "%.4g %s", bytes, kUnits[u]);
    return buf;
}

std::string readInputFileBounded(const std::string& path, size_t maxBytes, const char* label)
{
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (f.fd < 0) {
        const int err = errno;
        if (err == ENOENT)
            throw InputError(path + ": file not found");
        throw InputError(path + ": cannot open: " + std::strerror(err));
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0)
        throw InputError(path + ": cannot read: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw InputError(path + ": not a regular file (" + fileTypeName(st.st_mode) + "); a " + label
                         + " is expected");
    if (uint64_t(st.st_size) > maxBytes)
        throw InputError(path + ": " + humanBytes(double(st.st_size)) + " is above the " + humanBytes(double(maxBytes))
                         + " limit for a " + label);
    // Regular files never block; clear O_NONBLOCK anyway so reads are plain.
    ::fcntl(f.fd, F_SETFL, ::fcntl(f.fd, F_GETFL) & ~O_NONBLOCK);
    std::string bytes;
    bytes.resize(size_t(st.st_size) + 1);
    size_t have = 0;
    for (;;) {
        if (have == bytes.size()) {
            if (bytes.size() > maxBytes)
                throw InputError(path + ": grew above the " + humanBytes(double(maxBytes)) + " limit for a " + label
                                 + " while it was read");
            bytes.resize(std::min(maxBytes + 1, bytes.size() * 2));
        }
        const ssize_t n = ::read(f.fd, bytes.data() + have, bytes.size() - have);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw InputError(path + ": cannot read: " + std::strerror(errno));
        }
        if (n == 0)
            break;
        have += size_t(n);
    }
    if (have > maxBytes)
        throw InputError(path + ": grew above the " + humanBytes(double(maxBytes)) + " limit for a " + label
                         + " while it was read");
    bytes.resize(have);
    return bytes;
}

std::string readInputFile(const std::string& path, InputFileKind kind)
{
    const InputFileInfo& info = inputFileInfo(kind);
    return readInputFileBounded(path, info.maxBytes, info.label);
}

} // namespace poq
