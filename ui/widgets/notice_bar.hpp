// NoticeBar: an inline, non-modal message strip (info / warning / error) with a close
// button, used instead of modal dialogs so nothing ever blocks the event loop.
// Threading: GUI thread.
#pragma once

#include <QFrame>
#include <QList>

class QAction;
class QHBoxLayout;
class QLabel;
class QToolButton;
class QTimer;

namespace studio {

class NoticeBar : public QFrame {
    Q_OBJECT
public:
    enum class Kind { Info, Warning, Error };

    explicit NoticeBar(QWidget* parent = nullptr);

    // Shows `text` (plain text; newlines allowed). timeout_ms > 0 hides it again after that.
    // `actions` become buttons after the text (what the user can do about it, e.g. "Choose
    // Models Folder…"); they replace those of the previous notice. Not owned.
    void show_notice(Kind kind, const QString& text, int timeout_ms = 0, const QList<QAction*>& actions = {});
    void set_closable(bool closable);
    // A button for `action` beside the text (e.g. "Download the Official Models…"); it
    // stays across show_notice() calls. nullptr removes it.
    void set_action(QAction* action);
    QAction* action() const;
    QString text() const;
    // The actions offered by the notice shown (empty: none).
    QList<QAction*> actions_offered() const;
    Kind kind() const { return kind_; }

signals:
    void dismissed();

private:
    void apply_style();

    Kind kind_ = Kind::Info;
    QLabel* icon_ = nullptr;
    QLabel* label_ = nullptr;
    QToolButton* close_ = nullptr;
    QToolButton* action_button_ = nullptr;
    QHBoxLayout* buttons_ = nullptr;
    QTimer* hide_timer_ = nullptr;
};

}  // namespace studio
