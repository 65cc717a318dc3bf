// gzip decompression through zlib's inflate on an in-memory buffer (the files are tens of MB).
#include "data/gzip.h"

#include "util/error.h"
#include "util/input_file.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace poq {

namespace {

bool hasGzipMagic(std::string_view bytes)
{
    return bytes.size() >= 2 && uint8_t(bytes[0]) == 0x1f && uint8_t(bytes[1]) == 0x8b;
}

bool endsWith(const std::string& s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Owns a z_stream so every exit path calls inflateEnd.
struct Inflater {
    z_stream zs{};
    bool ok = false;
    Inflater() { ok = inflateInit2(&zs, 15 + 16) == Z_OK; } // 15 + 16: gzip wrapper only
    ~Inflater()
    {
        if (ok)
            inflateEnd(&zs);
    }
};

} // namespace

std::string gunzip(std::string_view compressed, const std::string& sourceName, size_t maxBytes,
                   const std::string& overLimitMessage)
{
    if (!hasGzipMagic(compressed))
        throw InputError(sourceName + ": not a gzip file (no 1f 8b signature)");
    Inflater inf;
    if (!inf.ok)
        throw InputError(sourceName + ": cannot start zlib inflate");
    std::string out;
    out.resize(std::min(maxBytes, std::max<size_t>(compressed.size() * 2, 4096)));
    size_t produced = 0;
    size_t consumed = 0;
    for (;;) {
        // zlib counts in uInt; feed and drain at most 1 GiB per call.
        const size_t inChunk = std::min<size_t>(compressed.size() - consumed, size_t(1) << 30);
        if (produced == out.size()) {
            if (out.size() >= maxBytes)
                throw InputError(sourceName + ": "
                                 + (overLimitMessage.empty() ? "decompresses to more than " + std::to_string(maxBytes)
                                                                   + " bytes (limit)"
                                                             : overLimitMessage));
            out.resize(std::min(maxBytes, out.size() * 2));
        }
        const size_t outChunk = std::min<size_t>(out.size() - produced, size_t(1) << 30);
        inf.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + consumed));
        inf.zs.avail_in = uInt(inChunk);
        inf.zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        inf.zs.avail_out = uInt(outChunk);
        const int rc = inflate(&inf.zs, Z_NO_FLUSH);
        consumed += inChunk - inf.zs.avail_in;
        produced += outChunk - inf.zs.avail_out;
        if (rc == Z_STREAM_END) {
            const std::string_view rest = compressed.substr(consumed);
            if (rest.empty())
                break;
            // Another member follows (as `cat a.gz b.gz` makes); anything else is damage.
            if (!hasGzipMagic(rest))
                throw InputError(sourceName + ": corrupt gzip stream (" + std::to_string(rest.size())
                                 + " stray bytes after the end)");
            inflateReset(&inf.zs);
            continue;
        }
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT)
            throw InputError(sourceName + ": corrupt gzip stream ("
                             + (inf.zs.msg ? std::string(inf.zs.msg) : std::string("bad data")) + ")");
        if (rc == Z_MEM_ERROR)
            throw InputError(sourceName + ": out of memory while decompressing");
        const bool stalled = rc == Z_BUF_ERROR || (inf.zs.avail_in == 0 && inf.zs.avail_out != 0);
        if (stalled && consumed == compressed.size())
            throw InputError(sourceName + ": truncated gzip stream (the file ends inside compressed data)");
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            throw InputError(sourceName + ": corrupt gzip stream (zlib error " + std::to_string(rc) + ")");
    }
    out.resize(produced);
    return out;
}

std::string gunzipPrefix(std::string_view compressed, size_t prefixBytes, const std::string& sourceName)
{
    if (!hasGzipMagic(compressed))
        throw InputError(sourceName + ": not a gzip file (no 1f 8b signature)");
    Inflater inf;
    if (!inf.ok)
        throw InputError(sourceName + ": cannot start zlib inflate");
    std::string out(prefixBytes, '\0');
    size_t produced = 0, consumed = 0;
    while (produced < prefixBytes) {
        const size_t inChunk = std::min<size_t>(compressed.size() - consumed, size_t(1) << 30);
        inf.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + consumed));
        inf.zs.avail_in = uInt(inChunk);
        inf.zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        inf.zs.avail_out = uInt(prefixBytes - produced);
        const int rc = inflate(&inf.zs, Z_NO_FLUSH);
        consumed += inChunk - inf.zs.avail_in;
        produced = prefixBytes - inf.zs.avail_out;
        if (rc == Z_STREAM_END) {
            const std::string_view rest = compressed.substr(consumed);
            if (rest.empty() || !hasGzipMagic(rest))
                break; // short data, or damage that the full read reports
            inflateReset(&inf.zs);
            continue;
        }
        if (rc != Z_OK)
            break; // errors and truncation are reported by the full read
    }
    out.resize(produced);
    return out;
}

bool isGzipName(const std::string& path) { return endsWith(path, ".gz"); }

std::string readDataFile(const std::string& path, size_t maxBytes)
{
    const std::string bytes = readInputFile(path, InputFileKind::DataFile);
    return endsWith(path, ".gz") ? gunzip(bytes, path, maxBytes) : bytes;
}

} // namespace poq
