#include "drop_highlight.hpp"

#include <QDragEnterEvent>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace studio {

DropHighlight::DropHighlight(QWidget* window) : QWidget(window) {
    setObjectName(QStringLiteral("dropHighlight"));
    // Transparent for the mouse: drag-and-drop finds the window under it, not this.
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    setFocusPolicy(Qt::NoFocus);
    hide();
    window->installEventFilter(this);
}

bool DropHighlight::accepts(const QMimeData* mime) { return mime && (mime->hasUrls() || mime->hasImage()); }

bool DropHighlight::eventFilter(QObject* watched, QEvent* event) {
    if (watched != parent()) return false;
    switch (event->type()) {
        case QEvent::DragEnter:
            if (accepts(static_cast<QDragEnterEvent*>(event)->mimeData())) {
                setGeometry(parentWidget()->rect());
                raise();
                show();
            }
            break;
        case QEvent::DragLeave:
        case QEvent::Drop:
            hide();
            break;
        case QEvent::Resize:
            if (isVisible()) setGeometry(parentWidget()->rect());
            break;
        default:
            break;
    }
    return false;  // the window handles the drag and the drop as before
}

void DropHighlight::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const int h = fontMetrics().height();
    QColor accent = palette().color(QPalette::Highlight);
    QColor wash = accent;
    wash.setAlphaF(0.12f);
    p.fillRect(rect(), wash);
    const QRectF frame = QRectF(rect()).adjusted(h / 2.0, h / 2.0, -h / 2.0, -h / 2.0);
    p.setPen(QPen(accent, std::max(2.0, h / 6.0), Qt::DashLine));
    p.drawRoundedRect(frame, h / 2.0, h / 2.0);

    QFont f = font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.4);
    p.setFont(f);
    const QString text = tr("Drop to open: images, a folder or a video");
    const QFontMetrics fm(f);
    const double box_w = std::max(1.0, std::min<double>(fm.horizontalAdvance(text) + 2 * h, frame.width() - h));
    const double box_h = fm.height() * 2.2;
    const QRectF box(frame.center().x() - box_w / 2, frame.center().y() - box_h / 2, box_w, box_h);
    QPainterPath pill;
    pill.addRoundedRect(box, h / 2.0, h / 2.0);
    p.fillPath(pill, accent);
    p.setPen(palette().color(QPalette::HighlightedText));
    p.drawText(box, Qt::AlignCenter | Qt::TextWordWrap, text);
}

}  // namespace studio
