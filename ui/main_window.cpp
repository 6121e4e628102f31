#include "main_window.hpp"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QInputDialog>
#include <QLabel>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QScreen>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QThread>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <opencv2/core/version.hpp>

#include <algorithm>
#include <cmath>

#include "worker/camera_devices.hpp"
#include "common/display_format.hpp"
#include "widgets/gallery_strip.hpp"
#include "worker/image_convert.hpp"
#include "widgets/image_view.hpp"
#include "worker/inference_worker.hpp"
#include "pages/layers_view.hpp"
#include "mobilenet/network.hpp"
#include "widgets/notice_bar.hpp"
#include "widgets/results_view.hpp"
#include "widgets/tuning_panel.hpp"

#ifndef MOBILENET_VERSION
#define MOBILENET_VERSION "dev"
#endif

Q_LOGGING_CATEGORY(lcStudio, "mobilenet.studio")

namespace studio {

namespace {

// Slider moves are applied this long after the last one, so dragging does not queue builds.
constexpr int kReconfigureDebounceMs = 150;
// More files than this from one folder are not all opened (memory: every image stays decoded).
constexpr int kMaxImagesPerOpen = 1000;

const QStringList& video_suffixes() {
    static const QStringList s{"avi", "mp4", "mkv", "mov", "webm", "m4v", "mpg", "mpeg", "wmv", "flv", "ogv", "mjpeg"};
    return s;
}

const QStringList& image_name_filters() {
    static const QStringList s{"*.jpg", "*.jpeg", "*.jpe", "*.png", "*.bmp", "*.dib", "*.webp", "*.tif",
                               "*.tiff", "*.gif", "*.ppm", "*.pgm", "*.pbm", "*.pnm", "*.jp2", "*.ras", "*.sr"};
    return s;
}

bool is_video_file(const QFileInfo& fi) { return video_suffixes().contains(fi.suffix().toLower()); }

// ImageError messages read "<path>: <problem>"; the notice names the file, not the path.
QString problem_of(const QString& what, const QString& path) {
    const QString prefix = path + QStringLiteral(": ");
    return what.startsWith(prefix) ? what.mid(prefix.size()) : what;
}

QString crop_text(mnv1::CropMode mode) {
    return mode == mnv1::CropMode::Central ? QObject::tr("central 87.5 %") : QObject::tr("whole image");
}

}  // namespace

MainWindow::MainWindow(StudioOptions options, QWidget* parent)
    : QMainWindow(parent), options_(std::move(options)), frame_slot_(std::make_shared<LatestFrameSlot>()) {
    settings_ = options_.settings_file.isEmpty()
                    ? std::make_unique<QSettings>()
                    : std::make_unique<QSettings>(options_.settings_file, QSettings::IniFormat);
    setWindowTitle(tr("MobileNet Studio"));
    setAcceptDrops(true);
    setWindowIcon(QIcon(QStringLiteral(":/icons/mobilenet-studio.png")));

    build_actions();
    build_ui();
    build_menus();
    restore_settings();
    start_worker();

    reconfigure_timer_.setSingleShot(true);
    reconfigure_timer_.setInterval(kReconfigureDebounceMs);
    connect(&reconfigure_timer_, &QTimer::timeout, this, &MainWindow::apply_configuration);
    connect(tuning_, &TuningPanel::configurationChanged, this, &MainWindow::schedule_reconfigure);

    // Refreshes the FPS figure when frames stop coming, and logs it while video runs.
    fps_log_timer_.setInterval(2000);
    connect(&fps_log_timer_, &QTimer::timeout, this, [this] {
        if (!source_ || paused_) return;
        fps_ = frame_rate_.rate();
        update_video_overlay();
        qCInfo(lcStudio, "video %s: %.1f classified frames/s (%lld classified, %llu superseded in the slot), "
                         "alpha %s, %d px, %d threads",
               qUtf8Printable(source_name_), fps_, frame_count_, static_cast<unsigned long long>(frame_slot_->dropped()),
               qUtf8Printable(format_alpha(tuning_->alpha())), tuning_->resolution(), tuning_->threads());
    });
    fps_log_timer_.start();

    discover_models();

    for (int i = 0; i < tabs_->count(); ++i) {
        if (!options_.start_tab.isEmpty() && tabs_->tabText(i).remove('&').compare(options_.start_tab, Qt::CaseInsensitive) == 0) {
            tabs_->setCurrentIndex(i);
        }
    }
    if (!options_.open_paths.isEmpty()) open_paths(options_.open_paths);
    if (options_.camera) open_camera(*options_.camera);
}

MainWindow::~MainWindow() {
    stop_source();
    if (worker_thread_) {
        worker_thread_->quit();
        worker_thread_->wait();  // the worker is deleted on its thread (finished -> deleteLater)
    }
}

// ---------------------------------------------------------------------------------------
// Construction

void MainWindow::build_actions() {
    QStyle* st = style();
    open_images_ = new QAction(st->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open Images…"), this);
    open_images_->setShortcut(QKeySequence::Open);
    open_images_->setToolTip(tr("Open one or more images (Ctrl+O); you can also drop files or a folder on the window"));
    connect(open_images_, &QAction::triggered, this, [this] {
        const QString filter = tr("Images (%1);;All files (*)").arg(image_name_filters().join(' '));
        const QStringList files = QFileDialog::getOpenFileNames(this, tr("Open Images"),
                                                                settings_->value("paths/lastDir").toString(), filter);
        if (files.isEmpty()) return;
        settings_->setValue("paths/lastDir", QFileInfo(files.first()).absolutePath());
        open_paths(files);
    });

    open_folder_ = new QAction(st->standardIcon(QStyle::SP_DirOpenIcon), tr("Open &Folder…"), this);
    open_folder_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(open_folder_, &QAction::triggered, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Folder of Images"),
                                                              settings_->value("paths/lastDir").toString());
        if (dir.isEmpty()) return;
        settings_->setValue("paths/lastDir", dir);
        open_paths({dir});
    });

