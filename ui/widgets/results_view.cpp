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

namespace {
const QColor kLabelledColor(0x1b, 0x7f, 0x3b);  // the green of the Evaluate page's ✓
}  // namespace

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

void ResultsView::set_predictions(const std::vector<mnv1::Prediction>& top, int selected, const LabelledClass& labelled) {
    top_ = top;
    labelled_ = labelled.row >= 0 && labelled.row < static_cast<int>(top_.size()) ? labelled : LabelledClass{};
    message_.clear();
    // A uint8 output (the int8 releases: steps of 1/256) rounds most classes to exactly 0,
    // and ties come in class order: "background, tench, goldfish" at 0.0 % would read as
    // predictions. Rows from the first exact 0 on are summed up in one line instead.
    const int ranked = static_cast<int>(top_.size()) - (has_extra_row() ? 1 : 0);
    shown_ = 0;
    while (shown_ < ranked && (shown_ == 0 || top_[static_cast<std::size_t>(shown_)].probability > 0)) ++shown_;
    selected_ = shown_ == 0 ? -1 : std::clamp(selected, 0, shown_ - 1);
    if (has_extra_row() && selected == labelled_.row) selected_ = selected;
    updateGeometry();
    update();
}

bool ResultsView::has_extra_row() const {
    return labelled_.row >= 0 && labelled_.below && labelled_.row == static_cast<int>(top_.size()) - 1;
}

int ResultsView::zero_rows() const { return static_cast<int>(top_.size()) - shown_ - (has_extra_row() ? 1 : 0); }

void ResultsView::clear_predictions(const QString& message) {
    top_.clear();
    labelled_ = {};
    shown_ = 0;
    selected_ = -1;
    message_ = message;
    updateGeometry();
    update();
}

void ResultsView::set_selected_row(int row) {
    const bool valid = (row >= 0 && row < shown_) || (has_extra_row() && row == labelled_.row);
    if (!valid || row == selected_) return;
    selected_ = row;
    update();
}

int ResultsView::row_height() const {
    // One text line, the bar (60 % of a line) and some air.
    const int h = fontMetrics().height();
    return h + h * 6 / 10 + h * 7 / 10;
}

int ResultsView::caption_height() const { return fontMetrics().height() * 3 / 2; }

// Below the five rows' place (kept whether or not five are drawn), then the caption.
int ResultsView::extra_row_top() const { return row_height() * 5 + fontMetrics().height() / 4 + caption_height(); }

QSize ResultsView::sizeHint() const {
    const int h = fontMetrics().height();
    int height = row_height() * 5 + h / 2;
    if (labelled_.row >= 0) height += caption_height();
    if (has_extra_row()) height = extra_row_top() + row_height() + h / 4;
    return {h * 20, height};
}

QSize ResultsView::minimumSizeHint() const { return {fontMetrics().height() * 10, sizeHint().height()}; }

int ResultsView::row_at(QPoint pos) const {
    if (has_extra_row() && pos.y() >= extra_row_top() && pos.y() < extra_row_top() + row_height()) return labelled_.row;
    const int row = pos.y() / row_height();
    return row >= 0 && row < shown_ ? row : -1;
}

QString ResultsView::labelled_text() const {
    if (labelled_.row < 0) return {};
    const mnv1::Prediction& pr = top_[static_cast<std::size_t>(labelled_.row)];
    const QString name = pr.label.empty() ? tr("class %1").arg(pr.index)
                                          : QString::fromStdString(pr.label).section(QLatin1Char(','), 0, 0);
    const QString from = labelled_.source.isEmpty() ? QString() : tr(" (%1)").arg(labelled_.source);
    if (has_extra_row()) return tr("Labelled class%1:").arg(from);
    if (labelled_.row >= shown_) return tr("Labelled class %1%2: 0 %, below the top %3").arg(name, from).arg(shown_);
    return tr("✓ marks the labelled class%1").arg(from);
}

