// MainWindow: the MobileNet Studio window. Thin glue between the widgets and the
// InferenceWorker (own thread) and FrameSource (own thread):
//  - every configuration change gets a new generation; requests carry it and results of
//    an older generation (or another image / a closed source) are dropped on arrival;
//  - slider moves are debounced, then the worker reconfigures and re-classifies;
//  - live frames go through a LatestFrameSlot (newest frame wins), never a queue.
//
// Threading: GUI thread only. The public methods below are what menus, drops and the
// command line use; tests call them too.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

#include "worker/frame_source.hpp"
#include "worker/inference_types.hpp"
#include "worker/latest_frame_slot.hpp"
#include "controller/rate_meter.hpp"
#include "app/studio_options.hpp"

class QAction;
class QActionGroup;
class QCheckBox;
class QLabel;
class QMenu;
class QMimeData;
class QSettings;
class QSplitter;
class QTabWidget;
class QThread;

namespace studio {

class GalleryStrip;
class ImageView;
class InferenceWorker;
class LayersView;
class NoticeBar;
class ResultsView;
class TuningPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(StudioOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Images and folders go to the gallery (decoded off the GUI thread); a video file
    // becomes the live source. Bad files give a notice and change nothing else.
    void open_paths(const QStringList& paths);
    // What a drop on the window does: local file URLs, or image data.
    void handle_mime_data(const QMimeData* mime);
    void paste_from_clipboard();
    void open_video_file(const QString& path);
    void open_camera(int index);
    void stop_source();
    void set_paused(bool paused);
    void take_snapshot();
    // Pins one discovered model (its path, as in ModelEntry::path): the α slider moves to
    // its α and the worker loads exactly that file. An empty or undiscovered path means
    // automatic (mnv1::pick_model's choice for the α and resolution).
    void pin_model(const QString& path);

    // For tests and status displays.
    TuningPanel* tuning_panel() const { return tuning_; }
    ResultsView* results_view() const { return results_; }
    ImageView* image_view() const { return image_view_; }
    NoticeBar* notice_bar() const { return notice_; }
    NoticeBar* random_weights_banner() const { return random_banner_; }
    LayersView* layers_view() const { return layers_; }
    GalleryStrip* gallery() const { return gallery_; }
    bool random_weights_banner_shown() const;
    double classification_fps() const { return fps_; }
    long long frames_classified() const { return frame_count_; }
    bool source_running() const { return source_ != nullptr; }
    const std::optional<ModelStatus>& model_status() const { return model_status_; }
    const std::optional<ModelCatalog>& model_catalog() const { return catalog_; }
    quint64 generation() const { return generation_; }
    QString latency_text() const;
    // The Model menu: "Automatic", then every discovered model grouped by α.
    QMenu* model_menu() const { return model_menu_; }
    // Path of the pinned model; empty when automatic.
    const QString& pinned_model() const { return pinned_model_; }
    std::size_t gallery_size() const { return entries_.size(); }

signals:
    // A classification result was put on screen (still image or frame).
    void resultDisplayed();
    // A notice (error / warning / info) was shown to the user.
    void noticeShown(const QString& text);
    // The worker finished applying a configuration (successfully or not).
    void modelConfigured();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    struct GalleryEntry {
        quint64 id = 0;
        QString name;
        QString path;        // empty for pasted images and snapshots
        cv::Mat bgr;
        QImage display;      // full-size, ready to paint
    };
    struct LoadedImage {
        QString path;
        cv::Mat bgr;
        QImage display, thumb;
        QString error;
    };
    // What the image view shows and a re-classification would use.
    struct Shown {
        enum class Kind { None, Still, Frame } kind = Kind::None;
        quint64 image_id = 0;
        cv::Mat bgr;
        QString name;
    };

    void build_actions();
    void build_menus();
    void build_ui();
    void restore_settings();
    void save_settings();
    void start_worker();
    void discover_models();

    void schedule_reconfigure();
    void apply_configuration();
    void classify_shown();
    void request_layer_profile();

    void load_images_async(const QStringList& paths, const QStringList& problems);
    void on_images_loaded(const std::vector<LoadedImage>& loaded, const QStringList& problems);
    quint64 add_gallery_entry(const QString& name, const QString& path, const cv::Mat& bgr, const QImage& display,
                              const QImage& thumb);
    void select_entry(quint64 id);
    void update_gallery_visibility();
    void step_gallery(int delta);

    void start_source(const SourceSpec& spec);
    void on_source_failed(quint64 session, const QString& message);

    void on_models_discovered(const ModelCatalog& catalog);
    void on_configured(const ModelStatus& status);
    void on_image_classified(const ClassifyResult& result);
    void on_frame_classified(const ClassifyResult& result);
    void on_worker_failed(quint64 generation, const QString& message);
    void show_result(const ClassifyResult& result);
    void show_activation_for_row(int row);
    void update_model_label();
    void update_video_overlay();
    void show_notice(int kind, const QString& text);
    void show_about();
    void choose_models_dir();
    void rebuild_camera_menu();
    void rebuild_model_menu();
    void sync_model_menu();
    const mnv1::ModelEntry* find_model(const QString& path) const;

    StudioOptions options_;
    std::unique_ptr<QSettings> settings_;

    // Inference worker and its thread; the frame slot is shared with the sources.
    QThread* worker_thread_ = nullptr;
    InferenceWorker* worker_ = nullptr;
    std::shared_ptr<LatestFrameSlot> frame_slot_;
    std::unique_ptr<FrameSource> source_;
    quint64 source_session_ = 0;
    bool paused_ = false;

    quint64 generation_ = 0;        // current configuration
    quint64 image_request_ = 0;     // newest still-image request
    quint64 next_entry_id_ = 0;
    std::optional<ModelRequest> requested_;
    std::optional<ModelStatus> model_status_;
    std::optional<ModelCatalog> catalog_;
    QString pinned_model_;  // chosen in the Model menu; empty = automatic
    std::optional<ClassifyResult> displayed_;
    std::vector<GalleryEntry> entries_;
    Shown shown_;
    int cam_row_ = 0;
    int pasted_count_ = 0, snapshot_count_ = 0;

    RateMeter frame_rate_;
    double fps_ = 0;
    long long frame_count_ = 0;
    double source_fps_ = 0;
    QString source_name_;
    QTimer fps_log_timer_;
    QTimer reconfigure_timer_;

    // Widgets.
    QTabWidget* tabs_ = nullptr;
    ImageView* image_view_ = nullptr;
    GalleryStrip* gallery_ = nullptr;
    ResultsView* results_ = nullptr;
    QLabel* model_label_ = nullptr;
    QLabel* inference_label_ = nullptr;
    QCheckBox* cam_check_ = nullptr;
    NoticeBar* notice_ = nullptr;
    NoticeBar* random_banner_ = nullptr;
    TuningPanel* tuning_ = nullptr;
    LayersView* layers_ = nullptr;
    QSplitter* splitter_ = nullptr;
    QLabel* status_model_ = nullptr;
    QLabel* status_fps_ = nullptr;

    // Actions.
    QAction* open_images_ = nullptr;
    QAction* open_folder_ = nullptr;
    QAction* open_video_ = nullptr;
    QAction* paste_ = nullptr;
    QAction* quit_ = nullptr;
    QAction* start_camera_ = nullptr;
    QAction* pause_ = nullptr;
    QAction* snapshot_ = nullptr;
    QAction* stop_ = nullptr;
    QAction* max_fps_ = nullptr;
    QAction* show_cam_ = nullptr;
    QAction* next_image_ = nullptr;
    QAction* prev_image_ = nullptr;
    QAction* models_dir_ = nullptr;
    QAction* about_ = nullptr;
    QMenu* camera_menu_ = nullptr;
    QMenu* model_menu_ = nullptr;
    QActionGroup* model_group_ = nullptr;
    QAction* model_auto_ = nullptr;
};

}  // namespace studio