    open_video_ = new QAction(st->standardIcon(QStyle::SP_MediaPlay), tr("Open &Video…"), this);
    open_video_->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O));
    open_video_->setToolTip(tr("Classify a video file live, exactly like a camera (Ctrl+Alt+O)"));
    connect(open_video_, &QAction::triggered, this, [this] {
        const QString filter = tr("Videos (*.%1);;All files (*)").arg(video_suffixes().join(QStringLiteral(" *.")));
        const QString file = QFileDialog::getOpenFileName(this, tr("Open Video"),
                                                          settings_->value("paths/lastDir").toString(), filter);
        if (file.isEmpty()) return;
        settings_->setValue("paths/lastDir", QFileInfo(file).absolutePath());
        open_video_file(file);
    });

    paste_ = new QAction(tr("&Paste Image"), this);
    paste_->setShortcut(QKeySequence::Paste);
    paste_->setToolTip(tr("Classify the image on the clipboard (Ctrl+V)"));
    connect(paste_, &QAction::triggered, this, &MainWindow::paste_from_clipboard);

    models_dir_ = new QAction(tr("&Models Folder…"), this);
    models_dir_->setToolTip(tr("Choose a folder with MobileNet v1 models (.tflite, .h5, TF.js)"));
    connect(models_dir_, &QAction::triggered, this, &MainWindow::choose_models_dir);

    quit_ = new QAction(tr("&Quit"), this);
    quit_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit_->setMenuRole(QAction::QuitRole);
    connect(quit_, &QAction::triggered, this, &QWidget::close);

    start_camera_ = new QAction(tr("&Camera"), this);
    start_camera_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    start_camera_->setToolTip(tr("Classify the first camera live (Ctrl+Shift+C); the arrow picks another"));
    connect(start_camera_, &QAction::triggered, this, [this] {
        const QList<CameraDevice> cams = list_cameras();
        open_camera(cams.isEmpty() ? 0 : cams.first().index);
    });

    pause_ = new QAction(st->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this);
    pause_->setCheckable(true);
    pause_->setShortcut(QKeySequence(Qt::Key_Space));
    pause_->setToolTip(tr("Pause / resume the live source (Space)"));
    pause_->setEnabled(false);
    connect(pause_, &QAction::toggled, this, &MainWindow::set_paused);

    snapshot_ = new QAction(tr("&Snapshot to Gallery"), this);
    snapshot_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    snapshot_->setToolTip(tr("Add the frame on screen to the gallery (Ctrl+Shift+S)"));
    snapshot_->setEnabled(false);
    connect(snapshot_, &QAction::triggered, this, &MainWindow::take_snapshot);

    stop_ = new QAction(st->standardIcon(QStyle::SP_MediaStop), tr("S&top Source"), this);
    stop_->setShortcut(QKeySequence(Qt::Key_Escape));
    stop_->setToolTip(tr("Stop the camera or video (Esc)"));
    stop_->setEnabled(false);
    connect(stop_, &QAction::triggered, this, &MainWindow::stop_source);

    max_fps_ = new QAction(tr("Play Video Files as Fast as Classified"), this);
    max_fps_->setCheckable(true);
    max_fps_->setToolTip(tr("Instead of the file's frame rate, feed the next frame as soon as the network took the "
                            "previous one: the FPS shown is then the network's throughput"));

    show_cam_ = new QAction(tr("Show &Activation Map"), this);
    show_cam_->setCheckable(true);
    show_cam_->setChecked(true);
    show_cam_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    show_cam_->setToolTip(tr("Overlay the class activation map of the selected class (Ctrl+M)"));

    next_image_ = new QAction(tr("&Next Image"), this);
    next_image_->setShortcut(QKeySequence(Qt::Key_PageDown));
    connect(next_image_, &QAction::triggered, this, [this] { step_gallery(+1); });
    prev_image_ = new QAction(tr("P&revious Image"), this);
    prev_image_->setShortcut(QKeySequence(Qt::Key_PageUp));
    connect(prev_image_, &QAction::triggered, this, [this] { step_gallery(-1); });

    about_ = new QAction(tr("&About MobileNet Studio"), this);
    about_->setShortcut(QKeySequence::HelpContents);
    about_->setMenuRole(QAction::AboutRole);
    connect(about_, &QAction::triggered, this, &MainWindow::show_about);
}

void MainWindow::build_menus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(open_images_);
    file->addAction(open_folder_);
    file->addAction(open_video_);
    file->addSeparator();
    file->addAction(paste_);
    file->addSeparator();
    file->addAction(models_dir_);
    file->addSeparator();
    file->addAction(quit_);

    model_menu_ = menuBar()->addMenu(tr("&Model"));
    model_menu_->setToolTipsVisible(true);
    model_group_ = new QActionGroup(this);
    model_group_->setExclusive(true);
    rebuild_model_menu();

    QMenu* source = menuBar()->addMenu(tr("&Source"));
    camera_menu_ = source->addMenu(tr("&Camera"));
    connect(camera_menu_, &QMenu::aboutToShow, this, &MainWindow::rebuild_camera_menu);
    rebuild_camera_menu();
    source->addAction(open_video_);
    source->addSeparator();
    source->addAction(pause_);
    source->addAction(snapshot_);
    source->addAction(stop_);
    source->addSeparator();
    source->addAction(max_fps_);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(show_cam_);
    view->addSeparator();
    view->addAction(next_image_);
    view->addAction(prev_image_);
    view->addSeparator();
    for (int i = 0; i < tabs_->count(); ++i) {
        auto* a = view->addAction(tabs_->tabText(i).remove('&'));
        a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { tabs_->setCurrentIndex(i); });
    }
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(about_);

    QToolBar* tb = addToolBar(tr("Main"));
    tb->setObjectName(QStringLiteral("mainToolBar"));
    tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tb->addAction(open_images_);
    tb->addAction(paste_);
    tb->addSeparator();
    start_camera_->setMenu(camera_menu_);
    tb->addAction(start_camera_);
    tb->addAction(open_video_);
    tb->addAction(pause_);
    tb->addAction(snapshot_);
    tb->addAction(stop_);
    tb->addSeparator();
    tb->addAction(show_cam_);
}

