// DropHighlight: while files or image data are dragged over a window, a translucent frame
// with "Drop to open" covers it, so the user sees the window will take the drop. It
// watches its parent's drag events (an event filter: the parent keeps handling the drop
// itself) and never takes mouse events or the drop.
// Threading: GUI thread.
#pragma once

#include <QWidget>

class QMimeData;

namespace studio {

class DropHighlight : public QWidget {
    Q_OBJECT
public:
    // Covers `window` (its parent) and follows its size; hidden until a drag enters.
    explicit DropHighlight(QWidget* window);

    // What the highlight (and the window) accepts: local files / URLs or image data.
    static bool accepts(const QMimeData* mime);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
};

}  // namespace studio
