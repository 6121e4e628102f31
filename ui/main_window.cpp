#include "main_window.hpp"

#include <QAction>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QToolBar>

#include <opencv2/core/version.hpp>

#include "app/action_manager.hpp"
#include "app/settings_manager.hpp"
#include "common/display_format.hpp"
#include "common/file_kinds.hpp"
#include "controller/evaluation_controller.hpp"
#include "controller/inference_controller.hpp"
#include "controller/sweep_controller.hpp"
#include "lesson/lesson_dialog.hpp"
#include "pages/classify_page.hpp"
#include "pages/download_dialog.hpp"
#include "pages/evaluation_page.hpp"
#include "pages/feature_maps_page.hpp"
#include "pages/layers_page.hpp"
#include "pages/precision_panel.hpp"
#include "pages/separable_network_panel.hpp"
#include "pages/tradeoff_page.hpp"
#include "pages/roofline_panel.hpp"
#include "widgets/cost_card.hpp"
#include "widgets/drop_highlight.hpp"
#include "widgets/tuning_panel.hpp"

namespace studio {

namespace {

InferenceController::Tuning tuning_of(const TuningPanel& panel) {
    return {panel.alpha(), panel.resolution(), panel.threads(), panel.crop_mode()};
}

// The lesson dialog, created on first use (a child of the window), shown and raised.
void show_lesson(MainWindow* w, bool at_selected_layer) {
    auto* lesson = w->findChild<LessonDialog*>();
    if (!lesson) lesson = new LessonDialog(w->layers_page()->model(), w->layers_page()->selection_model(), w->controller(), w);
    if (at_selected_layer) lesson->show_step_of_selection();
    lesson->show();
    lesson->raise();
    lesson->activateWindow();
}

}  // namespace

MainWindow::MainWindow(StudioOptions options, QWidget* parent)
    : QMainWindow(parent), options_(std::move(options)),
      settings_(std::make_unique<SettingsManager>(options_.settings_file)) {
    setWindowTitle(tr("MobileNet Studio"));
    setAcceptDrops(true);
    new DropHighlight(this);  // shows the window takes the drop while something is dragged over it
    setWindowIcon(QIcon(QStringLiteral(":/icons/mobilenet-studio.png")));

    actions_ = new ActionManager(this);
    controller_ = new InferenceController(this);
    evaluation_controller_ = new EvaluationController(controller_, this);
    build_pages();
    build_dock();
    build_status_bar();
    actions_->fill_menus(*this, *tabs_);
    connect_actions();
    connect_controller();
    restore_settings();
    discover_models();  // the first configuration is applied once models are known

    for (int i = 0; i < tabs_->count(); ++i) {
        if (!options_.start_tab.isEmpty() && tabs_->tabText(i).remove('&').remove('-').remove(' ').compare(options_.start_tab, Qt::CaseInsensitive) == 0) {
            tabs_->setCurrentIndex(i);
        }
    }
    if (!options_.open_paths.isEmpty()) classify_->open_paths(options_.open_paths);
    if (options_.camera) controller_->open_camera(*options_.camera);
    if (!options_.evaluate_folder.isEmpty()) evaluation_->evaluate_folder(options_.evaluate_folder);
}

MainWindow::~MainWindow() {
    // Before the pages go: the controller joins the capture and worker threads, and may
    // still signal them while it stops. A running sweep or evaluation is cancelled and
    // joined first.
    delete sweeps_;
    delete evaluation_controller_;
    delete controller_;
}

// ---------------------------------------------------------------------------------------
// Composition

void MainWindow::build_pages() {
    tabs_ = new QTabWidget(this);
    tabs_->setDocumentMode(true);
    setCentralWidget(tabs_);
    classify_ = new ClassifyPage(controller_, tabs_);
    tabs_->addTab(classify_, tr("&Classify"));
    layers_ = new LayersPage(tabs_);
    layers_->setObjectName(QStringLiteral("layersView"));
    tabs_->addTab(layers_, tr("&Layers"));
    layers_->add_side_view(new RooflinePanel(controller_, layers_->model(), layers_->selection_model()), tr("Roofline"));
    layers_->add_side_view(new CostCardPanel(layers_->model(), layers_->selection_model()), tr("Cost card"));
    layers_->add_side_view(new SeparableNetworkPanel(controller_, layers_->model()), tr("Standard vs separable"));
    tabs_->addTab(new FeatureMapsPage(controller_, layers_->model(), layers_->selection_model(), tabs_),
                  tr("Feature m&aps"));
    evaluation_ = new EvaluationPage(evaluation_controller_, tabs_);
    evaluation_->set_evaluate_action(actions_->evaluate_folder());
    tabs_->addTab(evaluation_, tr("&Evaluate"));
    tradeoffs_ = new TradeoffPage(tabs_);
    tradeoffs_->setObjectName(QStringLiteral("tradeoffsView"));
    tabs_->addTab(tradeoffs_, tr("&Trade-offs"));
    sweeps_ = new SweepController(controller_, this);
    tradeoffs_->set_sweep_controller(sweeps_);
}

void MainWindow::build_dock() {
    tuning_ = new TuningPanel;
    tuning_->add_section(new PrecisionPanel(*controller_, *settings_, *actions_));
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
}

void MainWindow::build_status_bar() {
    const int em = fontMetrics().height();
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

void MainWindow::connect_actions() {
    const ActionManager* a = actions_;
    connect(a->open_images(), &QAction::triggered, this, [this] {
        const QStringList files = ask_for_files(
            tr("Open Images"), tr("Images (%1);;All files (*)").arg(image_name_filters().join(' ')), true);
        if (!files.isEmpty()) classify_->open_paths(files);
    });
    connect(a->open_folder(), &QAction::triggered, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Folder of Images"), settings_->last_dir());
        if (dir.isEmpty()) return;
        settings_->set_last_dir(dir);
        classify_->open_paths({dir});
    });
    connect(a->open_video(), &QAction::triggered, this, [this] {
        const QStringList files = ask_for_files(
            tr("Open Video"), tr("Videos (*.%1);;All files (*)").arg(video_suffixes().join(QStringLiteral(" *."))), false);
        if (!files.isEmpty()) controller_->open_video_file(files.first());
    });
    connect(a->evaluate_folder(), &QAction::triggered, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Evaluate Folder of Labelled Images"), settings_->last_dir());
        if (dir.isEmpty()) return;
        settings_->set_last_dir(dir);
        evaluation_->evaluate_folder(dir);
    });
    connect(evaluation_, &EvaluationPage::showRequested, this, [this] { tabs_->setCurrentWidget(evaluation_); });
    connect(evaluation_, &EvaluationPage::imageOpenRequested, this,
            [this](const QString& path, int truth1000, const QString& source) {
        classify_->set_activation_shown(true);
        classify_->open_labelled_image(path, truth1000, source);
        tabs_->setCurrentWidget(classify_);
    });
    connect(evaluation_, &EvaluationPage::openImagesRequested, this, [this](const QString& dir) { classify_->open_paths({dir}); });
    connect(a->paste(), &QAction::triggered, classify_, &ClassifyPage::paste_from_clipboard);
    connect(a->models_dir(), &QAction::triggered, this, &MainWindow::choose_models_dir);
    connect(a->download_models(), &QAction::triggered, this, [this] { show_download_dialog(this, [this] { discover_models(); }); });
    connect(a->quit(), &QAction::triggered, this, &QWidget::close);
    connect(a, &ActionManager::cameraRequested, controller_, &InferenceController::open_camera);
    connect(a, &ActionManager::modelPinRequested, controller_, &InferenceController::pin_model);
    connect(a->pause(), &QAction::toggled, controller_, &InferenceController::set_paused);
    connect(a->snapshot(), &QAction::triggered, classify_, &ClassifyPage::take_snapshot);
    connect(a->stop(), &QAction::triggered, controller_, &InferenceController::stop_source);
    connect(a->max_fps(), &QAction::toggled, controller_, &InferenceController::set_video_as_fast_as_classified);
    classify_->set_activation_action(a->show_activation());  // one switch: View menu, Ctrl+M, the page's box
    classify_->set_missing_models_actions({a->models_dir()});  // the banner above offers the download
    connect(a->next_image(), &QAction::triggered, this, [this] { classify_->step_gallery(+1); });
    connect(a->previous_image(), &QAction::triggered, this, [this] { classify_->step_gallery(-1); });
    connect(a->about(), &QAction::triggered, this, &MainWindow::show_about);
    connect(a->lesson(), &QAction::triggered, this, [this] { show_lesson(this, false); });
    connect(layers_, &LayersPage::lessonRequested, this, [this] { show_lesson(this, true); });
    connect(a->measure_latency(), &QAction::triggered, this,
            [this] { tabs_->setCurrentWidget(classify_); classify_->measure_latency_again(); });
    connect(a->run_sweep(), &QAction::triggered, this, [this] {
        tabs_->setCurrentWidget(tradeoffs_);
        tradeoffs_->open_sweep_dialog();
    });
}

