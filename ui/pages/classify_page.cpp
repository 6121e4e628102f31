#include "classify_page.hpp"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

#include "common/display_format.hpp"
#include "common/file_kinds.hpp"
#include "common/path_check.hpp"
#include "controller/inference_controller.hpp"
#include "mobilenet/labeled_folder.hpp"
#include "models/gallery_model.hpp"
#include "widgets/activation_map_controls.hpp"
#include "widgets/gallery_strip.hpp"
#include "widgets/image_view.hpp"
#include "widgets/latency_summary.hpp"
#include "widgets/native_resolution_badge.hpp"
#include "widgets/results_view.hpp"
#include "worker/image_convert.hpp"

namespace studio {

namespace {

// More files than this from one folder are not all opened: each keeps a thumbnail (the
// decoded pixels are bounded by the gallery's memory budget, see gallery_model.hpp).
constexpr int kMaxImagesPerOpen = 1000;
// Info notices go away by themselves; warnings and errors stay until closed.
constexpr int kInfoNoticeMs = 8000;

// ImageError messages read "<path>: <problem>"; the notice names the file, not the path.
QString problem_of(const QString& what, const QString& path) {
    const QString prefix = path + QStringLiteral(": ");
    return what.startsWith(prefix) ? what.mid(prefix.size()) : what;
}

QString crop_text(mnv1::CropMode mode) {
    return mode == mnv1::CropMode::Central ? QObject::tr("central 87.5 %") : QObject::tr("whole image");
}

QString window_title(const QString& shown) { return QObject::tr("%1 — MobileNet Studio").arg(shown); }

// "1:05" (or "1:02:03"): a video position.
QString format_clock(double seconds) {
    const int s = static_cast<int>(std::max(0.0, seconds));
    if (s >= 3600) return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

}  // namespace

ClassifyPage::ClassifyPage(InferenceController* controller, QWidget* parent)
    : QWidget(parent), controller_(controller), gallery_model_(new GalleryModel(this)) {
    build_ui();
    connect_controller();
}

ClassifyPage::~ClassifyPage() {
    closing_->store(true);  // loads still running on the pool stop at their next file
}

void ClassifyPage::build_ui() {
    const int em = fontMetrics().height();
    auto* page_lay = new QVBoxLayout(this);
    notice_ = new NoticeBar(this);
    notice_->setObjectName(QStringLiteral("noticeBar"));
    random_banner_ = new NoticeBar(this);
    random_banner_->setObjectName(QStringLiteral("randomWeightsBanner"));
    random_banner_->set_closable(false);
    page_lay->addWidget(notice_);
    page_lay->addWidget(random_banner_);

    splitter_ = new QSplitter(Qt::Horizontal, this);
    splitter_->setChildrenCollapsible(false);
    auto* left = new QWidget(splitter_);
    auto* left_lay = new QVBoxLayout(left);
    left_lay->setContentsMargins(0, 0, 0, 0);
    image_view_ = new ImageView(left);
    image_view_->setObjectName(QStringLiteral("imageView"));
    image_view_->set_placeholder(tr("Drop images, a folder or a video here\n\n"
                                    "File → Open Images… (Ctrl+O)   ·   Paste (Ctrl+V)   ·   Source → Camera"));
    gallery_ = new GalleryStrip(left);
    gallery_->setObjectName(QStringLiteral("gallery"));
    gallery_->set_gallery_model(gallery_model_);
    gallery_->hide();
    left_lay->addWidget(image_view_, 1);
    build_video_bar(left);
    left_lay->addWidget(video_bar_);
    left_lay->addWidget(gallery_);
    connect(gallery_, &GalleryStrip::entrySelected, this, &ClassifyPage::select_entry);

    auto* right = new QWidget(splitter_);
    auto* right_lay = new QVBoxLayout(right);
    right_lay->setContentsMargins(em / 2, 0, 0, 0);
    auto heading = [right](const QString& text) {
        auto* l = new QLabel(text, right);
        QFont f = l->font();
        f.setBold(true);
        f.setPointSizeF(f.pointSizeF() * 1.15);
        l->setFont(f);
        return l;
    };
    right_lay->addWidget(heading(tr("Top-5 predictions")));
    results_ = new ResultsView(right);
    results_->setObjectName(QStringLiteral("resultsView"));
    results_->clear_predictions(tr("Open an image to classify it"));
    right_lay->addWidget(results_);
    // Available while there are predictions (and so maps) to show.
    activation_ = new ActivationMapControls(right);
    activation_->setObjectName(QStringLiteral("activationControls"));
    activation_->set_available(false);
    right_lay->addWidget(activation_);
    inference_label_ = new QLabel(right);
    inference_label_->setObjectName(QStringLiteral("inferenceLabel"));
    inference_label_->setWordWrap(true);
    inference_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    right_lay->addWidget(inference_label_);
    latency_ = new LatencySummary(right);
    latency_->setObjectName(QStringLiteral("latencySummary"));
    right_lay->addWidget(latency_);
    right_lay->addSpacing(em);
    right_lay->addWidget(heading(tr("Model in use")));
    model_label_ = new QLabel(tr("Looking for models…"), right);
    model_label_->setObjectName(QStringLiteral("modelLabel"));
    model_label_->setWordWrap(true);
    model_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    right_lay->addWidget(model_label_);
    native_badge_ = new NativeResolutionBadge(right);
    right_lay->addWidget(native_badge_);
    right_lay->addStretch();
    right->setMinimumWidth(em * 16);

    splitter_->addWidget(left);
    // Scrolls vertically on a short window (1024 × 700, or 2× scale) instead of making the
    // window taller than the screen, which cut off the lower predictions.
    auto* right_scroll = new QScrollArea(splitter_);
    right_scroll->setWidget(right);
    right_scroll->setWidgetResizable(true);
    right_scroll->setFrameShape(QFrame::NoFrame);
    right_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    right_scroll->setMinimumWidth(right->minimumWidth() + right_scroll->verticalScrollBar()->sizeHint().width());
    splitter_->addWidget(right_scroll);
    splitter_->setStretchFactor(0, 3);
    splitter_->setStretchFactor(1, 1);
    page_lay->addWidget(splitter_, 1);

    set_activation_action(activation_->action());
    connect(activation_, &ActivationMapControls::opacityChanged, image_view_, &ImageView::set_activation_opacity);
    connect(results_, &ResultsView::rowSelected, this, &ClassifyPage::show_activation_for_row);
    connect(latency_, &LatencySummary::measureAgainRequested, this, &ClassifyPage::measure_latency_again);
}

void ClassifyPage::build_video_bar(QWidget* parent) {
    video_bar_ = new QWidget(parent);
    video_bar_->setObjectName(QStringLiteral("videoBar"));
    auto* lay = new QHBoxLayout(video_bar_);
    lay->setContentsMargins(0, 0, 0, 0);
    seek_slider_ = new QSlider(Qt::Horizontal, video_bar_);
    seek_slider_->setObjectName(QStringLiteral("seekSlider"));
    seek_slider_->setAccessibleName(tr("Video position"));
    seek_slider_->setToolTip(tr("Position in the video: drag or click to seek"));
    video_time_ = new QLabel(video_bar_);
    video_time_->setObjectName(QStringLiteral("videoTime"));
    loop_check_ = new QCheckBox(tr("Loop"), video_bar_);
    loop_check_->setObjectName(QStringLiteral("loopCheck"));
    loop_check_->setToolTip(tr("Start the video again at its end (off: it stops on its last frame)"));
    loop_check_->setChecked(controller_->video_looping());
    lay->addWidget(seek_slider_, 1);
    lay->addWidget(video_time_);
    lay->addWidget(loop_check_);
    video_bar_->hide();
    connect(loop_check_, &QCheckBox::toggled, controller_, &InferenceController::set_video_looping);
    // Clicks and keys seek at once; a drag seeks where it is released.
    connect(seek_slider_, &QSlider::valueChanged, this, [this](int ms) {
        if (!seek_slider_->isSliderDown()) controller_->seek_source(ms / 1000.0);
    });
    connect(seek_slider_, &QSlider::sliderReleased, this,
            [this] { controller_->seek_source(seek_slider_->value() / 1000.0); });
    video_timer_ = new QTimer(this);  // the position also moves while no frame is classified
    video_timer_->setInterval(250);
    connect(video_timer_, &QTimer::timeout, this, &ClassifyPage::update_video_bar);
}

void ClassifyPage::update_video_bar() {
    const bool file = controller_->source_is_file();
    video_bar_->setVisible(file);
    if (!file) return;
    const double duration = controller_->source_duration_s();
    const double position = controller_->source_position_s();
    if (!seek_slider_->isSliderDown()) {
        QSignalBlocker b(seek_slider_);  // showing the position is not a seek
        seek_slider_->setEnabled(duration > 0);
        seek_slider_->setRange(0, static_cast<int>(duration * 1000));
        seek_slider_->setPageStep(std::max(1000, static_cast<int>(duration * 100)));
        seek_slider_->setValue(static_cast<int>(position * 1000));
    }
    const double shown = seek_slider_->isSliderDown() ? seek_slider_->value() / 1000.0 : position;
    video_time_->setText(duration > 0 ? tr("%1 / %2").arg(format_clock(shown), format_clock(duration))
                                      : format_clock(shown));
}

void ClassifyPage::measure_latency_again() {
    if (controller_->request_latency_measurement()) latency_->set_measuring(true);
}

void ClassifyPage::connect_controller() {
    InferenceController* c = controller_;
    connect(c, &InferenceController::modelsDiscovering, this, [this] { model_label_->setText(tr("Looking for models…")); });
    connect(c, &InferenceController::modelConfigured, this, &ClassifyPage::on_configured);
    connect(c, &InferenceController::imageClassified, this, &ClassifyPage::show_result);
    connect(c, &InferenceController::frameClassified, this, &ClassifyPage::on_frame_classified);
    connect(c, &InferenceController::latencyMeasured, this, [this](const LatencyMeasurement& m) {
        latency_->show_measurement(m.passes, m.medianMs, m.p10Ms, m.p90Ms, m.threadsUsed, m.policy);
    });
    connect(c, &InferenceController::liveStatsChanged, this, &ClassifyPage::update_video_overlay);
    connect(c, &InferenceController::sourceStateChanged, this, [this](bool running) {
        if (running) video_timer_->start();
        else video_timer_->stop();
        update_video_overlay();  // after Stop: the last frame stays labelled
        update_video_bar();
    });
    connect(c, &InferenceController::sourceOpened, this, [this] {
        // A camera that was missing a moment ago is no news while a video plays.
        if (notice_->property("sourceError").toBool()) notice_->hide();
        update_video_bar();
    });
    connect(c, &InferenceController::sourceFailed, this, [this] { notice_->setProperty("sourceError", true); });
    connect(c, &InferenceController::errorOccurred, this, [this](const QString& m) {
        latency_->set_measuring(false);  // a failed "Measure again" reports here: re-enable the button
        show_notice(NoticeBar::Kind::Error, m);
    });
    connect(c, &InferenceController::warningRaised, this, [this](const QString& m) { show_notice(NoticeBar::Kind::Warning, m); });
    connect(c, &InferenceController::infoRaised, this, [this](const QString& m) { show_notice(NoticeBar::Kind::Info, m); });
    connect(c, &InferenceController::modelsMissing, this, [this](const QString& m) {
        show_notice(NoticeBar::Kind::Warning, m, missing_models_actions_);
        notice_->setProperty("modelsMissing", true);
    });
    // Models found later (a download, another folder): the "no models" warning is out of date.
    connect(c, &InferenceController::catalogChanged, this, [this](const ModelCatalog& catalog) {
        if (!catalog.models.empty() && notice_->property("modelsMissing").toBool()) notice_->hide();
    });
}

void ClassifyPage::set_activation_action(QAction* action) {
    if (QAction* old = activation_->action()) disconnect(old, nullptr, this, nullptr);
    activation_->set_action(action);
    image_view_->set_activation_visible(action->isChecked());
    connect(action, &QAction::toggled, this, [this](bool on) {
        image_view_->set_activation_visible(on);
        emit activationShownChanged(on);
    });
}

void ClassifyPage::set_activation_shown(bool shown) { activation_->action()->setChecked(shown); }

bool ClassifyPage::activation_shown() const { return activation_->action()->isChecked(); }

void ClassifyPage::set_activation_opacity(double opacity) { activation_->set_opacity(opacity); }

double ClassifyPage::activation_opacity() const { return activation_->opacity(); }

QByteArray ClassifyPage::splitter_state() const { return splitter_->saveState(); }

void ClassifyPage::restore_splitter_state(const QByteArray& state) {
    if (!state.isEmpty()) splitter_->restoreState(state);
    else splitter_->setSizes({fontMetrics().height() * 50, fontMetrics().height() * 22});
}

bool ClassifyPage::random_weights_banner_shown() const { return !random_banner_->isHidden(); }

std::size_t ClassifyPage::gallery_size() const { return gallery_model_->size(); }

// ---------------------------------------------------------------------------------------
// Opening images

void ClassifyPage::open_paths(const QStringList& paths) {
    QStringList images, problems;
    QString video;
    for (const QString& p : paths) {
        // stat() only: nothing here opens the path, so a FIFO or a device cannot block.
        const PathCheck check = check_path(p);
        const QFileInfo fi(p);
        if (check.kind == PathKind::Directory) {
            if (!fi.isReadable() || !fi.isExecutable()) {
                problems << tr("%1: permission denied (the folder cannot be listed)").arg(p);
                continue;
            }
            const QFileInfoList files =
                QDir(p).entryInfoList(image_name_filters(), QDir::Files | QDir::Readable, QDir::Name | QDir::IgnoreCase);
            if (files.isEmpty()) problems << tr("%1: no images in this folder").arg(p);
            for (const QFileInfo& f : files) images << f.absoluteFilePath();
        } else if (check.kind != PathKind::RegularFile) {
            problems << QStringLiteral("%1: %2").arg(p, check.problem);
        } else if (is_video_file(fi)) {
            video = fi.absoluteFilePath();
        } else {
            images << fi.absoluteFilePath();  // the decoder decides what is an image
        }
    }
    QString note;
    if (images.size() > kMaxImagesPerOpen) {
        note = tr("Opened the first %1 of %2 images (at most %1 are opened at once).")
                   .arg(kMaxImagesPerOpen)
                   .arg(images.size());
        images = images.mid(0, kMaxImagesPerOpen);
    }
    if (!video.isEmpty()) controller_->open_video_file(video);
    if (!images.isEmpty()) load_images_async(images, problems, note);
    else if (!problems.isEmpty()) on_images_loaded({}, problems, note);
}

ClassifyPage::LoadedImage ClassifyPage::decode_image(const QString& path, int thumb_px, qreal dpr) {
    LoadedImage li;
    li.path = path;
    // Checked again here: the file may have been replaced since it was listed.
    li.error = regular_file_problem(path);
    if (!li.error.isEmpty()) return li;
    try {
        li.bgr = mnv1::load_image(QFile::encodeName(path).toStdString());
        li.size = QSize(li.bgr.cols, li.bgr.rows);
        if (thumb_px > 0) {
            li.thumb = thumbnail(li.bgr, thumb_px);
            li.thumb.setDevicePixelRatio(dpr);
        }
    } catch (const std::exception& e) {
        li.error = problem_of(QString::fromUtf8(e.what()), path);
        li.bgr.release();
    }
    return li;
}

void ClassifyPage::open_labelled_image(const QString& path, int truth1000, const QString& source) {
    if (truth1000 < 0 || check_path(path).kind != PathKind::RegularFile) return open_paths({path});
    const QString file = QFileInfo(path).absoluteFilePath();  // as open_paths lists it
    load_images_async({file}, {}, {}, {{file, KnownLabel{truth1000, source}}});
}

void ClassifyPage::load_images_async(const QStringList& paths, const QStringList& problems, const QString& note,
                                     const QHash<QString, KnownLabel>& known) {
    emit statusMessage(paths.size() == 1 ? tr("Opening %1…").arg(QFileInfo(paths.first()).fileName())
                                         : tr("Opening %1 images…").arg(paths.size()),
                       0);
    const qreal dpr = devicePixelRatioF();
    const int thumb_px = static_cast<int>(gallery_model_->thumbnail_side() * dpr);
    // The batch keeps decoded pixels only up to the gallery's budget (the first images,
    // the first of which is shown at once); the rest keep their thumbnail and are decoded
    // again when selected. So a folder of huge photos never holds them all at once.
    const std::size_t keep_budget = gallery_model_->budget_bytes();
    // Decoding is OpenCV only (no oneDNN) but can take a while for big files or folders:
    // do it on the thread pool, and add the results when all are ready.
    auto* watcher = new QFutureWatcher<std::vector<LoadedImage>>(this);
    connect(watcher, &QFutureWatcher<std::vector<LoadedImage>>::finished, this, [this, watcher, problems, note] {
        on_images_loaded(watcher->result(), problems, note);
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([paths, known, thumb_px, dpr, keep_budget, closing = closing_] {
        std::vector<LoadedImage> out;
        std::size_t kept = 0;
        mnv1::ImageLabelLookup labels(1000);  // reads each folder's ground-truth CSV once
        for (const QString& p : paths) {
            if (closing->load()) break;  // the page is going away: the pool must not hold the exit up
            LoadedImage li = decode_image(p, thumb_px, dpr);
            if (const auto it = known.find(p); it != known.end()) {
                li.labelled1000 = it->class1000;
                li.label_source = it->source;
            } else if (li.error.isEmpty()) {
                const mnv1::ImageLabel label = labels.find(QFile::encodeName(p).toStdString());
                li.labelled1000 = label.index;
                li.label_source = QString::fromStdString(label.source);
            }
            if (kept + pixel_bytes(li.bgr) <= keep_budget) kept += pixel_bytes(li.bgr);
            else li.bgr.release();
            out.push_back(std::move(li));
        }
        return out;
    }));
}

void ClassifyPage::on_images_loaded(const std::vector<LoadedImage>& loaded, const QStringList& problems,
                                    const QString& note) {
    QStringList errors = problems;
    quint64 first_new = 0;
    for (const LoadedImage& li : loaded) {
        if (!li.error.isEmpty()) {
            errors << QStringLiteral("%1: %2").arg(QFileInfo(li.path).fileName(), li.error);
            continue;
        }
        const quint64 id = gallery_model_->add(QFileInfo(li.path).fileName(), li.path, li.bgr, li.thumb,
                                               devicePixelRatioF(), li.size);
        gallery_model_->set_label(id, li.labelled1000, li.label_source);
        if (!first_new) first_new = id;
    }
    update_gallery_visibility();
    if (!errors.isEmpty()) {
        // Non-modal on purpose: nothing else changes, the previous result stays on screen.
        QString text;
        if (errors.size() == 1) {
            text = tr("Could not open %1").arg(errors.first());
        } else {
            QStringList shown = errors.mid(0, 5);
            text = tr("Could not open %1 files:\n• %2").arg(errors.size()).arg(shown.join(QStringLiteral("\n• ")));
            if (errors.size() > shown.size()) text += tr("\n… and %1 more").arg(errors.size() - shown.size());
        }
        if (!note.isEmpty()) text += QStringLiteral("\n") + note;
        show_notice(NoticeBar::Kind::Error, text);
        emit statusMessage(errors.size() == 1 ? tr("Could not open %1").arg(errors.first())
                                              : tr("Could not open %1 files").arg(errors.size()),
                           10000);
    } else if (!note.isEmpty()) {
        show_notice(NoticeBar::Kind::Warning, note);
    }
    if (first_new) {
        if (gallery_->current_entry() == first_new) select_entry(first_new);
        else gallery_->select_entry(first_new);  // emits entrySelected -> select_entry
        if (errors.isEmpty()) emit statusMessage({}, 0);
    }
}

quint64 ClassifyPage::add_to_gallery(const QString& name, const QString& path, const cv::Mat& bgr, const QImage& thumb) {
    const quint64 id = gallery_model_->add(name, path, bgr, thumb, devicePixelRatioF());
    update_gallery_visibility();
    return id;
}

void ClassifyPage::add_image_data(const QString& name, const cv::Mat& bgr) {
    const quint64 id = add_to_gallery(name, {}, bgr);
    gallery_->select_entry(id);  // emits entrySelected -> select_entry
    if (shown_image_id_ != id) select_entry(id);
}

void ClassifyPage::update_gallery_visibility() {
    // A strip holding only the picture already shown large is clutter; a snapshot taken
    // from live video, or a second image, makes it useful.
    const bool only_the_shown_one = gallery_model_->size() == 1 && shown_image_id_ == gallery_model_->id_at(0);
    gallery_->setVisible(gallery_model_->size() > 0 && !only_the_shown_one);
}

void ClassifyPage::select_entry(quint64 id) {
    const GalleryModel::Entry* entry = gallery_model_->find(id);
    if (!entry) return;
    controller_->stop_source();  // first: a still image replaces the live view (and its overlay)
    const cv::Mat bgr = gallery_model_->pixels(id);
    shown_image_id_ = entry->id;
    shown_id_->store(entry->id);
    image_view_->set_overlay({});
    inference_label_->clear();
    displayed_.reset();
    cam_row_ = 0;
    picked_class_ = -1;
    emit titleChanged(window_title(entry->name));
    update_gallery_visibility();
    if (bgr.empty()) {
        // Released to stay within the gallery's memory budget: decode the file again.
        image_view_->set_image(entry->thumbnail);
        image_view_->set_activation({});
        results_->clear_predictions(tr("Opening %1…").arg(entry->name));
        reload_async(entry->id, entry->path);
        return;
    }
    show_still(entry->id, bgr);
}

void ClassifyPage::show_still(quint64 id, const cv::Mat& bgr) {
    const GalleryModel::Entry* entry = gallery_model_->find(id);
    controller_->classify_still(id, bgr, entry ? entry->labelled1000 : -1);  // stops a live source first
    image_view_->set_image(mat_to_qimage(bgr));
    results_->clear_predictions(controller_->requested() ? tr("Classifying…") : tr("Waiting for the network…"));
}

void ClassifyPage::reload_async(quint64 id, const QString& path) {
    auto* watcher = new QFutureWatcher<LoadedImage>(this);
    connect(watcher, &QFutureWatcher<LoadedImage>::finished, this, [this, watcher, id] {
        const LoadedImage li = watcher->result();
        watcher->deleteLater();
        const GalleryModel::Entry* entry = gallery_model_->find(id);
        if (!entry) return;
        if (!li.error.isEmpty()) {
            if (shown_image_id_ == id) results_->clear_predictions(tr("Could not open the file"));
            show_notice(NoticeBar::Kind::Error, tr("Could not open %1: %2").arg(entry->name, li.error));
            return;
        }
        if (li.bgr.empty()) return;  // skipped: another entry was selected meanwhile
        gallery_model_->retain(id, li.bgr);
        if (shown_image_id_ == id) show_still(id, li.bgr);
    });
    watcher->setFuture(QtConcurrent::run([path, id, shown = shown_id_, closing = closing_] {
        // Another entry selected before this started (fast stepping): no decode.
        if (closing->load() || shown->load() != id) return LoadedImage{};
        return decode_image(path, 0, 1.0);
    }));
}

void ClassifyPage::step_gallery(int delta) {
    if (gallery_model_->size() == 0) return;
    gallery_->set_current_row(std::clamp(gallery_->current_row() + delta, 0, static_cast<int>(gallery_model_->size()) - 1));
}

void ClassifyPage::handle_mime_data(const QMimeData* mime) {
    if (!mime) return;
    if (mime->hasUrls()) {
        QStringList paths, remote;
        for (const QUrl& url : mime->urls()) {
            if (url.isLocalFile()) paths << url.toLocalFile();
            else remote << url.toString();
        }
        if (!remote.isEmpty()) {
            show_notice(NoticeBar::Kind::Error, tr("Only local files can be opened, not %1").arg(remote.join(QStringLiteral(", "))));
        }
        if (!paths.isEmpty()) open_paths(paths);
        return;
    }
    if (mime->hasImage()) {
        const cv::Mat bgr = qimage_to_mat(qvariant_cast<QImage>(mime->imageData()));
        if (bgr.empty()) {
            show_notice(NoticeBar::Kind::Error, tr("The dropped image data is empty."));
            return;
        }
        add_image_data(tr("Dropped image %1").arg(++pasted_count_), bgr);
        return;
    }
    emit statusMessage(tr("Nothing to open in what was dropped"), 5000);
}

void ClassifyPage::paste_from_clipboard() {
    const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
    if (mime && mime->hasImage()) {
        const cv::Mat bgr = qimage_to_mat(qvariant_cast<QImage>(mime->imageData()));
        if (!bgr.empty()) {
            add_image_data(tr("Pasted image %1").arg(++pasted_count_), bgr);
            return;
        }
    }
    if (mime && mime->hasUrls()) {
        handle_mime_data(mime);
        return;
    }
    if (mime && mime->hasText()) {
        const QString text = mime->text().trimmed();
        if (QFileInfo::exists(text)) {
            open_paths({text});
            return;
        }
    }
    emit statusMessage(tr("The clipboard holds no image"), 5000);
}

void ClassifyPage::take_snapshot() {
    const cv::Mat frame = controller_->shown_frame();
    if (frame.empty()) {
        emit statusMessage(tr("No frame to snapshot yet"), 4000);
        return;
    }
    const QString name = tr("Snapshot %1").arg(++snapshot_count_);
    const quint64 id = add_to_gallery(name, {}, frame.clone());
    gallery_->scroll_to_entry(id);  // the new thumbnail is the visible sign (the video keeps playing)
    emit statusMessage(tr("%1 added to the gallery (%2)").arg(name, controller_->source_name()), 4000);
}

// ---------------------------------------------------------------------------------------
// Results

void ClassifyPage::on_configured(const ModelStatus& status) {
    latency_->clear();  // a new network: earlier passes and measurements are of another one
    // A set-up error (e.g. int8 before calibration) is over once a network is set up.
    if (status.ok && notice_->property("setupError").toBool()) notice_->hide();
    notice_->setProperty("setupError", !status.ok);
    if (!status.ok) {
        show_notice(NoticeBar::Kind::Error,
                    tr("Cannot set up network %1: %2").arg(config_name(status.request.alpha, status.request.resolution),
                                                           status.error));
        random_banner_->hide();
        results_->clear_predictions(tr("No network"));
        // Nothing of the last network stays up as if it were this one's.
        image_view_->set_activation({});
        activation_->set_available(false);
        inference_label_->setText(tr("This inference: no network"));
        latency_->set_available(false);
    } else if (status.pretrained) {
        random_banner_->hide();
    } else {
        QStringList alphas;
        for (double a : controller_->pretrained_alphas()) alphas << format_alpha(a);
        random_banner_->show_notice(
            NoticeBar::Kind::Warning,
            tr("No pretrained weights for α = %1: the network runs on random (He-initialized) weights. Mult-adds, "
               "parameters and latency are real; predictions would be meaningless, so none are shown.%2")
                .arg(format_alpha(status.request.alpha))
                .arg(alphas.isEmpty() ? QString() : tr(" Pretrained α: %1.").arg(alphas.join(QStringLiteral(", ")))));
        results_->clear_predictions(tr("Random weights — no predictions"));
        image_view_->set_activation({});
        activation_->set_available(false);
    }
    update_model_label();
}

void ClassifyPage::on_frame_classified(const ClassifyResult& r) {
    shown_image_id_ = 0;
    shown_id_->store(0);
    if (gallery_->current_entry()) {
        QSignalBlocker b(gallery_);  // deselecting must not select anything
        gallery_->set_current_row(-1);
        update_gallery_visibility();
    }
    if (controller_->frames_classified() == 1) emit titleChanged(window_title(controller_->source_name()));
    show_result(r);
    update_video_bar();
}

void ClassifyPage::show_result(const ClassifyResult& r) {
    const bool same_source = displayed_ && displayed_->fromFrame && r.fromFrame;
    if (!same_source) picked_class_ = -1;
    displayed_ = r;
    const std::optional<ModelRequest>& requested = controller_->requested();
    if (r.fromFrame) image_view_->set_image(r.frameImage, true);
    image_view_->set_crop(QRect(r.crop.x, r.crop.y, r.crop.width, r.crop.height),
                          tr("network input %1 × %1 · %2")
                              .arg(r.resolution)
                              .arg(crop_text(requested ? requested->crop : controller_->tuning().crop)));
    if (r.pretrained && !r.top.empty()) {
        // Keep the class the user picked while it stays in the top 5 (video frames); else,
        // and always unless the user picked one, the top-1's map.
        int row = 0;
        for (std::size_t i = 0; i < r.top.size() && picked_class_ >= 0; ++i) {
            if (r.top[i].index == picked_class_) row = static_cast<int>(i);
        }
        cam_row_ = row;
        const GalleryModel::Entry* entry = r.fromFrame ? nullptr : gallery_model_->find(r.imageId);
        results_->set_predictions(r.top, row, {r.labelledRow, r.labelledRank, entry ? entry->label_source : QString(), r.labelledBelow});
        activation_->set_available(true);
        image_view_->set_activation(row < static_cast<int>(r.cams.size()) ? r.cams[static_cast<std::size_t>(row)] : cv::Mat());
    } else {
        cam_row_ = 0;
        activation_->set_available(false);
        results_->clear_predictions(r.pretrained ? tr("No predictions") : tr("Random weights — no predictions"));
        image_view_->set_activation({});
    }
    inference_label_->setText(tr("This inference: %1 forward pass + %2 preprocessing (%3, %4)")
                                  .arg(format_ms(r.latencyMs), format_ms(r.preprocessMs), config_name(r.alpha, r.resolution),
                                       format_threads(r.threads)));
    latency_->add_pass(r.latencyMs, r.threads, r.threadReason);
    emit resultDisplayed();
}

void ClassifyPage::show_activation_for_row(int row) {
    if (!displayed_ || row < 0 || row >= static_cast<int>(displayed_->cams.size()) ||
        row >= static_cast<int>(displayed_->top.size())) {
        return;
    }
    cam_row_ = row;
    // A pick on a video frame follows that class to the next frames.
    picked_class_ = displayed_->fromFrame ? displayed_->top[static_cast<std::size_t>(row)].index : -1;
    results_->set_selected_row(row);
    image_view_->set_activation(displayed_->cams[static_cast<std::size_t>(row)]);
    set_activation_shown(true);  // clicking a class asks to see its map
}

void ClassifyPage::update_model_label() {
    if (!controller_->model_status()) return;
    const ModelStatus& s = *controller_->model_status();
    const QString head = tr("MobileNet v1 · α %1 · %2 × %2 input · compute %3")
                             .arg(format_alpha(s.request.alpha))
                             .arg(s.request.resolution)
                             .arg(s.precisionDetail.isEmpty() ? s.precision : s.precisionDetail);
    QString weights;
    if (!s.ok) {
        weights = tr("Not available: %1").arg(s.error);
    } else if (s.pretrained) {
        weights = tr("Weights: %1 (%2; released at %3 × %3, %4 classes)")
                      .arg(s.weightsName, s.weightsKind)
                      .arg(s.nativeResolution)
                      .arg(s.numClasses);
    } else {
        weights = tr("Weights: random (He init) — no pretrained model for α %1").arg(format_alpha(s.request.alpha));
    }
    const QString choice = s.request.modelPath.isEmpty() ? tr("Model: automatic (best for α)")
                                                         : tr("Model: pinned (Model menu)");
    model_label_->setText(head + QStringLiteral("\n") + weights + QStringLiteral("\n") + choice +
                          QStringLiteral("\n") + tr("Crop: %1").arg(crop_text(s.request.crop)));
    model_label_->setToolTip(s.weightsPath);
    native_badge_->show_for(s.ok && s.pretrained, s.nativeResolution, s.request.resolution);
}

void ClassifyPage::update_video_overlay() {
    if (!controller_->source_running()) {
        // Stopped: the frame on screen keeps the name of what it shows and its class.
        QStringList lines;
        if (displayed_ && displayed_->fromFrame && controller_->showing_frame()) {
            lines << tr("Stopped · last frame of %1").arg(controller_->source_name());
            if (!displayed_->top.empty()) {
                const mnv1::Prediction& p = displayed_->top.front();
                lines << QStringLiteral("%1  %2").arg(QString::fromStdString(p.label), format_percent(p.probability));
            }
        }
        image_view_->set_overlay(lines);
        return;
    }
    const bool paused = controller_->paused();
    const QString& source = controller_->source_name();
    QStringList lines;
    const QString loops = controller_->source_is_file() && controller_->video_looping() ? tr(" · loops") : QString();
    lines << (paused ? tr("Paused · %1%2").arg(source, loops) : tr("Live · %1%2").arg(source, loops));
    if (displayed_ && controller_->showing_frame()) {
        lines << (paused ? tr("%1 per frame").arg(format_ms(displayed_->latencyMs))
                         : tr("%1 FPS · %2 per frame")
                               .arg(controller_->classification_fps(), 0, 'f', 1)
                               .arg(format_ms(displayed_->latencyMs)));
        if (!displayed_->top.empty()) {
            const mnv1::Prediction& p = displayed_->top.front();
            lines << QStringLiteral("%1  %2").arg(QString::fromStdString(p.label), format_percent(p.probability));
        } else {
            lines << tr("random weights: no predictions");
        }
    }
    image_view_->set_overlay(lines);
}

void ClassifyPage::show_notice(NoticeBar::Kind kind, const QString& text, const QList<QAction*>& actions) {
    notice_->setProperty("sourceError", false);  // set again by sourceFailed when it is one
    notice_->setProperty("modelsMissing", false);  // set again by modelsMissing
    const auto bar_kind = static_cast<NoticeBar::Kind>(kind);
    notice_->show_notice(bar_kind, text, kind == NoticeBar::Kind::Info ? kInfoNoticeMs : 0, actions);
    emit noticeShown(text);
}

}  // namespace studio