void MainWindow::rebuild_camera_menu() {
    camera_menu_->clear();
    const QList<CameraDevice> cams = list_cameras();
    if (cams.isEmpty()) {
        camera_menu_->addAction(tr("No camera found"))->setEnabled(false);
    }
    for (const CameraDevice& c : cams) {
        QAction* a = camera_menu_->addAction(QStringLiteral("%1 (%2)").arg(c.description, c.path));
        const int index = c.index;
        connect(a, &QAction::triggered, this, [this, index] { open_camera(index); });
    }
    camera_menu_->addSeparator();
    QAction* by_number = camera_menu_->addAction(tr("Camera by &Number…"));
    connect(by_number, &QAction::triggered, this, [this] {
        bool ok = false;
        const int n = QInputDialog::getInt(this, tr("Open Camera"), tr("Open /dev/video"), 0, 0, 63, 1, &ok);
        if (ok) open_camera(n);
    });
}

const mnv1::ModelEntry* MainWindow::find_model(const QString& path) const {
    if (!catalog_ || path.isEmpty()) return nullptr;
    const std::string p = path.toStdString();
    const auto it = std::find_if(catalog_->models.begin(), catalog_->models.end(),
                                 [&](const mnv1::ModelEntry& m) { return m.path == p; });
    return it == catalog_->models.end() ? nullptr : &*it;
}

void MainWindow::rebuild_model_menu() {
    // Actions of the previous catalog go with the menu's contents.
    for (QAction* a : model_group_->actions()) {
        model_group_->removeAction(a);
        delete a;
    }
    model_menu_->clear();
    model_auto_ = model_menu_->addAction(tr("&Automatic (best model for α)"));
    model_auto_->setCheckable(true);
    model_auto_->setToolTip(tr("For each α, the released model closest to the input resolution (float before uint8)"));
    model_group_->addAction(model_auto_);
    connect(model_auto_, &QAction::triggered, this, [this] { pin_model({}); });

    if (!catalog_) {
        model_menu_->addAction(tr("Looking for models…"))->setEnabled(false);
    } else if (catalog_->models.empty()) {
        model_menu_->addSection(tr("No models found"));
    }
    if (catalog_) {
        // discover_models() sorts by α, so each α is one run of entries.
        double section_alpha = -1;
        for (const mnv1::ModelEntry& m : catalog_->models) {
            if (std::fabs(m.alpha - section_alpha) > 1e-6) {
                section_alpha = m.alpha;
                model_menu_->addSection(tr("α %1").arg(format_alpha(m.alpha)));
            }
            const QString path = QString::fromStdString(m.path);
            QString text = QString::fromStdString(m.display_name);
            text.replace('&', QStringLiteral("&&"));
            QAction* a = model_menu_->addAction(text);
            a->setCheckable(true);
            a->setData(path);
            a->setToolTip(QStringLiteral("%1\n%2").arg(QFileInfo(path).fileName(), path));
            model_group_->addAction(a);
            connect(a, &QAction::triggered, this, [this, path] { pin_model(path); });
        }
    }
    model_menu_->addSeparator();
    model_menu_->addAction(models_dir_);
    sync_model_menu();
}

void MainWindow::sync_model_menu() {
    if (!model_auto_) return;
    for (QAction* a : model_group_->actions()) {
        if (a != model_auto_ && !pinned_model_.isEmpty() && a->data().toString() == pinned_model_) {
            a->setChecked(true);
            return;
        }
    }
    model_auto_->setChecked(true);
}

void MainWindow::pin_model(const QString& path) {
    const mnv1::ModelEntry* entry = find_model(path);
    pinned_model_ = entry ? path : QString();
    settings_->setValue("models/pinned", pinned_model_);
    sync_model_menu();
    if (entry) {
        // The model decides α; the resolution stays (any model runs at any resolution).
        QSignalBlocker b(tuning_);
        tuning_->set_alpha(entry->alpha);
        statusBar()->showMessage(tr("Using %1").arg(QString::fromStdString(entry->display_name)), 4000);
    } else {
        statusBar()->showMessage(tr("Automatic model choice"), 4000);
    }
    apply_configuration();
}