void MainWindow::connect_controller() {
    InferenceController* c = controller_;
    auto show_status = [this](const QString& m, int timeout_ms) { statusBar()->showMessage(m, timeout_ms); };
    connect(c, &InferenceController::statusMessage, this, show_status);
    connect(classify_, &ClassifyPage::statusMessage, this, show_status);
    connect(evaluation_, &EvaluationPage::statusMessage, this, show_status);
    connect(classify_, &ClassifyPage::titleChanged, this, &QWidget::setWindowTitle);
    connect(tradeoffs_, &TradeoffPage::statusMessage, this, show_status);
    connect(tradeoffs_, &TradeoffPage::tuningRequested, this, [this](double alpha, int resolution) {
        tuning_->set_alpha(alpha);  // configurationChanged() -> tuning_changed()
        tuning_->set_resolution(resolution);
    });
    // Each finished evaluation is a measured point on the trade-off charts.
    connect(evaluation_controller_, &EvaluationController::evaluationFinished, tradeoffs_,
            &TradeoffPage::add_measured_accuracy);

    connect(tuning_, &TuningPanel::configurationChanged, this, &MainWindow::tuning_changed);
    connect(c, &InferenceController::configurationPending, this, [this](double alpha, int resolution, int threads) {
        tuning_->set_latency_pending();
        tradeoffs_->set_current_tuning(alpha, resolution);
        status_model_->setText(tr("α %1 · %2 px · %3").arg(format_alpha(alpha)).arg(resolution).arg(threads > 0 ? format_threads(threads) : tr("auto threads")));
    });
    connect(c, &InferenceController::modelConfigured, this, [this](const ModelStatus& s) {
        if (s.ok) tuning_->set_num_classes(s.numClasses);  // both cost views count the same classes
        if (s.ok) {
            tuning_->set_measured_latency(s.latencyMs, s.latencyPasses, s.threads, s.buildMs, s.wasCached);
        } else {
            tuning_->set_latency_unavailable();  // not "… measuring" for good
        }
        tuning_->set_model_in_use(s.ok && s.pretrained, s.nativeResolution, s.request.resolution);
        layers_->show_configuration(s);
        evaluation_->set_live_network(s);
    });
    // "Measure again" is the better median: the Tune panel's figure follows it.
    connect(c, &InferenceController::latencyMeasured, this, [this](const LatencyMeasurement& m) {
        tuning_->set_remeasured_latency(m.medianMs, m.passes, m.threadsUsed);
    });
    connect(c, &InferenceController::catalogChanged, this, [this](const ModelCatalog& catalog) {
        tuning_->set_available_models(catalog.models, catalog.searchDirs);
        actions_->rebuild_model_menu(catalog, controller_->pinned_model());
        classify_->random_weights_banner()->set_action(catalog.models.empty() ? actions_->download_models() : nullptr);
    });
    connect(c, &InferenceController::pinnedModelChanged, this, [this](const QString& path) {
        settings_->set_pinned_model(path);
        actions_->sync_model_menu(path);
        tuning_->set_pinned_model(path);
    });
    connect(c, &InferenceController::alphaPinned, this, [this](double alpha) {
        QSignalBlocker b(tuning_);  // the controller applies it
        tuning_->set_alpha(alpha);
        controller_->set_tuning(tuning_of(*tuning_));
    });

    connect(c, &InferenceController::configurationRequested, this, &MainWindow::request_profile_if_shown);
    connect(tabs_, &QTabWidget::currentChanged, this, &MainWindow::request_profile_if_shown);
    connect(layers_, &LayersPage::profileRequested, c, &InferenceController::request_layer_profile);
    connect(c, &InferenceController::layersProfiled, layers_, &LayersPage::set_timing);

    connect(c, &InferenceController::sourceStateChanged, this, [this](bool running, bool paused) {
        actions_->set_source_state(running, paused);
        if (!running) status_fps_->clear();
    });
    connect(c, &InferenceController::liveStatsChanged, this, [this] {
        status_fps_->setText(tr("%1 FPS").arg(controller_->classification_fps(), 0, 'f', 1));
    });
}

