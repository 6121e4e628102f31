#include "notice_bar.hpp"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace studio {

NoticeBar::NoticeBar(QWidget* parent) : QFrame(parent) {
    setFrameShape(QFrame::StyledPanel);
    auto* lay = new QHBoxLayout(this);
    const int m = fontMetrics().height() / 3;
    lay->setContentsMargins(m * 2, m, m, m);
    icon_ = new QLabel(this);
    icon_->setAlignment(Qt::AlignTop);
    label_ = new QLabel(this);
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    close_ = new QToolButton(this);
    close_->setAutoRaise(true);
    close_->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close_->setToolTip(tr("Dismiss"));
    close_->setAccessibleName(tr("Dismiss message"));
    lay->addWidget(icon_);
    lay->addWidget(label_, 1);
    action_button_ = new QToolButton(this);
    action_button_->setObjectName(QStringLiteral("noticeActionButton"));
    action_button_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    action_button_->hide();
    lay->addWidget(action_button_, 0, Qt::AlignVCenter);
    buttons_ = new QHBoxLayout;
    lay->addLayout(buttons_);
    lay->addWidget(close_, 0, Qt::AlignTop);
    connect(close_, &QToolButton::clicked, this, [this] {
        hide();
        emit dismissed();
    });
    hide_timer_ = new QTimer(this);
    hide_timer_->setSingleShot(true);
    connect(hide_timer_, &QTimer::timeout, this, &QWidget::hide);
    hide();
}

void NoticeBar::show_notice(Kind kind, const QString& text, int timeout_ms, const QList<QAction*>& actions) {
    kind_ = kind;
    label_->setText(text);
    while (QLayoutItem* item = buttons_->takeAt(0)) {
        // Later, not now: this can run inside the button's own click (its action opens a
        // dialog with a nested event loop during which another notice arrives).
        if (QWidget* w = item->widget()) {
            w->hide();
            w->deleteLater();
        }
        delete item;
    }
    for (QAction* a : actions) {
        auto* b = new QToolButton(this);
        b->setDefaultAction(a);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        buttons_->addWidget(b, 0, Qt::AlignVCenter);
    }
    apply_style();
    show();
    if (timeout_ms > 0) hide_timer_->start(timeout_ms);
    else hide_timer_->stop();
}

void NoticeBar::set_closable(bool closable) { close_->setVisible(closable); }

void NoticeBar::set_action(QAction* action) {
    if (action == action_button_->defaultAction()) return;
    // The old default action stays in the button's actions() unless removed (which also
    // clears defaultAction()).
    if (QAction* old = action_button_->defaultAction()) action_button_->removeAction(old);
    if (action) action_button_->setDefaultAction(action);
    action_button_->setVisible(action != nullptr);
}

QAction* NoticeBar::action() const { return action_button_->defaultAction(); }

QString NoticeBar::text() const { return label_->text(); }

QList<QAction*> NoticeBar::actions_offered() const {
    QList<QAction*> out;
    for (int i = 0; i < buttons_->count(); ++i) {
        if (auto* b = qobject_cast<QToolButton*>(buttons_->itemAt(i)->widget())) out << b->defaultAction();
    }
    return out;
}

void NoticeBar::apply_style() {
    // Soft tinted backgrounds with dark text read well on light and dark themes alike.
    QString bg, border, fg;
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    switch (kind_) {
        case Kind::Info: bg = "#dcebf7"; border = "#9cc3e4"; fg = "#123a5c"; break;
        case Kind::Warning:
            bg = "#fff1c9"; border = "#e8c25a"; fg = "#4d3800";
            icon = QStyle::SP_MessageBoxWarning;
            break;
        case Kind::Error:
            bg = "#f9dcdc"; border = "#e09a9a"; fg = "#5c1010";
            icon = QStyle::SP_MessageBoxCritical;
            break;
    }
    setStyleSheet(QStringLiteral("studio--NoticeBar { background: %1; border: 1px solid %2; border-radius: 4px; }"
                                 "studio--NoticeBar QLabel { color: %3; background: transparent; }")
                      .arg(bg, border, fg));
    const int side = fontMetrics().height() * 3 / 2;
    icon_->setPixmap(style()->standardIcon(icon).pixmap(QSize(side, side), devicePixelRatioF()));
}

}  // namespace studio
