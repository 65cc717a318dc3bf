// Locates the resource folder for both installed (DEB) and developer builds.
#include "util/resources.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace poq {

namespace {

bool looksLikeResourceDir(const fs::path& dir)
{
    std::error_code ec;
    return fs::is_directory(dir / "networks", ec);
}

std::string findResourceDir()
{
    if (const char* env = std::getenv("POQ_RESOURCES"); env && *env && looksLikeResourceDir(env))
        return fs::path(env).lexically_normal().string();
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path installed = exe.parent_path().parent_path() / "share" / "poq-studio";
        if (looksLikeResourceDir(installed))
            return installed.lexically_normal().string();
    }
#ifdef POQ_SOURCE_RESOURCE_DIR
    if (looksLikeResourceDir(POQ_SOURCE_RESOURCE_DIR))
        return POQ_SOURCE_RESOURCE_DIR;
#endif
    return {};
}

} // namespace

std::string resourceDir()
{
    static const std::string dir = findResourceDir();
    return dir;
}

std::string resourcePath(const std::string& relative)
{
    const std::string dir = resourceDir();
    return dir.empty() ? std::string() : dir + "/" + relative;
}

} // namespace poq
