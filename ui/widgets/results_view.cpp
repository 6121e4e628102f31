#include "results_view.hpp"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>

#include "common/display_format.hpp"

namespace studio {

// The tooltip has the whole label.
QString fit_prediction_label(const QFontMetrics& fm, int rank, const QString& label, int width) {
    const QString whole = QStringLiteral("%1. %2").arg(rank).arg(label);
    if (fm.horizontalAdvance(whole) <= width) return whole;
    const QString first = QStringLiteral("%1. %2").arg(rank).arg(label.section(QLatin1Char(','), 0, 0).trimmed());
    return fm.elidedText(first, Qt::ElideRight, width);
}

ResultsView::ResultsView(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setAccessibleName(tr("Top-5 predictions"));
}

void ResultsView::set_predictions(const std::vector<mnv1::Prediction>& top, int selected) {
    top_ = top;
    message_.clear();
    // A uint8 output (the int8 releases: steps of 1/256) rounds most classes to exactly 0,
    // and ties come in class order: "background, tench, goldfish" at 0.0 % would read as
    // predictions. Rows from the first exact 0 on are summed up in one line instead.
    shown_ = 0;
    while (shown_ < static_cast<int>(top_.size()) && (shown_ == 0 || top_[static_cast<std::size_t>(shown_)].probability > 0)) {
        ++shown_;
    }
    selected_ = shown_ == 0 ? -1 : std::clamp(selected, 0, shown_ - 1);
    update();
}

int ResultsView::zero_rows() const { return static_cast<int>(top_.size()) - shown_; }

void ResultsView::clear_predictions(const QString& message) {
    top_.clear();
    shown_ = 0;
    selected_ = -1;
    message_ = message;
    update();
}

void ResultsView::set_selected_row(int row) {
    if (row < 0 || row >= shown_ || row == selected_) return;
    selected_ = row;
    update();
}

int ResultsView::row_height() const {
    // One text line, the bar (60 % of a line) and some air.
    const int h = fontMetrics().height();
    return h + h * 6 / 10 + h * 7 / 10;
}

QSize ResultsView::sizeHint() const {
    const int h = fontMetrics().height();
    return {h * 20, row_height() * 5 + h / 2};
}

QSize ResultsView::minimumSizeHint() const {
    const int h = fontMetrics().height();
    return {h * 10, row_height() * 5 + h / 2};
}

int ResultsView::row_at(QPoint pos) const {
    const int row = pos.y() / row_height();
    return row >= 0 && row < shown_ ? row : -1;
}

void ResultsView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    const int h = fm.height();
    const QPalette pal = palette();

    if (top_.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(h / 2, 0, -h / 2, 0), Qt::AlignCenter | Qt::TextWordWrap, message_);
        return;
    }

    const int rh = row_height();
    const int pad = h / 2;
    const int bar_h = h * 6 / 10;
    const QColor accent = pal.color(QPalette::Highlight);
    QColor muted = accent;
    muted.setAlphaF(0.55f);
    QColor track = pal.color(QPalette::Text);
    track.setAlphaF(0.10f);

    for (int i = 0; i < shown_; ++i) {
        const mnv1::Prediction& pr = top_[static_cast<std::size_t>(i)];
        const QRect row(0, i * rh, width(), rh);
        const bool selected = i == selected_;
        if (selected) {
            QColor bg = accent;
            bg.setAlphaF(0.12f);
            QPainterPath path;
            path.addRoundedRect(QRectF(row).adjusted(1, 1, -1, -1), h / 3.0, h / 3.0);
            p.fillPath(path, bg);
        }
        const QString pct = format_percent(pr.probability);
        const QString label = pr.label.empty() ? tr("class %1").arg(pr.index) : QString::fromStdString(pr.label);
        const int pct_w = fm.horizontalAdvance(QStringLiteral("100.0 %"));
        const QRect text_rect(row.left() + pad, row.top() + h * 3 / 10, row.width() - 2 * pad, h);
        QFont f = font();
        f.setBold(i == 0);
        p.setFont(f);
        const QFontMetrics lfm(f);
        p.setPen(pal.color(QPalette::Text));
        const QString shown = fit_prediction_label(lfm, i + 1, label, text_rect.width() - pct_w - pad);
        p.drawText(text_rect, Qt::AlignLeft | Qt::AlignVCenter, shown);
        p.drawText(text_rect, Qt::AlignRight | Qt::AlignVCenter, pct);
        p.setFont(font());

        const QRectF track_rect(text_rect.left(), text_rect.bottom() + h * 2 / 10.0, text_rect.width(), bar_h);
        QPainterPath tpath;
        tpath.addRoundedRect(track_rect, bar_h / 2.0, bar_h / 2.0);
        p.fillPath(tpath, track);
        const double frac = std::clamp(static_cast<double>(pr.probability), 0.0, 1.0);
        if (frac > 0) {
            QRectF fill = track_rect;
            fill.setWidth(std::max(static_cast<double>(bar_h), track_rect.width() * frac));
            QPainterPath fpath;
            fpath.addRoundedRect(fill, bar_h / 2.0, bar_h / 2.0);
            p.fillPath(fpath, selected ? accent : muted);
        }
    }
    if (zero_rows() > 0) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(pad, shown_ * rh + h * 3 / 10, width() - 2 * pad, rh * 2), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   zero_rows_text());
    }
}

QString ResultsView::zero_rows_text() const {
    if (zero_rows() <= 0) return {};
    return tr("Every other class: 0 % (the int8 network's uint8 output has steps of 1/256, about 0.4 %)");
}

void ResultsView::mousePressEvent(QMouseEvent* event) {
    const int row = row_at(event->position().toPoint());
    if (row >= 0 && row != selected_) {
        selected_ = row;
        update();
        emit rowSelected(row);
    }
    QWidget::mousePressEvent(event);
}

void ResultsView::keyPressEvent(QKeyEvent* event) {
    const int n = shown_;
    int row = selected_;
    if (event->key() == Qt::Key_Up) row = std::max(0, selected_ - 1);
    else if (event->key() == Qt::Key_Down) row = std::min(n - 1, selected_ + 1);
    else return QWidget::keyPressEvent(event);
    if (n > 0 && row != selected_) {
        selected_ = row;
        update();
        emit rowSelected(row);
    }
}

bool ResultsView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int row = row_at(help->pos());
        if (row >= 0) {
            const mnv1::Prediction& pr = top_[static_cast<std::size_t>(row)];
            QToolTip::showText(help->globalPos(),
                               tr("%1 — class %2, p = %3\nClick to show its activation map.")
                                   .arg(QString::fromStdString(pr.label))
                                   .arg(pr.index)
                                   .arg(pr.probability, 0, 'f', 4),
                               this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

}  // namespace studio
