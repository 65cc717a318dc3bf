// GUI resource loading.
#include "ui_resources.h"

#include "util/resources.h"
#include "util/version.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace poq::ui {

QIcon appIcon()
{
    const QString path = QString::fromStdString(resourcePath("icons/poq-studio.svg"));
    if (!path.isEmpty() && QFileInfo::exists(path))
        return QIcon(path);
    return QIcon::fromTheme(QStringLiteral("poq-studio"));
}

void setApplicationMetadata()
{
    QCoreApplication::setOrganizationName(QStringLiteral("POQ Studio"));
    QCoreApplication::setApplicationName(QStringLiteral("POQ Studio"));
    QCoreApplication::setApplicationVersion(QString::fromUtf8(kVersion));
}

} // namespace poq::ui
