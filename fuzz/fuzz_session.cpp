// Session JSON (ui/session.cpp, compiled here with Qt Core only): parse, and check that an accepted
// session survives sessionToJson and a second parse.
#include "fuzz_common.h"

#include "session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    ui::Session s;
    try {
        s = ui::sessionFromJson(bytes, QStringLiteral("fuzz.poq.json"));
    } catch (const InputError&) {
        return 0;
    }
    const QByteArray json = ui::sessionToJson(s);
    const ui::Session again = fuzz::mustLoad("sessionToJson of an accepted session",
                                             [&] { return ui::sessionFromJson(json, QStringLiteral("round-trip.poq.json")); });
    POQ_FUZZ_CHECK(ui::sessionToJson(again) == json, "sessionToJson round-trips");
    return 0;
}
