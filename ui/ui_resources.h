// Resources the GUI loads from the resource folder (icons), with a fallback when none is found.
#pragma once

#include <QIcon>

namespace poq::ui {

QIcon appIcon();

// Qt application metadata (name, organization) used by QSettings.
void setApplicationMetadata();

} // namespace poq::ui
