// poq-studio [SESSION.poq.json] [--diagnose] [--screenshots DIR]: the POQ Studio desktop application. `--diagnose` runs a
// scripted session and prints responsiveness figures instead of waiting for the user. `--help` and
// `--version` answer on the terminal without opening a window (or needing a display).
#include "diagnostics.h"
#include "main_window.h"
#include "ui_resources.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>

#include <cstring>

namespace {

void describe(QCommandLineParser& parser)
{
    parser.setApplicationDescription(
        QStringLiteral("POQ Studio: Pareto-optimal quantization, accuracy vs detailed energy for neural networks.\n"
                       "The command line is `poq` (poq --help)."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("diagnose"),
                      QStringLiteral("Run a scripted session and print responsiveness figures, then quit.")});
    parser.addOption({QStringLiteral("screenshots"),
                      QStringLiteral("Save the window and the breakdown after the first run as PNG files in DIR, then quit."),
                      QStringLiteral("DIR")});
    parser.addPositionalArgument(QStringLiteral("session"), QStringLiteral("A session file (.poq.json) to open."),
                                 QStringLiteral("[SESSION.poq.json]"));
}

} // namespace

int main(int argc, char** argv)
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    for (int i = 1; i < argc; ++i)
        for (const char* early : {"-h", "--help", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], early) == 0) {
                QCoreApplication core(argc, argv); // no display needed to answer these
                poq::ui::setApplicationMetadata();
                QCommandLineParser parser;
                describe(parser);
                parser.process(core); // prints and exits
                return 0;
            }
    QApplication app(argc, argv);
    poq::ui::setApplicationMetadata();
    QCommandLineParser parser;
    describe(parser);
    parser.process(app); // an unknown option: one line on stderr, exit 1
    poq::ui::MainWindow window;
    window.show();
    // A session file on the command line opens like File > Open Session; a failure is shown in
    // the window, not only on a terminal the user may not see.
    for (const QString& path : parser.positionalArguments())
        window.openSessionAtStart(path);
    if (parser.isSet(QStringLiteral("screenshots")))
        return poq::ui::takeScreenshots(window, parser.value(QStringLiteral("screenshots")));
    if (parser.isSet(QStringLiteral("diagnose")))
        return poq::ui::runDiagnostics(window, sinceStart);
    return app.exec();
}
