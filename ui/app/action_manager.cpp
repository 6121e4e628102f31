#include "action_manager.hpp"

#include <QAction>
#include <QActionGroup>
#include <QFileInfo>
#include <QDockWidget>
#include <QInputDialog>
#include <QMainWindow>
#include <QMenuBar>
#include <QTabWidget>
#include <QToolBar>
#include <QMenu>
#include <QStyle>
#include <QWidget>

#include <cmath>

#include "common/display_format.hpp"
#include "worker/camera_devices.hpp"

namespace studio {

ActionManager::ActionManager(QWidget* window) : QObject(window), window_(window) {
    create_actions();

    camera_menu_ = new QMenu(tr("&Camera"), window_);
    connect(camera_menu_, &QMenu::aboutToShow, this, &ActionManager::rebuild_camera_menu);
    rebuild_camera_menu();
    start_camera_->setMenu(camera_menu_);

    model_menu_ = new QMenu(tr("&Model"), window_);
    model_menu_->setToolTipsVisible(true);
    model_group_ = new QActionGroup(this);
    model_group_->setExclusive(true);
    rebuild_model_menu(std::nullopt, {});
}

void ActionManager::create_actions() {
    QStyle* st = window_->style();
    open_images_ = new QAction(st->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open Images…"), this);
    open_images_->setShortcut(QKeySequence::Open);
    open_images_->setToolTip(tr("Open one or more images (Ctrl+O); you can also drop files or a folder on the window"));

    open_folder_ = new QAction(st->standardIcon(QStyle::SP_DirOpenIcon), tr("Open &Folder…"), this);
    open_folder_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));

    open_video_ = new QAction(st->standardIcon(QStyle::SP_MediaPlay), tr("Open &Video…"), this);
    open_video_->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O));
    open_video_->setToolTip(tr("Classify a video file live, exactly like a camera (Ctrl+Alt+O)"));

    paste_ = new QAction(tr("&Paste Image"), this);
    paste_->setShortcut(QKeySequence::Paste);
    paste_->setToolTip(tr("Classify the image on the clipboard (Ctrl+V)"));

    models_dir_ = new QAction(tr("&Models Folder…"), this);
    models_dir_->setToolTip(tr("Choose a folder with MobileNet v1 models (.tflite, .h5, TF.js)"));

    download_models_ = new QAction(tr("&Download the Official Models…"), this);
    download_models_->setToolTip(tr("Download the pretrained MobileNet v1 models of the TF-slim release (checked "
                                    "against pinned SHA-256 sums) into your data folder"));

    evaluate_folder_ = new QAction(tr("&Evaluate Folder…"), this);
    evaluate_folder_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    evaluate_folder_->setToolTip(tr("Measure top-1 / top-5 accuracy of the current model on a folder of labelled "
                                    "images (Ctrl+E)"));

    quit_ = new QAction(tr("&Quit"), this);
    quit_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit_->setMenuRole(QAction::QuitRole);

    start_camera_ = new QAction(tr("&Camera"), this);
    start_camera_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    start_camera_->setToolTip(tr("Classify the first camera live (Ctrl+Shift+C); the arrow picks another"));
    connect(start_camera_, &QAction::triggered, this, [this] {
        const QList<CameraDevice> cams = list_cameras();
        emit cameraRequested(cams.isEmpty() ? 0 : cams.first().index);
    });

    pause_ = new QAction(st->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this);
    pause_->setCheckable(true);
    pause_->setShortcut(QKeySequence(Qt::Key_Space));
    pause_->setToolTip(tr("Pause / resume the live source (Space)"));

    snapshot_ = new QAction(tr("&Snapshot to Gallery"), this);
    snapshot_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    snapshot_->setToolTip(tr("Add the frame on screen to the gallery (Ctrl+Shift+S)"));

    stop_ = new QAction(st->standardIcon(QStyle::SP_MediaStop), tr("S&top Source"), this);
    stop_->setShortcut(QKeySequence(Qt::Key_Escape));
    stop_->setToolTip(tr("Stop the camera or video (Esc)"));
    set_source_state(false, false);

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
    prev_image_ = new QAction(tr("P&revious Image"), this);
    prev_image_->setShortcut(QKeySequence(Qt::Key_PageUp));

    run_sweep_ = new QAction(tr("Run &Sweep…"), this);
    run_sweep_->setToolTip(tr("Time an α × resolution grid on this machine and chart it on the Trade-offs tab"));

    measure_latency_ = new QAction(tr("Measure &Latency Again"), this);
    measure_latency_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    measure_latency_->setToolTip(tr("Time the current network again on the Classify page: median and p10–p90 (Ctrl+L)"));
    precision_group_ = new QActionGroup(this);
    precision_group_->setExclusive(true);
    const struct {
        mnv1::PrecisionChoice choice;
        QString text, tip;
    } precisions[] = {
        {mnv1::PrecisionChoice::F32, tr("&fp32"), tr("32-bit float: any weights")},
        {mnv1::PrecisionChoice::Int8, tr("&int8"),
         tr("8-bit integer: a uint8 release runs its own quantization; a float model needs Calibrate int8… first")},
        {mnv1::PrecisionChoice::Auto, tr("&auto"), tr("The faster of fp32 and int8, measured for this configuration")},
    };
    for (const auto& p : precisions) {
        QAction* a = precision_group_->addAction(p.text);
        a->setCheckable(true);
        a->setData(static_cast<int>(p.choice));
        a->setToolTip(p.tip);
    }
    precision_group_->actions().first()->setChecked(true);
    calibrate_int8_ = new QAction(tr("&Calibrate int8…"), this);
    calibrate_int8_->setToolTip(tr("Quantize the current float model to int8, with activation ranges measured on a "
                                   "folder of images you pick"));

    lesson_ = new QAction(tr("&Depthwise Separable Convolutions — Lesson"), this);
    lesson_->setShortcut(QKeySequence::HelpContents);
    lesson_->setToolTip(tr("A short guided lesson with the numbers of the layer selected on the Layers page (F1)"));

    about_ = new QAction(tr("&About MobileNet Studio"), this);
    about_->setMenuRole(QAction::AboutRole);
}

