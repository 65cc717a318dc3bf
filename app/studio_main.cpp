// poq-studio: the POQ Studio desktop application.
#include "main_window.h"
#include "ui_resources.h"

#include <QApplication>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    poq::ui::setApplicationMetadata();
    poq::ui::MainWindow window;
    window.show();
    return app.exec();
}