void ResultsView::paint_row(QPainter& p, const QRect& row, int index, int number) const {
    const QFontMetrics fm = fontMetrics();
    const int h = fm.height();
    const QPalette pal = palette();
    const int pad = h / 2;
    const int bar_h = h * 6 / 10;
    const QColor accent = pal.color(QPalette::Highlight);
    const mnv1::Prediction& pr = top_[static_cast<std::size_t>(index)];
    const bool selected = index == selected_;
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
    QRect text_rect(row.left() + pad, row.top() + h * 3 / 10, row.width() - 2 * pad, h);
    const QRect bar_span = text_rect;
    QFont f = font();
    f.setBold(number == 1);
    p.setFont(f);
    const QFontMetrics lfm(f);
    if (index == labelled_.row) {  // the labelled class: a check mark before its name
        const QString check = QStringLiteral("✓ ");
        p.setPen(kLabelledColor);
        p.drawText(text_rect, Qt::AlignLeft | Qt::AlignVCenter, check);
        text_rect.setLeft(text_rect.left() + lfm.horizontalAdvance(check));
    }
    p.setPen(pal.color(QPalette::Text));
    const QString shown = fit_prediction_label(lfm, number, label, text_rect.width() - pct_w - pad);
    p.drawText(text_rect, Qt::AlignLeft | Qt::AlignVCenter, shown);
    p.drawText(text_rect, Qt::AlignRight | Qt::AlignVCenter, pct);
    p.setFont(font());

    QColor track = pal.color(QPalette::Text);
    track.setAlphaF(0.10f);
    const QRectF track_rect(bar_span.left(), bar_span.bottom() + h * 2 / 10.0, bar_span.width(), bar_h);
    QPainterPath tpath;
    tpath.addRoundedRect(track_rect, bar_h / 2.0, bar_h / 2.0);
    p.fillPath(tpath, track);
    const double frac = std::clamp(static_cast<double>(pr.probability), 0.0, 1.0);
    if (frac > 0) {
        QColor muted = accent;
        muted.setAlphaF(0.55f);
        QRectF fill = track_rect;
        fill.setWidth(std::max(static_cast<double>(bar_h), track_rect.width() * frac));
        QPainterPath fpath;
        fpath.addRoundedRect(fill, bar_h / 2.0, bar_h / 2.0);
        p.fillPath(fpath, selected ? accent : muted);
    }
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
    for (int i = 0; i < shown_; ++i) paint_row(p, QRect(0, i * rh, width(), rh), i, i + 1);
    if (zero_rows() > 0) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRect(pad, shown_ * rh + h * 3 / 10, width() - 2 * pad, rh * 2), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   zero_rows_text());
    }
    if (labelled_.row >= 0) {
        const QRect caption(pad, rh * 5 + h / 4, width() - 2 * pad, caption_height());
        p.setPen(labelled_.row < shown_ ? kLabelledColor : pal.color(QPalette::PlaceholderText));
        p.drawText(caption, Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(labelled_text(), Qt::ElideRight, caption.width()));
    }
    if (has_extra_row()) paint_row(p, QRect(0, extra_row_top(), width(), rh), labelled_.row, labelled_.rank);
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
    // Rows in screen order: the top rows, then the labelled class's own row.
    std::vector<int> order;
    for (int i = 0; i < shown_; ++i) order.push_back(i);
    if (has_extra_row()) order.push_back(labelled_.row);
    const auto at = std::find(order.begin(), order.end(), selected_);
    const int pos = at == order.end() ? 0 : static_cast<int>(at - order.begin());
    const int n = static_cast<int>(order.size());
    int row = selected_;
    if (event->key() == Qt::Key_Up) row = order.empty() ? -1 : order[static_cast<std::size_t>(std::max(0, pos - 1))];
    else if (event->key() == Qt::Key_Down) row = order.empty() ? -1 : order[static_cast<std::size_t>(std::min(n - 1, pos + 1))];
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
            QString text = tr("%1 — class %2, p = %3").arg(QString::fromStdString(pr.label)).arg(pr.index).arg(pr.probability, 0, 'f', 4);
            if (row == labelled_.row) {
                text += tr("\nThe class this image is labelled with (%1), rank %2 of all classes.")
                            .arg(labelled_.source.isEmpty() ? tr("known label") : labelled_.source)
                            .arg(labelled_.rank);
            }
            QToolTip::showText(help->globalPos(), text + tr("\nClick to show its activation map."), this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

}  // namespace studio
