// poq-studio [SESSION.poq.json] [--diagnose]: the POQ Studio desktop application. `--diagnose` runs a
// scripted session and prints responsiveness figures instead of waiting for the user.
#include "diagnostics.h"
#include "main_window.h"
#include "ui_resources.h"

#include <QApplication>
#include <QElapsedTimer>

int main(int argc, char** argv)
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    QApplication app(argc, argv);
    poq::ui::setApplicationMetadata();
    const bool diagnose = QCoreApplication::arguments().contains(QStringLiteral("--diagnose"));
    poq::ui::MainWindow window;
    window.show();
    // A session file on the command line opens like File > Open Session.
    for (const QString& arg : QCoreApplication::arguments().mid(1))
        if (!arg.startsWith(QLatin1String("--"))) {
            QString error;
            if (!window.openSession(arg, &error))
                qWarning("%s", qPrintable(error));
        }
    if (diagnose)
        return poq::ui::runDiagnostics(window, sinceStart);
    return app.exec();
}
