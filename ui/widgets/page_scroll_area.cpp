#include "page_scroll_area.hpp"

#include <QCoreApplication>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabBar>
#include <QTabWidget>
#include <QWheelEvent>
#include <QSplitter>
#include <QTimer>
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

void stack_panels(QSplitter* splitter, bool stacked, std::array<int, 2> stacked_min_heights,
                  std::function<int(int total, bool stacked)> second_size) {
    const Qt::Orientation wanted = stacked ? Qt::Vertical : Qt::Horizontal;
    if (splitter->orientation() == wanted) return;
    splitter->setOrientation(wanted);
    for (int i = 0; i < 2; ++i) splitter->widget(i)->setMinimumHeight(stacked ? stacked_min_heights[i] : 0);
    QTimer::singleShot(0, splitter, [splitter, stacked, second_size = std::move(second_size)] {
        if (stacked != (splitter->orientation() == Qt::Vertical)) return;  // switched back meanwhile
        const int total = stacked ? splitter->height() : splitter->width();
        const int second = second_size(total, stacked);
        splitter->setSizes({total - second, second});
    });
}

namespace {

class TabWheelToPage : public QObject {
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() != QEvent::Wheel) return false;
        for (QObject* o = watched->parent(); o; o = o->parent()) {
            if (auto* scroll = qobject_cast<QScrollArea*>(o)) {
                QCoreApplication::sendEvent(scroll->verticalScrollBar(), event);
                break;
            }
        }
        return true;  // never the tab bar's own "next tab"
    }
};

}  // namespace

void pass_tab_wheel_to_page(QTabWidget* tabs) {
    tabs->tabBar()->installEventFilter(new TabWheelToPage(tabs->tabBar()));
}

}  // namespace studio