void MainWindow::tuning_changed() { controller_->tune(tuning_of(*tuning_)); }

void MainWindow::request_profile_if_shown() {
    if (tabs_->currentWidget() == layers_) controller_->request_layer_profile();
}

// ---------------------------------------------------------------------------------------
// Settings and models

void MainWindow::restore_settings() {
    const SettingsManager& s = *settings_;
    {
        QSignalBlocker block(tuning_);  // the first configuration is applied once models are known
        tuning_->set_alpha(options_.alpha.value_or(s.alpha()));
        tuning_->set_resolution(options_.resolution.value_or(s.resolution()));
        tuning_->set_threads(options_.threads.value_or(s.threads()));
        tuning_->set_crop_mode(s.crop_mode());
    }
    controller_->set_tuning(tuning_of(*tuning_));
    tradeoffs_->set_current_tuning(tuning_->alpha(), tuning_->resolution());
    controller_->restore_pinned_model(s.pinned_model(), options_.alpha);  // checked once models are discovered
    actions_->show_activation()->setChecked(s.show_activation());
    classify_->set_activation_opacity(s.activation_opacity());
    actions_->max_fps()->setChecked(options_.video_as_fast_as_possible || s.video_as_fast_as_classified());
    if (const QByteArray g = s.window_geometry(); !g.isEmpty()) restoreGeometry(g);
    if (const QByteArray st = s.window_state(); !st.isEmpty()) restoreState(st);
    classify_->restore_splitter_state(s.splitter_state());
    tradeoffs_->restore_state(s.tradeoff_state());
}

