#include "page_scroll_area.hpp"

#include <QScrollArea>
#include <QVBoxLayout>
#include <QWidget>

namespace studio {

QWidget* scrolling_content(QWidget* page) {
    auto* lay = new QVBoxLayout(page);
    lay->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(page);
    scroll->setObjectName(QStringLiteral("pageScrollArea"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    auto* content = new QWidget;
    scroll->setWidget(content);
    lay->addWidget(scroll);
    return content;
}

}  // namespace studio
