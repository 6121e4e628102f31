// ClassifyPage: the Classify tab. The picture being classified (a still image from the
// gallery, or the live frame with its FPS overlay), the gallery strip, the top-5 results
// with the class activation map, notices, and the model in use.
//
// It opens what the user gives it (paths, drops, the clipboard, snapshots) into its
// GalleryModel, asks the InferenceController to classify the selected entry, and shows
// the results the controller passes on (the controller already dropped stale ones).
// Threading: GUI thread.
#pragma once

#include <QHash>
#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "widgets/notice_bar.hpp"
#include "worker/inference_types.hpp"

class QAction;
class QCheckBox;
class QLabel;
class QSlider;
class QTimer;
class QMimeData;
class QSplitter;

namespace studio {

class GalleryModel;
class GalleryStrip;
class ImageView;
class InferenceController;
class LatencySummary;
class ResultsView;
class ActivationMapControls;
class NativeResolutionBadge;

class ClassifyPage : public QWidget {
    Q_OBJECT
public:
    explicit ClassifyPage(InferenceController* controller, QWidget* parent = nullptr);
    ~ClassifyPage() override;

    // Images and folders go to the gallery (decoded off the GUI thread); a video file
    // becomes the live source. Bad files give a notice and change nothing else.
    // Images are labelled with their ImageNet class where their file or folder says so
    // (mnv1::ImageLabelLookup): the results then mark that class, or show its rank.
    void open_paths(const QStringList& paths);
    // Opens one image labelled with class `truth1000` (1000-class convention) from `source`,
    // e.g. an evaluated image with the evaluation's ground truth; -1: as open_paths.
    void open_labelled_image(const QString& path, int truth1000, const QString& source);
    // What a drop on the window does: local file URLs, or image data.
    void handle_mime_data(const QMimeData* mime);
    void paste_from_clipboard();
    // Adds the live frame on screen to the gallery.
    void take_snapshot();
    // Selects the gallery entry `delta` places away (Page Up / Page Down).
    void step_gallery(int delta);
    // "Measure again": a fresh latency measurement of the current network on the worker;
    // the latency summary shows it when it arrives (nothing happens before a network).
    void measure_latency_again();

    // The "Show class activation map" setting: one checkable action (View menu, Ctrl+M)
    // that the check box here mirrors; the page has one of its own until given the window's.
    void set_activation_action(QAction* action);
    void set_activation_shown(bool shown);
    bool activation_shown() const;
    // Opacity of the map over the photo, 0..1 (1 = the heat map's own alpha).
    void set_activation_opacity(double opacity);
    double activation_opacity() const;
    ActivationMapControls* activation_controls() const { return activation_; }
    // Offered as buttons on the notice that no models were found (e.g. Models Folder…).
    void set_missing_models_actions(const QList<QAction*>& actions) { missing_models_actions_ = actions; }
    NativeResolutionBadge* native_resolution_badge() const { return native_badge_; }
    // Splitter between picture and results; an empty state gives the default split.
    QByteArray splitter_state() const;
    void restore_splitter_state(const QByteArray& state);