void MainWindow::build_ui() {
    const int em = fontMetrics().height();

    tabs_ = new QTabWidget(this);
    tabs_->setDocumentMode(true);
    setCentralWidget(tabs_);

    // --- Classify page -----------------------------------------------------------------
    auto* page = new QWidget(tabs_);
    auto* page_lay = new QVBoxLayout(page);
    notice_ = new NoticeBar(page);
    notice_->setObjectName(QStringLiteral("noticeBar"));
    random_banner_ = new NoticeBar(page);
    random_banner_->setObjectName(QStringLiteral("randomWeightsBanner"));
    random_banner_->set_closable(false);
    page_lay->addWidget(notice_);
    page_lay->addWidget(random_banner_);

    splitter_ = new QSplitter(Qt::Horizontal, page);
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
    gallery_->hide();
    left_lay->addWidget(image_view_, 1);
    left_lay->addWidget(gallery_);
    connect(gallery_, &GalleryStrip::entrySelected, this, &MainWindow::select_entry);

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
    // Enabled while there are predictions (and so maps) to show.
    right_lay->addWidget(results_);
    cam_check_ = new QCheckBox(tr("Show class activation map"), right);
    cam_check_->setEnabled(false);
    cam_check_->setToolTip(tr("Heat map of where the selected class was found; click another class above to "
                              "show its map (Ctrl+M)"));
    right_lay->addWidget(cam_check_);
    inference_label_ = new QLabel(right);
    inference_label_->setObjectName(QStringLiteral("inferenceLabel"));
    inference_label_->setWordWrap(true);
    inference_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    right_lay->addWidget(inference_label_);
    right_lay->addSpacing(em);
    right_lay->addWidget(heading(tr("Model in use")));
    model_label_ = new QLabel(tr("Looking for models…"), right);
    model_label_->setObjectName(QStringLiteral("modelLabel"));
    model_label_->setWordWrap(true);
    model_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    right_lay->addWidget(model_label_);
    right_lay->addStretch();
    right->setMinimumWidth(em * 16);

    splitter_->addWidget(left);
    splitter_->addWidget(right);
    splitter_->setStretchFactor(0, 3);
    splitter_->setStretchFactor(1, 1);
    page_lay->addWidget(splitter_, 1);
    tabs_->addTab(page, tr("&Classify"));

    // Check box and menu action are one setting.
    cam_check_->setChecked(show_cam_->isChecked());
    connect(cam_check_, &QCheckBox::toggled, show_cam_, &QAction::setChecked);
    connect(show_cam_, &QAction::toggled, this, [this](bool on) {
        cam_check_->setChecked(on);
        image_view_->set_activation_visible(on);
    });
    connect(results_, &ResultsView::rowSelected, this, &MainWindow::show_activation_for_row);

    // --- Layers page -------------------------------------------------------------------
    layers_ = new LayersView(tabs_);
    layers_->setObjectName(QStringLiteral("layersView"));
    tabs_->addTab(layers_, tr("&Layers"));
    connect(layers_, &LayersView::profileRequested, this, &MainWindow::request_layer_profile);
    connect(tabs_, &QTabWidget::currentChanged, this, [this](int) {
        if (tabs_->currentWidget() == layers_) request_layer_profile();
    });

    // --- Network dock ------------------------------------------------------------------
    tuning_ = new TuningPanel;
    tuning_->setObjectName(QStringLiteral("tuningPanel"));
    auto* scroll = new QScrollArea;
    scroll->setWidget(tuning_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* dock = new QDockWidget(tr("Tune"), this);
    dock->setObjectName(QStringLiteral("networkDock"));
    dock->setWidget(scroll);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    scroll->setMinimumWidth(tuning_->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());
    addDockWidget(Qt::LeftDockWidgetArea, dock);

    // --- Status bar --------------------------------------------------------------------
    status_model_ = new QLabel(this);
    status_fps_ = new QLabel(this);
    status_fps_->setContentsMargins(0, 0, em, 0);
    statusBar()->addPermanentWidget(status_fps_);
    statusBar()->addPermanentWidget(status_model_);
    statusBar()->showMessage(tr("Starting…"));

    // A comfortable default that fits the screen; restore_settings() may override it.
    QSize size(em * 100, em * 62);
    if (const QScreen* screen = QGuiApplication::primaryScreen()) {
        size = size.boundedTo(screen->availableSize() * 9 / 10);
    }
    resize(size);
}

void MainWindow::restore_settings() {
    QSettings& s = *settings_;
    QSignalBlocker block(tuning_);  // the first configuration is applied once models are known
    tuning_->set_alpha(options_.alpha.value_or(s.value("tuning/alpha", 1.0).toDouble()));
    tuning_->set_resolution(options_.resolution.value_or(s.value("tuning/resolution", 224).toInt()));
    tuning_->set_threads(
        options_.threads.value_or(s.value("tuning/threads", std::max(1, QThread::idealThreadCount())).toInt()));
    tuning_->set_crop_mode(s.value("tuning/crop").toString() == QLatin1String("central") ? mnv1::CropMode::Central
                                                                                         : mnv1::CropMode::Whole);
    show_cam_->setChecked(s.value("view/showActivation", true).toBool());
    pinned_model_ = s.value("models/pinned").toString();  // checked against the catalog once discovered
    max_fps_->setChecked(options_.video_as_fast_as_possible || s.value("video/asFastAsClassified", false).toBool());
    if (const QByteArray g = s.value("window/geometry").toByteArray(); !g.isEmpty()) restoreGeometry(g);
    if (const QByteArray st = s.value("window/state").toByteArray(); !st.isEmpty()) restoreState(st);
    if (const QByteArray sp = s.value("window/splitter").toByteArray(); !sp.isEmpty()) splitter_->restoreState(sp);
    else splitter_->setSizes({fontMetrics().height() * 50, fontMetrics().height() * 22});
}

void MainWindow::save_settings() {
    QSettings& s = *settings_;
    s.setValue("tuning/alpha", tuning_->alpha());
    s.setValue("tuning/resolution", tuning_->resolution());
    s.setValue("tuning/threads", tuning_->threads());
    s.setValue("tuning/crop", tuning_->crop_mode() == mnv1::CropMode::Central ? "central" : "whole");
    s.setValue("view/showActivation", show_cam_->isChecked());
    s.setValue("models/pinned", pinned_model_);
    s.setValue("video/asFastAsClassified", max_fps_->isChecked());
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    s.setValue("window/splitter", splitter_->saveState());
    s.sync();
}

void MainWindow::start_worker() {
    InferenceWorker::register_metatypes();
    worker_thread_ = new QThread(this);
    worker_thread_->setObjectName(QStringLiteral("InferenceWorker"));
    worker_ = new InferenceWorker(frame_slot_);
    worker_->moveToThread(worker_thread_);
    connect(worker_thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &InferenceWorker::modelsDiscovered, this, &MainWindow::on_models_discovered);
    connect(worker_, &InferenceWorker::configured, this, &MainWindow::on_configured);
    connect(worker_, &InferenceWorker::imageClassified, this, &MainWindow::on_image_classified);
    connect(worker_, &InferenceWorker::frameClassified, this, &MainWindow::on_frame_classified);
    connect(worker_, &InferenceWorker::layersProfiled, layers_, &LayersView::set_timing);
    connect(worker_, &InferenceWorker::requestFailed, this, &MainWindow::on_worker_failed);
    connect(worker_, &InferenceWorker::progress, this, [this](const QString& m) { statusBar()->showMessage(m); });
    worker_thread_->start();
}

void MainWindow::discover_models() {
    const QStringList dirs = model_search_dirs(options_.models_dir, settings_->value("models/dir").toString());
    model_label_->setText(tr("Looking for models…"));
    QMetaObject::invokeMethod(worker_, [w = worker_, dirs] { w->discover_models(dirs); }, Qt::QueuedConnection);
}

// ---------------------------------------------------------------------------------------
// Configuration and classification requests

void MainWindow::schedule_reconfigure() {
    // Moving α away from the pinned model's α returns to the automatic choice.
    if (const mnv1::ModelEntry* pinned = find_model(pinned_model_);
        pinned && std::fabs(tuning_->alpha() - pinned->alpha) >= TuningPanel::kAlphaStep / 2) {
        pinned_model_.clear();
        settings_->setValue("models/pinned", pinned_model_);
        sync_model_menu();
    }
    tuning_->set_latency_pending();
    status_model_->setText(tr("α %1 · %2 px · %3 threads")
                               .arg(format_alpha(tuning_->alpha()))
                               .arg(tuning_->resolution())
                               .arg(tuning_->threads()));
    reconfigure_timer_.start();
}

void MainWindow::apply_configuration() {
    reconfigure_timer_.stop();
    ModelRequest req;
    req.generation = ++generation_;
    req.alpha = tuning_->alpha();
    req.resolution = tuning_->resolution();
    req.threads = tuning_->threads();
    req.crop = tuning_->crop_mode();
    if (const mnv1::ModelEntry* pinned = find_model(pinned_model_)) {
        req.modelPath = pinned_model_;
        req.alpha = pinned->alpha;  // exact, even if the slider's 0.05 grid cannot show it
    }
    requested_ = req;
    worker_->supersede_before(req.generation);  // anything still queued for older settings is skipped
    QMetaObject::invokeMethod(worker_, [w = worker_, req] { w->configure(req); }, Qt::QueuedConnection);
    tuning_->set_latency_pending();
    status_model_->setText(
        tr("α %1 · %2 px · %3 threads").arg(format_alpha(req.alpha)).arg(req.resolution).arg(req.threads));
    classify_shown();
    if (tabs_->currentWidget() == layers_) request_layer_profile();
}

void MainWindow::classify_shown() {
    if (!requested_ || shown_.bgr.empty()) return;
    // A running source re-classifies by itself with its next frame.
    if (shown_.kind == Shown::Kind::Frame && source_ && !paused_) return;
    ClassifyRequest req;
    req.generation = generation_;
    req.requestId = ++image_request_;
    req.imageId = shown_.image_id;
    req.bgr = shown_.bgr;
    worker_->supersede_images_before(req.requestId);
    QMetaObject::invokeMethod(worker_, [w = worker_, req] { w->classify_image(req); }, Qt::QueuedConnection);
}

void MainWindow::request_layer_profile() {
    if (!requested_) return;
    const quint64 gen = generation_;
    QMetaObject::invokeMethod(worker_, [w = worker_, gen] { w->profile_layers(gen); }, Qt::QueuedConnection);
}

// ---------------------------------------------------------------------------------------
// Opening images

void MainWindow::open_paths(const QStringList& paths) {
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
    if (!video.isEmpty()) open_video_file(video);
    if (!images.isEmpty()) load_images_async(images, problems);
    else if (!problems.isEmpty()) on_images_loaded({}, problems);
}

void MainWindow::load_images_async(const QStringList& paths, const QStringList& problems) {
    statusBar()->showMessage(paths.size() == 1 ? tr("Opening %1…").arg(QFileInfo(paths.first()).fileName())
                                               : tr("Opening %1 images…").arg(paths.size()));
    const qreal dpr = devicePixelRatioF();
    const int thumb_px = static_cast<int>(gallery_->thumbnail_side() * dpr);
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

void MainWindow::on_images_loaded(const std::vector<LoadedImage>& loaded, const QStringList& problems) {
    QStringList errors = problems;
    quint64 first_new = 0;
    for (const LoadedImage& li : loaded) {
        if (!li.error.isEmpty()) {
            errors << QStringLiteral("%1: %2").arg(QFileInfo(li.path).fileName(), li.error);
            continue;
        }
        const quint64 id = add_gallery_entry(QFileInfo(li.path).fileName(), li.path, li.bgr, {}, li.thumb);
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
        show_notice(static_cast<int>(NoticeBar::Kind::Error), text);
        statusBar()->showMessage(errors.size() == 1 ? tr("Could not open %1").arg(errors.first())
                                                    : tr("Could not open %1 files").arg(errors.size()),
                                 10000);
    }
    if (first_new) {
        if (gallery_->current_entry() == first_new) select_entry(first_new);
        else gallery_->select_entry(first_new);  // emits entrySelected -> select_entry
        if (errors.isEmpty()) statusBar()->clearMessage();
    }
}

quint64 MainWindow::add_gallery_entry(const QString& name, const QString& path, const cv::Mat& bgr,
                                      const QImage& display, const QImage& thumb) {
    GalleryEntry e;
    e.id = ++next_entry_id_;
    e.name = name;
    e.path = path;
    e.bgr = bgr;
    e.display = display;
    QImage t = thumb;
    if (t.isNull()) {
        t = thumbnail(bgr, static_cast<int>(gallery_->thumbnail_side() * devicePixelRatioF()));
        t.setDevicePixelRatio(devicePixelRatioF());
    }
    gallery_->add_entry(e.id, name, t,
                        QStringLiteral("%1\n%2 × %3").arg(path.isEmpty() ? name : path).arg(bgr.cols).arg(bgr.rows));
    entries_.push_back(std::move(e));
    update_gallery_visibility();
    return entries_.back().id;
}

void MainWindow::update_gallery_visibility() {
    // A strip holding only the picture already shown large is clutter; a snapshot taken
    // from live video, or a second image, makes it useful.
    const bool only_the_shown_one = entries_.size() == 1 && shown_.kind == Shown::Kind::Still &&
                                    shown_.image_id == entries_.front().id;
    gallery_->setVisible(!entries_.empty() && !only_the_shown_one);
}

void MainWindow::select_entry(quint64 id) {
    const auto it = std::find_if(entries_.begin(), entries_.end(), [id](const GalleryEntry& e) { return e.id == id; });
    if (it == entries_.end()) return;
    if (source_) stop_source();  // a still image replaces the live view
    shown_.kind = Shown::Kind::Still;
    shown_.image_id = it->id;
    shown_.bgr = it->bgr;
    shown_.name = it->name;
    image_view_->set_image(it->display.isNull() ? mat_to_qimage(it->bgr) : it->display);
    image_view_->set_overlay({});
    results_->clear_predictions(requested_ ? tr("Classifying…") : tr("Waiting for the network…"));
    inference_label_->clear();
    displayed_.reset();
    cam_row_ = 0;
    setWindowTitle(tr("%1 — MobileNet Studio").arg(it->name));
    update_gallery_visibility();
    classify_shown();
}

void MainWindow::step_gallery(int delta) {
    if (gallery_->count() == 0) return;
    const int row = std::clamp(gallery_->currentRow() + delta, 0, gallery_->count() - 1);
    gallery_->setCurrentRow(row);
}

void MainWindow::handle_mime_data(const QMimeData* mime) {
    if (!mime) return;
    if (mime->hasUrls()) {
        QStringList paths, remote;
        for (const QUrl& url : mime->urls()) {
            if (url.isLocalFile()) paths << url.toLocalFile();
            else remote << url.toString();
        }
        if (!remote.isEmpty()) {
            show_notice(static_cast<int>(NoticeBar::Kind::Error),
                        tr("Only local files can be opened, not %1").arg(remote.join(QStringLiteral(", "))));
        }
        if (!paths.isEmpty()) open_paths(paths);
        return;
    }
    if (mime->hasImage()) {
        const QImage img = qvariant_cast<QImage>(mime->imageData());
        const cv::Mat bgr = qimage_to_mat(img);
        if (bgr.empty()) {
            show_notice(static_cast<int>(NoticeBar::Kind::Error), tr("The dropped image data is empty."));
            return;
        }
        const quint64 id = add_gallery_entry(tr("Dropped image %1").arg(++pasted_count_), {}, bgr, {}, {});
        gallery_->select_entry(id);
        if (gallery_->current_entry() == id && shown_.image_id != id) select_entry(id);
        return;
    }
    statusBar()->showMessage(tr("Nothing to open in what was dropped"), 5000);
}

void MainWindow::paste_from_clipboard() {
    const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
    if (mime && mime->hasImage()) {
        const cv::Mat bgr = qimage_to_mat(qvariant_cast<QImage>(mime->imageData()));
        if (!bgr.empty()) {
            const quint64 id = add_gallery_entry(tr("Pasted image %1").arg(++pasted_count_), {}, bgr, {}, {});
            gallery_->select_entry(id);
            if (shown_.image_id != id) select_entry(id);
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
    statusBar()->showMessage(tr("The clipboard holds no image"), 5000);
}

// ---------------------------------------------------------------------------------------
// Live sources

void MainWindow::open_video_file(const QString& path) {
    start_source(SourceSpec::file(path, max_fps_->isChecked() ? SourceSpec::Pacing::AsConsumed
                                                              : SourceSpec::Pacing::RealTime));
}

void MainWindow::open_camera(int index) { start_source(SourceSpec::camera(index)); }

void MainWindow::start_source(const SourceSpec& spec) {
    stop_source();
    const quint64 session = ++source_session_;
    frame_slot_->clear();
    source_ = std::make_unique<FrameSource>(spec, session, frame_slot_);
    source_name_ = spec.display_name();
    // The worker is woken straight from the capture thread (queued to its own thread).
    connect(source_.get(), &FrameSource::frameAvailable, worker_, &InferenceWorker::process_latest_frame,
            Qt::QueuedConnection);
    connect(source_.get(), &FrameSource::failed, this,
            [this, session](const QString& m) { on_source_failed(session, m); }, Qt::QueuedConnection);
    connect(source_.get(), &FrameSource::finished, this, [this, session] {
        if (session != source_session_) return;
        statusBar()->showMessage(tr("%1 ended").arg(source_name_), 5000);
        stop_source();
    }, Qt::QueuedConnection);
    connect(source_.get(), &FrameSource::opened, this,
            [this, session](const QString& name, double fps, QSize size) {
                if (session != source_session_) return;
                source_fps_ = fps;
                statusBar()->showMessage(tr("Playing %1 (%2 × %3, %4 fps)")
                                             .arg(name)
                                             .arg(size.width())
                                             .arg(size.height())
                                             .arg(fps, 0, 'f', 1),
                                         5000);
            },
            Qt::QueuedConnection);
    frame_rate_.reset();
    fps_ = 0;
    frame_count_ = 0;
    paused_ = false;
    {
        QSignalBlocker b(pause_);
        pause_->setChecked(false);
    }
    pause_->setEnabled(true);
    snapshot_->setEnabled(true);
    stop_->setEnabled(true);
    statusBar()->showMessage(tr("Opening %1…").arg(source_name_));
    source_->start();
}

void MainWindow::stop_source() {
    if (!source_) return;
    source_->stop();  // joins the capture thread
    source_.reset();
    frame_slot_->clear();
    paused_ = false;
    {
        QSignalBlocker b(pause_);
        pause_->setChecked(false);
    }
    pause_->setEnabled(false);
    snapshot_->setEnabled(false);
    stop_->setEnabled(false);
    image_view_->set_overlay({});
    status_fps_->clear();
}

void MainWindow::on_source_failed(quint64 session, const QString& message) {
    if (session != source_session_) return;
    stop_source();
    show_notice(static_cast<int>(NoticeBar::Kind::Error), message);
    statusBar()->showMessage(message, 10000);
}

void MainWindow::set_paused(bool paused) {
    if (!source_) return;
    paused_ = paused;
    source_->set_paused(paused);
    if (pause_->isChecked() != paused) {
        QSignalBlocker b(pause_);
        pause_->setChecked(paused);
    }
    update_video_overlay();
    statusBar()->showMessage(paused ? tr("Paused — Space resumes") : tr("Resumed"), 3000);
}

void MainWindow::take_snapshot() {
    if (shown_.kind != Shown::Kind::Frame || shown_.bgr.empty()) {
        statusBar()->showMessage(tr("No frame to snapshot yet"), 4000);
        return;
    }
    const QString name = tr("Snapshot %1").arg(++snapshot_count_);
    add_gallery_entry(name, {}, shown_.bgr.clone(), {}, {});
    statusBar()->showMessage(tr("%1 added to the gallery (%2)").arg(name, source_name_), 4000);
}

// ---------------------------------------------------------------------------------------
// Worker results

void MainWindow::on_models_discovered(const ModelCatalog& catalog) {
    catalog_ = catalog;
    if (!pinned_model_.isEmpty()) {
        const mnv1::ModelEntry* pinned = find_model(pinned_model_);
        if (!pinned) {
            qCInfo(lcStudio) << "pinned model no longer found, back to automatic:" << pinned_model_;
            pinned_model_.clear();
        } else if (options_.alpha && std::fabs(*options_.alpha - pinned->alpha) >= TuningPanel::kAlphaStep / 2) {
            pinned_model_.clear();  // an explicit --alpha wins over the remembered model
        } else {
            QSignalBlocker b(tuning_);  // applied below
            tuning_->set_alpha(pinned->alpha);
        }
        settings_->setValue("models/pinned", pinned_model_);
    }
    rebuild_model_menu();
    QList<double> alphas;
    QStringList details;
    for (const mnv1::ModelEntry& m : catalog.models) {
        if (!std::any_of(alphas.begin(), alphas.end(), [&](double a) { return std::fabs(a - m.alpha) < 1e-6; })) {
            alphas << m.alpha;
        }
        details << QStringLiteral("%1 — %2").arg(QString::fromStdString(m.display_name), QString::fromStdString(m.path));
    }
    details << QString() << tr("Searched: %1").arg(catalog.searchDirs.isEmpty() ? tr("(no folder)")
                                                                                : catalog.searchDirs.join(QStringLiteral(", ")));
    tuning_->set_pretrained_alphas(alphas, details.join('\n'));
    if (catalog.models.empty()) {
        show_notice(static_cast<int>(NoticeBar::Kind::Warning),
                    tr("No pretrained MobileNet models found (searched: %1). Every α runs on random weights: cost "
                       "and latency only. Use --models DIR, $MOBILENET_MODELS or File → Models Folder….")
                        .arg(catalog.searchDirs.isEmpty() ? tr("no folder exists") : catalog.searchDirs.join(QStringLiteral(", "))));
    }
    if (!catalog.problems.isEmpty()) {
        qCWarning(lcStudio) << "models that did not load:" << catalog.problems;
        statusBar()->showMessage(tr("%1 model file(s) could not be loaded (see the Network panel tooltip)")
                                     .arg(catalog.problems.size()),
                                 8000);
    } else {
        statusBar()->showMessage(tr("Found %1 pretrained model(s)").arg(catalog.models.size()), 4000);
    }
    apply_configuration();
}

void MainWindow::on_configured(const ModelStatus& status) {
    if (status.request.generation != generation_) return;  // superseded while it was being built
    model_status_ = status;
    if (!status.ok) {
        show_notice(static_cast<int>(NoticeBar::Kind::Error),
                    tr("Cannot set up network %1: %2").arg(config_name(status.request.alpha, status.request.resolution),
                                                           status.error));
        random_banner_->hide();
        results_->clear_predictions(tr("No network"));
        update_model_label();
        emit modelConfigured();
        return;
    }
    tuning_->set_measured_latency(status.latencyMs, status.request.threads, status.buildMs, status.wasCached);
    if (status.pretrained) {
        random_banner_->hide();
    } else {
        QStringList alphas;
        if (catalog_) {
            for (const mnv1::ModelEntry& m : catalog_->models) {
                const QString a = format_alpha(m.alpha);
                if (!alphas.contains(a)) alphas << a;
            }
        }
        random_banner_->show_notice(
            NoticeBar::Kind::Warning,
            tr("No pretrained weights for α = %1: the network runs on random (He-initialized) weights. Mult-adds, "
               "parameters and latency are real; predictions would be meaningless, so none are shown.%2")
                .arg(format_alpha(status.request.alpha))
                .arg(alphas.isEmpty() ? QString() : tr(" Pretrained α: %1.").arg(alphas.join(QStringLiteral(", ")))));
        results_->clear_predictions(tr("Random weights — no predictions"));
        image_view_->set_activation({});
        cam_check_->setEnabled(false);
    }
    update_model_label();
    mnv1::ArchConfig arch;
    arch.alpha = status.request.alpha;
    arch.resolution = status.request.resolution;
    arch.num_classes = status.numClasses > 0 ? status.numClasses : 1001;
    layers_->set_architecture(arch, status.request.generation);
    statusBar()->showMessage(status.wasCached
                                 ? tr("Network %1 ready (cached)").arg(config_name(status.request.alpha, status.request.resolution))
                                 : tr("Network %1 built in %2")
                                       .arg(config_name(status.request.alpha, status.request.resolution), format_ms(status.buildMs)),
                             4000);
    emit modelConfigured();
}

void MainWindow::on_image_classified(const ClassifyResult& r) {
    // Stale: another image was selected, or the settings changed, after this was requested.
    if (r.generation != generation_ || r.requestId != image_request_ || r.imageId != shown_.image_id) return;
    show_result(r);
    statusBar()->showMessage(r.pretrained ? tr("Classified in %1").arg(format_ms(r.latencyMs))
                                          : tr("Forward pass in %1 (random weights: no predictions)").arg(format_ms(r.latencyMs)),
                             5000);
}

void MainWindow::on_frame_classified(const ClassifyResult& r) {
    worker_->frame_result_consumed();  // first, whatever happens to this result
    if (!source_ || r.sourceSession != source_session_ || r.generation != generation_) return;  // stale
    if (paused_) return;  // frames still in flight when pausing must not replace the frozen one
    frame_rate_.tick();
    fps_ = frame_rate_.rate();
    ++frame_count_;
    shown_.kind = Shown::Kind::Frame;
    shown_.image_id = 0;
    shown_.bgr = r.frame;
    shown_.name = source_name_;
    if (gallery_->currentItem()) {
        QSignalBlocker b(gallery_);
        gallery_->setCurrentItem(nullptr);
        update_gallery_visibility();
    }
    if (frame_count_ == 1) setWindowTitle(tr("%1 — MobileNet Studio").arg(source_name_));
    show_result(r);
    update_video_overlay();
}

void MainWindow::on_worker_failed(quint64 generation, const QString& message) {
    if (generation != generation_) return;
    show_notice(static_cast<int>(NoticeBar::Kind::Error), message);
    statusBar()->showMessage(message, 8000);
}

void MainWindow::show_result(const ClassifyResult& r) {
    const int previous_class =
        displayed_ && cam_row_ < static_cast<int>(displayed_->top.size()) ? displayed_->top[static_cast<std::size_t>(cam_row_)].index : -1;
    const bool same_source = displayed_ && displayed_->fromFrame && r.fromFrame;
    displayed_ = r;
    if (r.fromFrame) image_view_->set_image(r.frameImage, true);
    image_view_->set_crop(QRect(r.crop.x, r.crop.y, r.crop.width, r.crop.height),
                          tr("network input %1 × %1 · %2")
                              .arg(r.resolution)
                              .arg(crop_text(requested_ ? requested_->crop : tuning_->crop_mode())));
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
        cam_check_->setEnabled(true);
        image_view_->set_activation(row < static_cast<int>(r.cams.size()) ? r.cams[static_cast<std::size_t>(row)] : cv::Mat());
    } else {
        cam_row_ = 0;
        cam_check_->setEnabled(false);
        results_->clear_predictions(r.pretrained ? tr("No predictions") : tr("Random weights — no predictions"));
        image_view_->set_activation({});
    }
    inference_label_->setText(tr("This inference: %1 forward pass + %2 preprocessing (%3, %4 threads)")
                                  .arg(format_ms(r.latencyMs), format_ms(r.preprocessMs), config_name(r.alpha, r.resolution))
                                  .arg(requested_ ? requested_->threads : 0));
    emit resultDisplayed();
}

void MainWindow::show_activation_for_row(int row) {
    if (!displayed_ || row < 0 || row >= static_cast<int>(displayed_->cams.size())) return;
    cam_row_ = row;
    results_->set_selected_row(row);
    image_view_->set_activation(displayed_->cams[static_cast<std::size_t>(row)]);
    if (!show_cam_->isChecked()) show_cam_->setChecked(true);  // clicking a class asks to see its map
}

void MainWindow::update_model_label() {
    if (!model_status_) return;
    const ModelStatus& s = *model_status_;
    const QString head = tr("MobileNet v1 · α %1 · %2 × %2 input · %3 compute")
                             .arg(format_alpha(s.request.alpha))
                             .arg(s.request.resolution)
                             .arg(s.precision);
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
}

void MainWindow::update_video_overlay() {
    if (!source_) {
        image_view_->set_overlay({});
        return;
    }
    QStringList lines;
    lines << (paused_ ? tr("Paused · %1").arg(source_name_) : tr("Live · %1").arg(source_name_));
    if (displayed_ && shown_.kind == Shown::Kind::Frame) {
        lines << (paused_ ? tr("%1 per frame").arg(format_ms(displayed_->latencyMs))
                          : tr("%1 FPS · %2 per frame").arg(fps_, 0, 'f', 1).arg(format_ms(displayed_->latencyMs)));
        if (!displayed_->top.empty()) {
            const mnv1::Prediction& p = displayed_->top.front();
            lines << QStringLiteral("%1  %2").arg(QString::fromStdString(p.label), format_percent(p.probability));
        } else {
            lines << tr("random weights: no predictions");
        }
    }
    image_view_->set_overlay(lines);
    status_fps_->setText(tr("%1 FPS").arg(fps_, 0, 'f', 1));
}

void MainWindow::show_notice(int kind, const QString& text) {
    notice_->show_notice(static_cast<NoticeBar::Kind>(kind), text,
                         static_cast<NoticeBar::Kind>(kind) == NoticeBar::Kind::Info ? 8000 : 0);
    emit noticeShown(text);
}

bool MainWindow::random_weights_banner_shown() const { return !random_banner_->isHidden(); }

QString MainWindow::latency_text() const { return tuning_->latency_text(); }

// ---------------------------------------------------------------------------------------
// Dialogs, drag and drop, closing

void MainWindow::show_about() {
    // Non-modal, so it never blocks the event loop (or a test).
    auto* box = new QMessageBox(QMessageBox::NoIcon, tr("About MobileNet Studio"),
                                tr("<h3>MobileNet Studio %1</h3>"
                                   "<p>MobileNet v1 (Howard et al., 2017) on oneDNN: classify images, video and "
                                   "camera frames, and explore the width multiplier α and resolution ρ.</p>"
                                   "<table>"
                                   "<tr><td>Qt</td><td>%2</td></tr>"
                                   "<tr><td>oneDNN</td><td>%3</td></tr>"
                                   "<tr><td>CPU ISA (oneDNN)</td><td>%4</td></tr>"
                                   "<tr><td>OpenCV</td><td>%5</td></tr>"
                                   "<tr><td>Hardware threads</td><td>%6</td></tr>"
                                   "</table>")
                                    .arg(QStringLiteral(MOBILENET_VERSION), QString::fromLatin1(qVersion()),
                                         catalog_ ? catalog_->onednnVersion : tr("(starting)"),
                                         catalog_ ? catalog_->cpuIsa : tr("(starting)"),
                                         QStringLiteral(CV_VERSION))
                                    .arg(QThread::idealThreadCount()),
                                QMessageBox::Ok, this);
    box->setIconPixmap(windowIcon().pixmap(fontMetrics().height() * 4));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}

void MainWindow::choose_models_dir() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder with MobileNet Models"),
                                                          settings_->value("models/dir").toString());
    if (dir.isEmpty()) return;
    settings_->setValue("models/dir", dir);
    discover_models();  // then reconfigures with what it found
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls() || event->mimeData()->hasImage()) event->acceptProposedAction();
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event) {
    if (event->mimeData()->hasUrls() || event->mimeData()->hasImage()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    handle_mime_data(event->mimeData());
    event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    save_settings();
    stop_source();
    QMainWindow::closeEvent(event);
}

}  // namespace studio