QList<QAction*> ActionManager::precision_actions() const { return precision_group_->actions(); }

QAction* ActionManager::precision_action(mnv1::PrecisionChoice choice) const {
    for (QAction* a : precision_group_->actions()) {
        if (a->data().toInt() == static_cast<int>(choice)) return a;
    }
    return nullptr;
}

void ActionManager::set_source_state(bool running, bool paused) {
    if (pause_->isChecked() != paused) {
        QSignalBlocker b(pause_);  // reflects the state; toggled() is only for the user's request
        pause_->setChecked(paused);
    }
    pause_->setEnabled(running);
    snapshot_->setEnabled(running);
    stop_->setEnabled(running);
}

void ActionManager::rebuild_camera_menu() {
    camera_menu_->clear();
    const QList<CameraDevice> cams = list_cameras();
    if (cams.isEmpty()) {
        camera_menu_->addAction(tr("No camera found"))->setEnabled(false);
    }
    for (const CameraDevice& c : cams) {
        QAction* a = camera_menu_->addAction(QStringLiteral("%1 (%2)").arg(c.description, c.path));
        const int index = c.index;
        connect(a, &QAction::triggered, this, [this, index] { emit cameraRequested(index); });
    }
    camera_menu_->addSeparator();
    QAction* by_number = camera_menu_->addAction(tr("Camera by &Number…"));
    connect(by_number, &QAction::triggered, this, [this] {
        bool ok = false;
        const int n = QInputDialog::getInt(window_, tr("Open Camera"), tr("Open /dev/video"), 0, 0, 63, 1, &ok);
        if (ok) emit cameraRequested(n);
    });
}

void ActionManager::rebuild_model_menu(const std::optional<ModelCatalog>& catalog, const QString& pinned) {
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
    connect(model_auto_, &QAction::triggered, this, [this] { emit modelPinRequested({}); });

    if (!catalog) {
        model_menu_->addAction(tr("Looking for models…"))->setEnabled(false);
    } else if (catalog->models.empty()) {
        model_menu_->addSection(tr("No models found"));
    }
    if (catalog) {
        // The catalog is sorted by α, so each α is one run of entries.
        double section_alpha = -1;
        for (const mnv1::ModelEntry& m : catalog->models) {
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
            connect(a, &QAction::triggered, this, [this, path] { emit modelPinRequested(path); });
        }
    }
    model_menu_->addSeparator();
    model_menu_->addAction(models_dir_);
    model_menu_->addAction(download_models_);
    sync_model_menu(pinned);
}

void ActionManager::sync_model_menu(const QString& pinned) {
    for (QAction* a : model_group_->actions()) {
        if (a != model_auto_ && !pinned.isEmpty() && a->data().toString() == pinned) {
            a->setChecked(true);
            return;
        }
    }
    model_auto_->setChecked(true);
}

void ActionManager::fill_menus(QMainWindow& window, QTabWidget& tabs) const {
    const ActionManager& a = *this;
    QMenuBar* bar = window.menuBar();
    QMenu* file = bar->addMenu(tr("&File"));
    file->addActions({a.open_images(), a.open_folder(), a.open_video()});
    file->addSeparator();
    file->addAction(a.evaluate_folder());
    file->addSeparator();
    file->addAction(a.paste());
    file->addSeparator();
    file->addAction(a.models_dir());
    file->addAction(a.download_models());
    file->addSeparator();
    file->addAction(a.quit());

    bar->addMenu(a.model_menu());

    QMenu* source = bar->addMenu(tr("&Source"));
    source->addMenu(a.camera_menu());
    source->addAction(a.open_video());
    source->addSeparator();
    source->addActions({a.pause(), a.snapshot(), a.stop()});
    source->addSeparator();
    source->addAction(a.max_fps());

    QMenu* view = bar->addMenu(tr("&View"));
    view->addAction(a.show_activation());
    view->addSeparator();
    view->addActions({a.next_image(), a.previous_image()});
    view->addSeparator();
    for (int i = 0; i < tabs.count(); ++i) {
        QAction* page = view->addAction(tabs.tabText(i).remove('&'));
        page->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(page, &QAction::triggered, &tabs, [&tabs, i] { tabs.setCurrentIndex(i); });
    }
    view->addSeparator();
    for (QDockWidget* dock : window.findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

    QMenu* tools = bar->addMenu(tr("&Tools"));
    tools->addAction(a.run_sweep());
    tools->addAction(a.measure_latency());
    tools->addSeparator();
    tools->addMenu(tr("&Precision"))->addActions(a.precision_actions());
    tools->addAction(a.calibrate_int8());

    QMenu* help = bar->addMenu(tr("&Help"));
    help->addAction(a.lesson());
    help->addSeparator();
    help->addAction(a.about());

    QToolBar* tb = window.addToolBar(tr("Main"));
    tb->setObjectName(QStringLiteral("mainToolBar"));
    tb->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tb->addActions({a.open_images(), a.paste()});
    tb->addSeparator();
    tb->addActions({a.start_camera(), a.open_video(), a.pause(), a.snapshot(), a.stop()});
    // The activation map's switch is not here: the Classify page shows it beside the map's
    // legend and opacity (the same action as View → Show Activation Map).
}

}  // namespace studio
