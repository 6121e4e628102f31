#include "classify_page.hpp"

#include <QAction>
#include <QClipboard>
#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QLabel>
#include <QMimeData>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

#include "common/display_format.hpp"
#include "common/file_kinds.hpp"
#include "controller/inference_controller.hpp"
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

// More files than this from one folder are not all opened (memory: every image stays decoded).
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

}  // namespace

ClassifyPage::ClassifyPage(InferenceController* controller, QWidget* parent)
    : QWidget(parent), controller_(controller), gallery_model_(new GalleryModel(this)) {
    build_ui();
    connect_controller();
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
        if (!running) image_view_->set_overlay({});
    });
    connect(c, &InferenceController::errorOccurred, this, [this](const QString& m) {
        latency_->set_measuring(false);  // a failed "Measure again" reports here: re-enable the button
        show_notice(NoticeBar::Kind::Error, m);
    });
    connect(c, &InferenceController::warningRaised, this, [this](const QString& m) { show_notice(NoticeBar::Kind::Warning, m); });
    connect(c, &InferenceController::infoRaised, this, [this](const QString& m) { show_notice(NoticeBar::Kind::Info, m); });
    connect(c, &InferenceController::modelsMissing, this,
            [this](const QString& m) { show_notice(NoticeBar::Kind::Warning, m, missing_models_actions_); });
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
        const QFileInfo fi(p);
        if (!fi.exists()) {
            problems << tr("%1: no such file or folder").arg(p);
        } else if (fi.isDir()) {
            const QFileInfoList files =
                QDir(p).entryInfoList(image_name_filters(), QDir::Files | QDir::Readable, QDir::Name | QDir::IgnoreCase);
            if (files.isEmpty()) problems << tr("%1: no images in this folder").arg(p);
            for (const QFileInfo& f : files) images << f.absoluteFilePath();
        } else if (is_video_file(fi)) {
            video = fi.absoluteFilePath();
        } else {
            images << fi.absoluteFilePath();  // the decoder decides what is an image
        }
    }
    if (images.size() > kMaxImagesPerOpen) {
        problems << tr("Only the first %1 of %2 images were opened.").arg(kMaxImagesPerOpen).arg(images.size());
        images = images.mid(0, kMaxImagesPerOpen);
    }
    if (!video.isEmpty()) controller_->open_video_file(video);
    if (!images.isEmpty()) load_images_async(images, problems);
    else if (!problems.isEmpty()) on_images_loaded({}, problems);
}

void ClassifyPage::load_images_async(const QStringList& paths, const QStringList& problems) {
    emit statusMessage(paths.size() == 1 ? tr("Opening %1…").arg(QFileInfo(paths.first()).fileName())
                                         : tr("Opening %1 images…").arg(paths.size()),
                       0);
    const qreal dpr = devicePixelRatioF();
    const int thumb_px = static_cast<int>(gallery_model_->thumbnail_side() * dpr);
    // Decoding is OpenCV only (no oneDNN) but can take a while for big files or folders:
    // do it on the thread pool, and add the results when all are ready.
    auto* watcher = new QFutureWatcher<std::vector<LoadedImage>>(this);
    connect(watcher, &QFutureWatcher<std::vector<LoadedImage>>::finished, this, [this, watcher, problems] {
        on_images_loaded(watcher->result(), problems);
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([paths, thumb_px, dpr] {
        std::vector<LoadedImage> out;
        for (const QString& p : paths) {
            LoadedImage li;
            li.path = p;
            try {
                li.bgr = mnv1::load_image(p.toStdString());
                li.thumb = thumbnail(li.bgr, thumb_px);
                li.thumb.setDevicePixelRatio(dpr);
            } catch (const std::exception& e) {
                li.error = problem_of(QString::fromUtf8(e.what()), p);
            }
            out.push_back(std::move(li));
        }
        return out;
    }));
}

void ClassifyPage::on_images_loaded(const std::vector<LoadedImage>& loaded, const QStringList& problems) {
    QStringList errors = problems;
    quint64 first_new = 0;
    for (const LoadedImage& li : loaded) {
        if (!li.error.isEmpty()) {
            errors << QStringLiteral("%1: %2").arg(QFileInfo(li.path).fileName(), li.error);
            continue;
        }
        const quint64 id = add_to_gallery(QFileInfo(li.path).fileName(), li.path, li.bgr, li.thumb);
        if (!first_new) first_new = id;
    }
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
        show_notice(NoticeBar::Kind::Error, text);
        emit statusMessage(errors.size() == 1 ? tr("Could not open %1").arg(errors.first())
                                              : tr("Could not open %1 files").arg(errors.size()),
                           10000);
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
    controller_->classify_still(entry->id, entry->bgr);  // stops a live source first
    shown_image_id_ = entry->id;
    image_view_->set_image(mat_to_qimage(entry->bgr));
    image_view_->set_overlay({});
    results_->clear_predictions(controller_->requested() ? tr("Classifying…") : tr("Waiting for the network…"));
    inference_label_->clear();
    displayed_.reset();
    cam_row_ = 0;
    emit titleChanged(window_title(entry->name));
    update_gallery_visibility();
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
    add_to_gallery(name, {}, frame.clone());
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
    if (gallery_->current_entry()) {
        QSignalBlocker b(gallery_);  // deselecting must not select anything
        gallery_->set_current_row(-1);
        update_gallery_visibility();
    }
    if (controller_->frames_classified() == 1) emit titleChanged(window_title(controller_->source_name()));
    show_result(r);
}

void ClassifyPage::show_result(const ClassifyResult& r) {
    const int previous_class =
        displayed_ && cam_row_ < static_cast<int>(displayed_->top.size()) ? displayed_->top[static_cast<std::size_t>(cam_row_)].index : -1;
    const bool same_source = displayed_ && displayed_->fromFrame && r.fromFrame;
    displayed_ = r;
    const std::optional<ModelRequest>& requested = controller_->requested();
    if (r.fromFrame) image_view_->set_image(r.frameImage, true);
    image_view_->set_crop(QRect(r.crop.x, r.crop.y, r.crop.width, r.crop.height),
                          tr("network input %1 × %1 · %2")
                              .arg(r.resolution)
                              .arg(crop_text(requested ? requested->crop : controller_->tuning().crop)));
    if (r.pretrained && !r.top.empty()) {
        // Keep the class the user picked while it stays in the top 5 (video frames).
        int row = 0;
        if (same_source && previous_class >= 0) {
            for (std::size_t i = 0; i < r.top.size(); ++i) {
                if (r.top[i].index == previous_class) row = static_cast<int>(i);
            }
        }
        cam_row_ = row;
        results_->set_predictions(r.top, row);
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
    if (!displayed_ || row < 0 || row >= static_cast<int>(displayed_->cams.size())) return;
    cam_row_ = row;
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
        image_view_->set_overlay({});
        return;
    }
    const bool paused = controller_->paused();
    const QString& source = controller_->source_name();
    QStringList lines;
    lines << (paused ? tr("Paused · %1").arg(source) : tr("Live · %1").arg(source));
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
    const auto bar_kind = static_cast<NoticeBar::Kind>(kind);
    notice_->show_notice(bar_kind, text, kind == NoticeBar::Kind::Info ? kInfoNoticeMs : 0, actions);
    emit noticeShown(text);
}

}  // namespace studio