    ImageView* image_view() const { return image_view_; }
    // The video file controls under the picture (shown while a file plays): position
    // slider (milliseconds; seeks), "0:03 / 0:10", and the Loop check box.
    QWidget* video_bar() const { return video_bar_; }
    QSlider* seek_slider() const { return seek_slider_; }
    QLabel* video_time_label() const { return video_time_; }
    QCheckBox* loop_check() const { return loop_check_; }
    ResultsView* results_view() const { return results_; }
    LatencySummary* latency_summary() const { return latency_; }
    NoticeBar* notice_bar() const { return notice_; }
    NoticeBar* random_weights_banner() const { return random_banner_; }
    bool random_weights_banner_shown() const;
    GalleryStrip* gallery() const { return gallery_; }
    GalleryModel* gallery_model() const { return gallery_model_; }
    std::size_t gallery_size() const;

signals:
    // A classification result was put on screen (still image or frame).
    void resultDisplayed();
    // A notice (error / warning / info) was shown to the user.
    void noticeShown(const QString& text);
    void activationShownChanged(bool shown);
    // What the window title should name (the image or source shown).
    void titleChanged(const QString& title);
    void statusMessage(const QString& message, int timeout_ms);

private:
    struct LoadedImage {
        QString path;
        cv::Mat bgr;   // empty when the batch was over the memory budget (decoded again later)
        QSize size;
        QImage thumb;
        QString error;
        int labelled1000 = -1;  // GalleryModel::Entry::labelled1000
        QString label_source;
    };
    struct KnownLabel {
        int class1000 = -1;
        QString source;
    };
    // Any thread: checks the path (never blocks), decodes it and makes its thumbnail
    // (none for thumb_px 0); the error is one line naming the reason.
    static LoadedImage decode_image(const QString& path, int thumb_px, qreal dpr);

    void build_ui();
    void build_video_bar(QWidget* parent);
    void connect_controller();
    // `known` labels some paths already; the others are looked up (ImageLabelLookup).
    void load_images_async(const QStringList& paths, const QStringList& problems, const QString& note,
                           const QHash<QString, KnownLabel>& known = {});
    void on_images_loaded(const std::vector<LoadedImage>& loaded, const QStringList& problems, const QString& note);
    void show_still(quint64 id, const cv::Mat& bgr);
    // Decodes entry `id`'s file again on the pool (its pixels were released), then shows it.
    void reload_async(quint64 id, const QString& path);
    quint64 add_to_gallery(const QString& name, const QString& path, const cv::Mat& bgr, const QImage& thumb = {});
    void add_image_data(const QString& name, const cv::Mat& bgr);
    void select_entry(quint64 id);
    void update_gallery_visibility();

    void on_configured(const ModelStatus& status);
    void on_frame_classified(const ClassifyResult& result);
    void show_result(const ClassifyResult& result);
    void show_activation_for_row(int row);
    void update_model_label();
    void update_video_overlay();
    void update_video_bar();
    void show_notice(NoticeBar::Kind kind, const QString& text, const QList<QAction*>& actions = {});

    InferenceController* controller_ = nullptr;
    GalleryModel* gallery_model_ = nullptr;
    quint64 shown_image_id_ = 0;  // the gallery entry shown large; 0 for a frame or nothing
    // Shared with pool tasks: the entry shown (a reload for another one is skipped), and
    // whether the page is closing (loads stop at the next file, so Quit is not held up).
    std::shared_ptr<std::atomic<quint64>> shown_id_ = std::make_shared<std::atomic<quint64>>(0);
    std::shared_ptr<std::atomic<bool>> closing_ = std::make_shared<std::atomic<bool>>(false);
    std::optional<ClassifyResult> displayed_;
    int cam_row_ = 0;
    int picked_class_ = -1;  // class the user clicked on a video frame (-1: none): its map follows it
    int pasted_count_ = 0, snapshot_count_ = 0;

    NoticeBar* notice_ = nullptr;
    NoticeBar* random_banner_ = nullptr;
    QSplitter* splitter_ = nullptr;
    ImageView* image_view_ = nullptr;
    GalleryStrip* gallery_ = nullptr;
    ResultsView* results_ = nullptr;
    ActivationMapControls* activation_ = nullptr;
    NativeResolutionBadge* native_badge_ = nullptr;
    QList<QAction*> missing_models_actions_;
    QLabel* inference_label_ = nullptr;
    LatencySummary* latency_ = nullptr;
    QLabel* model_label_ = nullptr;
    QWidget* video_bar_ = nullptr;
    QSlider* seek_slider_ = nullptr;
    QLabel* video_time_ = nullptr;
    QCheckBox* loop_check_ = nullptr;
    QTimer* video_timer_ = nullptr;  // refreshes the video bar while a source runs
};

}  // namespace studio