void MainWindow::save_settings() {
    SettingsManager& s = *settings_;
    s.set_alpha(tuning_->alpha());
    s.set_resolution(tuning_->resolution());
    s.set_threads(tuning_->threads());
    s.set_crop_mode(tuning_->crop_mode());
    s.set_show_activation(actions_->show_activation()->isChecked());
    s.set_activation_opacity(classify_->activation_opacity());
    s.set_pinned_model(controller_->pinned_model());
    s.set_video_as_fast_as_classified(actions_->max_fps()->isChecked());
    s.set_window_geometry(saveGeometry());
    s.set_window_state(saveState());
    s.set_splitter_state(classify_->splitter_state());
    s.set_tradeoff_state(tradeoffs_->saved_state());
    s.save();
}

void MainWindow::discover_models() {
    controller_->discover_models(model_search_dirs(options_.models_dir, settings_->models_dir()),
                                 {options_.models_dir, settings_->models_dir()});
}

void MainWindow::choose_models_dir() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder with MobileNet Models"), settings_->models_dir());
    if (dir.isEmpty()) return;
    settings_->set_models_dir(dir);
    discover_models();  // then reconfigures with what it found
}

QStringList MainWindow::ask_for_files(const QString& title, const QString& filter, bool several) {
    QStringList files = several ? QFileDialog::getOpenFileNames(this, title, settings_->last_dir(), filter)
                                : QStringList{QFileDialog::getOpenFileName(this, title, settings_->last_dir(), filter)};
    files.removeAll(QString());
    if (!files.isEmpty()) settings_->set_last_dir(QFileInfo(files.first()).absolutePath());
    return files;
}

// ---------------------------------------------------------------------------------------
// About, drag and drop, closing

void MainWindow::show_about() {
    const std::optional<ModelCatalog>& catalog = controller_->model_catalog();
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
                                    .arg(studio_version(), QString::fromLatin1(qVersion()),
                                         catalog ? catalog->onednnVersion : tr("(starting)"),
                                         catalog ? catalog->cpuIsa : tr("(starting)"), QStringLiteral(CV_VERSION))
                                    .arg(QThread::idealThreadCount()),
                                QMessageBox::Ok, this);
    box->setIconPixmap(windowIcon().pixmap(fontMetrics().height() * 4));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (DropHighlight::accepts(event->mimeData())) event->acceptProposedAction();
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event) {
    if (DropHighlight::accepts(event->mimeData())) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    if (const QString labelled = EvaluationPage::labelled_folder_in(event->mimeData()); !labelled.isEmpty()) {
        evaluation_->offer_evaluation(labelled);
    } else {
        classify_->handle_mime_data(event->mimeData());
    }
    event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    save_settings();
    controller_->stop_source();
    QMainWindow::closeEvent(event);
}

}  // namespace studio
