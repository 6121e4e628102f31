// ActionManager: creates and owns the studio's QActions (text, icon, shortcut, tooltip,
// checkable state) and the two menus whose contents change at run time: Camera (the
// devices present when it opens) and Model (the discovered catalog), and lays them out in
// the window's menus and tool bar. It decides nothing: the window connects triggered() /
// toggled() and the request signals below to whoever does the work.
// Threading: GUI thread.
#pragma once

#include <QObject>

#include <QList>

#include <optional>

#include "worker/inference_types.hpp"

class QAction;
class QActionGroup;
class QMainWindow;
class QMenu;
class QTabWidget;
class QWidget;

namespace studio {

class ActionManager : public QObject {
    Q_OBJECT
public:
    // `window` parents the menus and the camera-number dialog; the actions are children of
    // this object, itself a child of `window`.
    explicit ActionManager(QWidget* window);

    // Lays the actions out in `window`'s menu bar and main tool bar; the View menu also
    // gets one entry per tab of `tabs` (Ctrl+1, Ctrl+2, ...) and each dock's toggle.
    void fill_menus(QMainWindow& window, QTabWidget& tabs) const;

    // File
    QAction* open_images() const { return open_images_; }
    QAction* open_folder() const { return open_folder_; }
    QAction* open_video() const { return open_video_; }
    QAction* paste() const { return paste_; }
    QAction* models_dir() const { return models_dir_; }
    // Opens the dialog that downloads the official release into the user's data folder.
    QAction* download_models() const { return download_models_; }
    QAction* evaluate_folder() const { return evaluate_folder_; }
    QAction* quit() const { return quit_; }
    // Source: start_camera opens the first camera, its menu (camera_menu) any other.
    QAction* start_camera() const { return start_camera_; }
    QAction* pause() const { return pause_; }
    QAction* snapshot() const { return snapshot_; }
    QAction* stop() const { return stop_; }
    QAction* max_fps() const { return max_fps_; }
    // View
    QAction* show_activation() const { return show_cam_; }
    QAction* next_image() const { return next_image_; }
    QAction* previous_image() const { return prev_image_; }
    // Tools
    QAction* run_sweep() const { return run_sweep_; }
    QAction* measure_latency() const { return measure_latency_; }
    // Tools → Precision: fp32 / int8 / auto (exclusive, checkable; data() is the
    // int(mnv1::PrecisionChoice)), and Calibrate int8… for float models.
    QList<QAction*> precision_actions() const;
    QAction* precision_action(mnv1::PrecisionChoice choice) const;
    QAction* calibrate_int8() const { return calibrate_int8_; }
    // Help: the lesson has F1 (QKeySequence::HelpContents); About has no shortcut.
    QAction* lesson() const { return lesson_; }
    QAction* about() const { return about_; }

    QMenu* camera_menu() const { return camera_menu_; }
    // "Automatic", then every model of the catalog grouped by α, then Models Folder…
    QMenu* model_menu() const { return model_menu_; }

    // Refills the Model menu (nullopt: discovery still running) and checks `pinned`.
    void rebuild_model_menu(const std::optional<ModelCatalog>& catalog, const QString& pinned);
    // Checks the entry of `pinned` (empty or unknown: Automatic).
    void sync_model_menu(const QString& pinned);
    // Pause / snapshot / stop follow the live source.
    void set_source_state(bool running, bool paused);

signals:
    void cameraRequested(int index);
    // A Model menu entry was chosen: a model path, or empty for automatic.
    void modelPinRequested(const QString& path);

private:
    void create_actions();
    void rebuild_camera_menu();

    QWidget* window_ = nullptr;
    QAction* open_images_ = nullptr;
    QAction* open_folder_ = nullptr;
    QAction* open_video_ = nullptr;
    QAction* paste_ = nullptr;
    QAction* models_dir_ = nullptr;
    QAction* download_models_ = nullptr;
    QAction* evaluate_folder_ = nullptr;
    QAction* quit_ = nullptr;
    QAction* start_camera_ = nullptr;
    QAction* pause_ = nullptr;
    QAction* snapshot_ = nullptr;
    QAction* stop_ = nullptr;
    QAction* max_fps_ = nullptr;
    QAction* show_cam_ = nullptr;
    QAction* next_image_ = nullptr;
    QAction* prev_image_ = nullptr;
    QAction* about_ = nullptr;
    QAction* measure_latency_ = nullptr;
    QAction* lesson_ = nullptr;
    QAction* run_sweep_ = nullptr;
    QActionGroup* precision_group_ = nullptr;
    QAction* calibrate_int8_ = nullptr;
    QMenu* camera_menu_ = nullptr;
    QMenu* model_menu_ = nullptr;
    QActionGroup* model_group_ = nullptr;
    QAction* model_auto_ = nullptr;
};

}  // namespace studio
