// Session JSON (core/explore/session.cpp): parse, and check that an accepted session survives
// sessionToJson and a second parse.
#include "fuzz_common.h"

#include "explore/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    Session s;
    try {
        s = sessionFromJson(bytes, "fuzz.poq.json");
    } catch (const InputError&) {
        return 0;
    }
    const std::string json = sessionToJson(s);
    const Session again = fuzz::mustLoad("sessionToJson of an accepted session",
                                         [&] { return sessionFromJson(json, "round-trip.poq.json"); });
    POQ_FUZZ_CHECK(sessionToJson(again) == json, "sessionToJson round-trips");
    return 0;
}
