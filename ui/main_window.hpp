// MainWindow: the MobileNet Studio window. It only composes: the pages in tabs (Classify,
// Layers, Evaluate, Trade-offs), the Tune dock, the status bar, the menus and tool bar built from the
// ActionManager's actions, drag and drop, and saving / restoring the window through the
// SettingsManager. The work is elsewhere: InferenceController (worker, generations, live
// source, models), the pages (what they show), ActionManager (actions and menus).
//
// Threading: GUI thread only.
#pragma once

#include <QMainWindow>

#include <memory>

#include "app/studio_options.hpp"

class QLabel;
class QMimeData;
class QTabWidget;

namespace studio {

class ActionManager;
class ClassifyPage;
class EvaluationController;
class EvaluationPage;
class InferenceController;
class LayersPage;
class SettingsManager;
class SweepController;
class TradeoffPage;
class TuningPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(StudioOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // For the command line, tests and status displays.
    ClassifyPage* classify_page() const { return classify_; }
    LayersPage* layers_page() const { return layers_; }
    TradeoffPage* tradeoff_page() const { return tradeoffs_; }
    TuningPanel* tuning_panel() const { return tuning_; }
    InferenceController* controller() const { return controller_; }
    EvaluationPage* evaluation_page() const { return evaluation_; }
    EvaluationController* evaluation_controller() const { return evaluation_controller_; }
    ActionManager* action_manager() const { return actions_; }

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void build_pages();
    void build_dock();
    void build_status_bar();
    void connect_actions();
    void connect_controller();
    void restore_settings();
    void save_settings();
    void discover_models();
    void tuning_changed();
    void request_profile_if_shown();
    void show_about();
    void choose_models_dir();
    // A file dialog starting in the last folder used; remembers the new one.
    QStringList ask_for_files(const QString& title, const QString& filter, bool several);

    StudioOptions options_;
    std::unique_ptr<SettingsManager> settings_;
    ActionManager* actions_ = nullptr;
    InferenceController* controller_ = nullptr;
    EvaluationController* evaluation_controller_ = nullptr;

    QTabWidget* tabs_ = nullptr;
    ClassifyPage* classify_ = nullptr;
    LayersPage* layers_ = nullptr;
    TradeoffPage* tradeoffs_ = nullptr;
    SweepController* sweeps_ = nullptr;
    EvaluationPage* evaluation_ = nullptr;
    TuningPanel* tuning_ = nullptr;
    QLabel* status_model_ = nullptr;
    QLabel* status_fps_ = nullptr;
};

}  // namespace studio
