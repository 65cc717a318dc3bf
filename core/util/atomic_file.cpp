// Atomic writes through temp file + fsync + rename (POSIX).
#include "util/atomic_file.h"

#include "util/display_text.h"
#include "util/error.h"

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace poq {

void checkWritableDestination(const std::string& path, const std::string& option)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path parent = fs::absolute(path, ec).parent_path();
    if (ec || !fs::is_directory(parent, ec))
        throw InputError(option + ": cannot write '" + echo(path) + "' (the folder does not exist)");
    if (::access(parent.c_str(), W_OK) != 0)
        throw InputError(option + ": cannot write '" + echo(path) + "' (the folder is not writable)");
    if (fs::is_directory(path, ec))
        throw InputError(option + ": '" + echo(path) + "' is a folder");
}

int removeStaleTemporaries(const std::string& path, int minAgeSeconds)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path target = fs::absolute(path, ec);
    if (ec)
        return 0;
    const std::string prefix = target.filename().string() + ".tmp-";
    const auto now = fs::file_time_type::clock::now();
    int removed = 0;
    for (const auto& e : fs::directory_iterator(target.parent_path(), ec)) {
        const std::string name = e.path().filename().string();
        // mkstemp's suffix: exactly six characters after the prefix.
        if (name.size() != prefix.size() + 6 || name.compare(0, prefix.size(), prefix) != 0)
            continue;
        std::error_code ec2;
        if (!e.is_regular_file(ec2))
            continue;
        const auto age = now - e.last_write_time(ec2);
        if (!ec2 && age > std::chrono::seconds(minAgeSeconds) && fs::remove(e.path(), ec2))
            ++removed;
    }
    return removed;
}

void writeFileAtomically(const std::string& path, std::string_view contents)
{
    removeStaleTemporaries(path);
    std::string tmpl = path + ".tmp-XXXXXX";
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        throw InputError("cannot write '" + path + "': " + std::strerror(errno));
    const char* p = contents.data();
    size_t left = contents.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            ::close(fd);
            ::unlink(tmpl.c_str());
            throw InputError("cannot write '" + path + "': " + std::strerror(err));
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    ::fchmod(fd, 0644);
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        int err = errno;
        ::unlink(tmpl.c_str());
        throw InputError("cannot write '" + path + "': " + std::strerror(err));
    }
    if (std::rename(tmpl.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmpl.c_str());
        throw InputError("cannot write '" + path + "': " + std::strerror(err));
    }
}

} // namespace poq
