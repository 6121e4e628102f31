// A layout that lines its items up left to right and wraps onto another line when the
// width runs out, like words in a paragraph: a row of controls that fits a wide window
// on one line and a 1024-pixel screen on two, instead of making its page scroll sideways.
// Items keep their size hints; keep controls that belong together (a label and its
// box) in one widget so they wrap as one.
// Threading: GUI thread. Ownership: like any QLayout, it owns its items.
#pragma once

#include <QLayout>
#include <QList>

class QHBoxLayout;

namespace studio {

class FlowLayout : public QLayout {
public:
    // spacing between items on a line and between lines, in pixels.
    explicit FlowLayout(QWidget* parent = nullptr, int horizontal_spacing = 8, int vertical_spacing = 4);
    ~FlowLayout() override;

    void addItem(QLayoutItem* item) override;
    int count() const override;
    QLayoutItem* itemAt(int index) const override;
    QLayoutItem* takeAt(int index) override;

    Qt::Orientations expandingDirections() const override;
    bool hasHeightForWidth() const override;
    int heightForWidth(int width) const override;
    QSize minimumSize() const override;  // the widest item: everything may wrap
    QSize sizeHint() const override;     // one line
    void setGeometry(const QRect& rect) override;

    // Adds a widget (a child of `parent`) holding a row of controls that wrap as one, and
    // returns that row's layout to fill.
    QHBoxLayout* add_group(QWidget* parent);

    // Lines the items took at the last setGeometry() (tests, and a page's own checks).
    int line_count() const { return lines_; }

private:
    // Places the items in `rect` (when apply) and returns the height they need.
    int arrange(const QRect& rect, bool apply) const;

    QList<QLayoutItem*> items_;
    int hspace_, vspace_;
    mutable int lines_ = 0;
};

}  // namespace studio
