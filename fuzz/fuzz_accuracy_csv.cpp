// Accuracy CSV (poq::AccuracyTable::parseCsv, core/explore/sweep.cpp): parse, then every data row must
// be found again under its network, width and canonical strategy name, and count once as unmatched
// against an empty sweep.
#include "fuzz_common.h"

#include "explore/csv.h"
#include "explore/sweep.h"
#include "formats/strategy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace poq;
    const std::string text = fuzz::bytesOf(data, size);
    AccuracyTable table;
    try {
        table = AccuracyTable::parseCsv(text, "fuzz.csv");
    } catch (const InputError&) {
        return 0;
    }
    const CsvTable csv = fuzz::mustLoad("the CSV of an accepted table", [&] { return parseCsvText(text, "fuzz.csv"); });
    POQ_FUZZ_CHECK(table.unmatched({}).size() == csv.rows.size(), "one entry per data row");
    const int network = csv.column("network"), width = csv.column("width"), strategy = csv.column("strategy");
    for (const CsvRow& row : csv.rows) {
        const auto w = parseCsvNumber(row.cells[size_t(width)]);
        POQ_FUZZ_CHECK(w.has_value(), "an accepted row has a numeric width");
        const std::string s = fuzz::mustLoad("an accepted strategy",
                                             [&] { return QuantStrategy::parse(row.cells[size_t(strategy)]).name; });
        const AccuracyTable::Entry* e = table.find(row.cells[size_t(network)], *w, s);
        POQ_FUZZ_CHECK(e != nullptr && e->line == row.line, "every row is found under its own key");
        POQ_FUZZ_CHECK(e->accuracy >= 0 && e->accuracy <= 1, "accuracies are fractions");
    }
    return 0;
}
