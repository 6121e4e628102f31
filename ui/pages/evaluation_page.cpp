#include "evaluation_page.hpp"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

#include "common/display_format.hpp"
#include "controller/evaluation_controller.hpp"
#include "mobilenet/evaluate.hpp"
#include "models/evaluation_model.hpp"
#include "widgets/notice_bar.hpp"

namespace studio {

namespace {

// Most-confused pairs listed beside the table.
constexpr std::size_t kConfusedPairsShown = 15;
// Info notices go away by themselves; errors stay until closed.
constexpr int kInfoNoticeMs = 8000;
constexpr int kStatusMs = 6000;

QString crop_text(mnv1::CropMode mode) {
    return mode == mnv1::CropMode::Central ? QObject::tr("central 87.5 % crop") : QObject::tr("whole image");
}

QString percent(double value) { return QStringLiteral("%1 %").arg(value, 0, 'f', 1); }

}  // namespace

EvaluationPage::EvaluationPage(EvaluationController* controller, QWidget* parent)
    : QWidget(parent), controller_(controller), model_(new EvaluationModel(this)), sorted_(new QSortFilterProxyModel(this)) {
    sorted_->setSourceModel(model_);
    sorted_->setSortRole(EvaluationModel::ValueRole);
    sorted_->setSortCaseSensitivity(Qt::CaseInsensitive);
    build_ui();
    connect_controller();
}

void EvaluationPage::build_ui() {
    const int em = fontMetrics().height();
    auto* lay = new QVBoxLayout(this);
    notice_ = new NoticeBar(this);
    notice_->setObjectName(QStringLiteral("evaluationNotice"));
    lay->addWidget(notice_);

    auto* folder_row = new QHBoxLayout;
    folder_label_ = new QLabel(this);
    folder_label_->setObjectName(QStringLiteral("evaluationFolder"));
    QFont big = folder_label_->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.15);
    folder_label_->setFont(big);
    folder_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    folder_label_->setText(tr("No folder evaluated yet"));
    evaluate_button_ = new QToolButton(this);
    evaluate_button_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    folder_row->addWidget(folder_label_, 1);
    folder_row->addWidget(evaluate_button_);
    lay->addLayout(folder_row);

    model_label_ = new QLabel(this);
    model_label_->setObjectName(QStringLiteral("evaluationModel"));
    model_label_->setWordWrap(true);
    truth_label_ = new QLabel(this);
    truth_label_->setObjectName(QStringLiteral("evaluationTruth"));
    truth_label_->setWordWrap(true);
    truth_label_->setText(tr("Measures the top-1 and top-5 accuracy of the current model on a folder of labelled "
                             "images. The ground truth comes from a CSV (file and class index columns, e.g. "
                             "ground_truth.csv), from ImageNet wnids in the file names (n01440764_tench.JPEG), "
                             "or from subfolders named by class.\n\nFile → Evaluate Folder…, or drop a folder "
                             "holding ground_truth.csv on the window."));
    lay->addWidget(model_label_);
    lay->addWidget(truth_label_);

    auto* progress_row = new QHBoxLayout;
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("evaluationProgress"));
    show_idle_progress();
    rate_label_ = new QLabel(this);
    rate_label_->setMinimumWidth(em * 8);
    rate_label_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName(QStringLiteral("evaluationCancel"));
    cancel_->setToolTip(tr("Stops the evaluation at the next image; the numbers so far stay"));
    progress_row->addWidget(progress_, 1);
    progress_row->addWidget(rate_label_);
    progress_row->addWidget(cancel_);
    lay->addLayout(progress_row);

    accuracy_label_ = new QLabel(this);
    accuracy_label_->setObjectName(QStringLiteral("evaluationAccuracy"));
    QFont acc = accuracy_label_->font();
    acc.setPointSizeF(acc.pointSizeF() * 1.4);
    accuracy_label_->setFont(acc);
    accuracy_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(accuracy_label_);
    cpu_note_ = new QLabel(tr("Live classification keeps working during an evaluation, but the two share the CPU: "
                              "latencies and FPS shown meanwhile are slower than usual."),
                           this);
    cpu_note_->setWordWrap(true);
    cpu_note_->setStyleSheet(QStringLiteral("color: palette(mid);"));
    lay->addWidget(cpu_note_);
    stale_note_ = new QLabel(this);
    stale_note_->setObjectName(QStringLiteral("evaluationStale"));
    stale_note_->setWordWrap(true);
    stale_note_->setStyleSheet(QStringLiteral("QLabel { background: #fff3cd; color: #5c4400; padding: 2px 8px; "
                                              "border-radius: 3px; }"));
    stale_note_->hide();
    lay->addWidget(stale_note_);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    table_ = new QTableView(splitter);
    table_->setObjectName(QStringLiteral("evaluationTable"));
    table_->setModel(sorted_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(EvaluationModel::File, Qt::AscendingOrder);
    table_->verticalHeader()->setVisible(false);
    table_->setAlternatingRowColors(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setWordWrap(false);
    table_->setToolTip(tr("Click a row to open the image on the Classify page with its activation map; "
                          "click a column header to sort"));
    QHeaderView* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(true);
    table_->setColumnWidth(EvaluationModel::File, em * 14);
    table_->setColumnWidth(EvaluationModel::Truth, em * 10);
    table_->setColumnWidth(EvaluationModel::Top1, em * 10);
    table_->setColumnWidth(EvaluationModel::Confidence, em * 5);
    table_->setColumnWidth(EvaluationModel::Top1Correct, em * 4);
    table_->setColumnWidth(EvaluationModel::Top5Correct, em * 4);

    auto* side = new QWidget(splitter);
    auto* side_lay = new QVBoxLayout(side);
    side_lay->setContentsMargins(em / 2, 0, 0, 0);
    auto heading = [side](const QString& text) {
        auto* l = new QLabel(text, side);
        QFont f = l->font();
        f.setBold(true);
        l->setFont(f);
        return l;
    };
    side_lay->addWidget(heading(tr("Most confused (truth → top-1)")));
    confusions_ = new QListWidget(side);
    confusions_->setObjectName(QStringLiteral("evaluationConfusions"));
    confusions_->setWordWrap(true);
    confusions_->setToolTip(tr("Wrong top-1 predictions grouped by true and predicted class; most frequent first, "
                               "then the most confident"));
    side_lay->addWidget(confusions_, 3);
    side_lay->addWidget(heading(tr("Not evaluated")));
    not_evaluated_ = new QListWidget(side);
    not_evaluated_->setObjectName(QStringLiteral("evaluationNotEvaluated"));
    not_evaluated_->setWordWrap(true);
    not_evaluated_->setToolTip(tr("Files without a class in the ground truth, and files that could not be read as images"));
    side_lay->addWidget(not_evaluated_, 1);
    export_ = new QPushButton(tr("&Export CSV…"), side);
    export_->setObjectName(QStringLiteral("evaluationExport"));
    export_->setToolTip(tr("Saves the per-image table (truth, top-5, confidence) as a CSV file"));
    side_lay->addWidget(export_);
    side->setMinimumWidth(em * 16);
    splitter->addWidget(table_);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    lay->addWidget(splitter, 1);

    set_running(false);
    cpu_note_->hide();
    export_->setEnabled(false);
    connect(cancel_, &QPushButton::clicked, controller_, &EvaluationController::cancel);
    connect(export_, &QPushButton::clicked, this, &EvaluationPage::ask_export_path);
    connect(table_, &QTableView::clicked, this, &EvaluationPage::open_row);
}

void EvaluationPage::connect_controller() {
    EvaluationController* c = controller_;
    connect(c, &EvaluationController::waitingForModel, this, [this](const QString& folder) {
        folder_label_->setText(QDir::toNativeSeparators(folder));
        model_label_->setText(tr("Waiting for the network to be ready…"));
        set_running(true);
        progress_->setRange(0, 0);
    });
    connect(c, &EvaluationController::evaluationReplaced, this, [this](const QString& previous) {
        notice_->show_notice(NoticeBar::Kind::Info,
                             tr("The evaluation of %1 was cancelled for this one.").arg(QDir::toNativeSeparators(previous)),
                             kInfoNoticeMs);
    });
    connect(c, &EvaluationController::started, this, &EvaluationPage::on_started);
    connect(c, &EvaluationController::truthFound, this, &EvaluationPage::on_truth_found);
    connect(c, &EvaluationController::progressed, this, &EvaluationPage::on_progressed);
    connect(c, &EvaluationController::finished, this, &EvaluationPage::on_finished);
    connect(c, &EvaluationController::cancelled, this, &EvaluationPage::on_cancelled);
    connect(c, &EvaluationController::failed, this, &EvaluationPage::on_failed);
}

void EvaluationPage::set_evaluate_action(QAction* action) { evaluate_button_->setDefaultAction(action); }

void EvaluationPage::evaluate_folder(const QString& folder) {
    notice_->hide();  // an old problem; what this evaluation meets comes next
    emit showRequested();
    controller_->evaluate_folder(folder);
}

QString EvaluationPage::labelled_folder_in(const QMimeData* mime) {
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1 || !mime->urls().first().isLocalFile()) return {};
    const QString path = mime->urls().first().toLocalFile();
    return QFileInfo(path).isDir() && !EvaluationController::ground_truth_csv_in(path).isEmpty() ? path : QString();
}

void EvaluationPage::offer_evaluation(const QString& folder) {
    // Non-modal, so a drop never blocks the event loop (or a test).
    auto* box = new QMessageBox(QMessageBox::Question, tr("Labelled Folder"),
                                tr("“%1” holds ground_truth.csv. Measure the current model's accuracy on it, or open its "
                                   "images in the gallery?")
                                    .arg(QFileInfo(folder).fileName()),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("evaluationOffer"));
    if (controller_->running()) box->setInformativeText(tr("The evaluation running now would be cancelled."));
    QPushButton* evaluate = box->addButton(tr("&Evaluate"), QMessageBox::AcceptRole);
    QPushButton* open = box->addButton(tr("&Open Images"), QMessageBox::ActionRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(evaluate);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    connect(box, &QMessageBox::buttonClicked, this, [this, folder, evaluate, open](QAbstractButton* clicked) {
        if (clicked == evaluate) evaluate_folder(folder);
        else if (clicked == open) emit openImagesRequested(folder);
    });
    box->show();
}

// ---------------------------------------------------------------------------------------
// A run, as the controller reports it

void EvaluationPage::show_idle_progress() {
    // Not "0 / 1 images": no folder is being evaluated, and none was counted.
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setFormat(tr("No evaluation running"));
}

void EvaluationPage::set_running(bool running) {
    if (running) progress_->setFormat(tr("%v / %m images"));
    cancel_->setEnabled(running);
    cpu_note_->setVisible(running);
    if (running) export_->setEnabled(false);
}

namespace {

// What an evaluation's numbers belong to, in words: the same for the live network when
// its accuracy would be the same (threads change only the speed).
QString network_words(const QString& weights_path, double alpha, int resolution, mnv1::CropMode crop,
                      const QString& precision) {
    return EvaluationPage::tr("%1 · α %2 · %3 px · %4 · %5")
        .arg(QFileInfo(weights_path).fileName(), format_alpha(alpha))
        .arg(resolution)
        .arg(crop_text(crop), precision);
}

}  // namespace

void EvaluationPage::set_live_network(const ModelStatus& status) {
    live_network_ = status.ok ? network_words(status.weightsPath, status.request.alpha, status.request.resolution,
                                              status.request.crop, status.precisionDetail)
                              : QString();
    update_stale_note();
}

void EvaluationPage::update_stale_note() {
    const bool stale = !evaluated_network_.isEmpty() && !live_network_.isEmpty() && evaluated_network_ != live_network_;
    stale_note_->setVisible(stale);
    if (stale) {
        stale_note_->setText(tr("These results are for %1. The network is now %2: evaluate the folder again for its "
                                "accuracy.")
                                 .arg(evaluated_network_, live_network_));
    }
}

QString EvaluationPage::stale_text() const { return stale_note_->isVisible() ? stale_note_->text() : QString(); }

void EvaluationPage::on_started(const EvaluationRequest& request) {
    folder_ = request.folder;
    const QString precision = request.precisionDetail.isEmpty()
                                  ? precision_text(QString::fromLatin1(mnv1::to_string(request.precision)))
                                  : request.precisionDetail;
    evaluated_network_ = network_words(request.weightsPath, request.alpha, request.resolution, request.crop, precision);
    update_stale_note();
    model_->reset({});
    confusions_->clear();
    not_evaluated_->clear();
    accuracy_label_->clear();
    precision_change_.reset();
    rate_label_->clear();
    folder_label_->setText(QDir::toNativeSeparators(request.folder));
    model_label_->setText(tr("Model: %1").arg(evaluated_network_));
    int8_detail_ = request.precision == mnv1::Precision::Int8 ? request.precisionDetail : QString();
    truth_label_->setText(tr("Looking for the ground truth…"));
    progress_->setRange(0, 0);  // busy until the images are counted
    set_running(true);
    emit statusMessage(tr("Evaluating %1…").arg(QFileInfo(request.folder).fileName()), 0);
}

void EvaluationPage::on_truth_found(const EvaluationTruth& truth) {
    model_->reset(truth.labels);
    truth_source_ = truth.sourceDetail;
    QString text = tr("Ground truth: %1 — %2 of %3 images matched").arg(truth.sourceDetail).arg(truth.matched).arg(truth.imageFiles);
    if (!truth.unmatched.isEmpty()) text += tr(", %1 unmatched (not evaluated)").arg(truth.unmatched.size());
    if (truth.listedMissing == 1) text += tr("; 1 file it lists is not an image here (skipped)");
    if (truth.listedMissing > 1) text += tr("; %1 files it lists are not images here (skipped)").arg(truth.listedMissing);
    truth_label_->setText(text);
    QStringList lines;
    for (const QString& f : truth.unmatched) lines << tr("%1: no class in the ground truth").arg(f);
    add_not_evaluated(lines);
    progress_->setRange(0, std::max(truth.matched + truth.listedMissing, 1));  // every listed file is processed
    progress_->setValue(0);
    rate_label_->setText(tr("building network…"));
}

void EvaluationPage::on_progressed(const EvaluationProgress& p) {
    progress_->setRange(0, std::max(p.total, 1));
    progress_->setValue(p.done);
    if (p.baseline) {  // the int8 run's numbers stay; this only says how far the fp32 one is
        rate_label_->setText(tr("fp32 baseline for the accuracy change: %1 of %2 images").arg(p.done).arg(p.total));
        return;
    }
    rate_label_->setText(tr("%1 images/s").arg(p.imagesPerSecond, 0, 'f', 1));
    model_->append(p.newOutcomes);
    show_accuracy(p.top1, p.top5, p.classified, tr("so far"));
    update_confusions();
}

void EvaluationPage::on_finished(const EvaluationReport& report) {
    const mnv1::EvalResult& r = report.result;
    set_running(false);
    // Progress sent all but the last partial batch: add what the table does not have yet.
    const std::size_t shown = std::min(model_->outcomes().size(), r.outcomes.size());
    model_->append(std::vector<mnv1::ImageOutcome>(r.outcomes.begin() + static_cast<std::ptrdiff_t>(shown), r.outcomes.end()));
    progress_->setValue(progress_->maximum());
    rate_label_->setText(tr("%1 images/s").arg(r.images_per_s(), 0, 'f', 1));
    show_accuracy(r.top1(), r.top5(), r.images, tr("in %1 s").arg(r.seconds, 0, 'f', 1));
    if (report.fp32Baseline) show_precision_change(r, *report.fp32Baseline);
    update_confusions();
    QStringList skipped;
    for (const std::string& s : r.skipped) skipped << QString::fromStdString(s);
    add_not_evaluated(skipped);
    if (!skipped.isEmpty()) {
        notice_->show_notice(NoticeBar::Kind::Warning,
                             skipped.size() == 1
                                 ? tr("1 file could not be read as an image and was skipped (listed under Not evaluated).")
                                 : tr("%1 files could not be read as images and were skipped (listed under Not evaluated).")
                                       .arg(skipped.size()));
    }
    export_->setEnabled(r.images > 0);
    emit statusMessage(tr("Evaluated %1: top-1 %2, top-5 %3 on %4 images")
                           .arg(QFileInfo(folder_).fileName(), percent(r.top1()), percent(r.top5()))
                           .arg(r.images),
                       kStatusMs);
}

void EvaluationPage::on_cancelled(int done, int total) {
    set_running(false);
    progress_->setRange(0, std::max(total, 1));
    progress_->setValue(done);
    rate_label_->setText(tr("cancelled"));
    export_->setEnabled(model_->rowCount() > 0);
    const QString text = total > 0 ? tr("Evaluation cancelled after %1 of %2 images; the numbers above are for those only.")
                                         .arg(done)
                                         .arg(total)
                                   : tr("Evaluation cancelled.");
    notice_->show_notice(NoticeBar::Kind::Info, text, kInfoNoticeMs);
    emit statusMessage(text, kStatusMs);
}

void EvaluationPage::on_failed(const QString& message) {
    set_running(false);
    show_idle_progress();
    truth_label_->setText(tr("No results: the folder could not be evaluated (see above)."));
    evaluated_network_.clear();
    update_stale_note();
    rate_label_->clear();
    notice_->show_notice(NoticeBar::Kind::Error, tr("Could not evaluate: %1").arg(message));
    emit statusMessage(tr("Evaluation failed"), kStatusMs);
}

void EvaluationPage::show_accuracy(double top1, double top5, int images, const QString& tail) {
    // The top-1's 95 % interval says how far a small folder's figure can be trusted.
    const mnv1::ProportionInterval interval = mnv1::wilson_interval_95(top1 / 100.0, images);
    accuracy_label_->setText(tr("Top-1 <b>%1</b> &nbsp;·&nbsp; Top-5 <b>%2</b> &nbsp;<small>on %3 images %4 "
                                "&nbsp;·&nbsp; top-1 95 % interval %5–%6</small>")
                                 .arg(percent(top1), percent(top5))
                                 .arg(images)
                                 .arg(tail.toHtmlEscaped(), QString::number(100 * interval.lower, 'f', 1), percent(100 * interval.upper)));
}

void EvaluationPage::show_precision_change(const mnv1::EvalResult& int8, const mnv1::EvalResult& fp32) {
    // Same images both times; agreement is counted on the files both classified.
    std::map<std::string, int> fp32_top1;
    for (const mnv1::ImageOutcome& o : fp32.outcomes) {
        if (!o.top.empty()) fp32_top1[o.file] = o.top.front().index;
    }
    int compared = 0, agree = 0;
    for (const mnv1::ImageOutcome& o : int8.outcomes) {
        const auto it = fp32_top1.find(o.file);
        if (it == fp32_top1.end() || o.top.empty()) continue;
        ++compared;
        agree += o.top.front().index == it->second;
    }
    precision_change_ = {int8.top1() - fp32.top1(), int8.top5() - fp32.top5(),
                         compared ? 100.0 * agree / compared : 0.0};
    const auto delta = [](double d) {
        return QStringLiteral("%1%2 pt").arg(d > 0 ? QStringLiteral("+") : d < 0 ? QStringLiteral("−") : QString())
            .arg(std::fabs(d), 0, 'f', 1);
    };
    accuracy_label_->setText(
        tr("<table cellspacing='0' cellpadding='2'>"
           "<tr><th></th><th align='right'>&nbsp;Top-1</th><th align='right'>&nbsp;Top-5</th></tr>"
           "<tr><td>%1</td><td align='right'><b>%2</b></td><td align='right'><b>%3</b></td></tr>"
           "<tr><td>fp32</td><td align='right'>%4</td><td align='right'>%5</td></tr>"
           "<tr><td>Δ int8 − fp32&nbsp;</td><td align='right'><b>%6</b></td><td align='right'><b>%7</b></td></tr>"
           "</table><small>on the same %8 images; int8 and fp32 agree on the top-1 of %9 of them</small>")
            .arg((int8_detail_.isEmpty() ? tr("int8") : int8_detail_).toHtmlEscaped(), percent(int8.top1()),
                 percent(int8.top5()), percent(fp32.top1()), percent(fp32.top5()), delta(precision_change_->top1),
                 delta(precision_change_->top5))
            .arg(int8.images)
            .arg(format_percent(precision_change_->agreement / 100.0)));
}

void EvaluationPage::update_confusions() {
    confusions_->clear();
    for (const ConfusedPair& pair : most_confused_pairs(model_->outcomes(), kConfusedPairsShown)) {
        const QString pair_text = tr("%1 → %2").arg(model_->short_label(pair.truth), model_->short_label(pair.predicted));
        // A non-breaking space: a wrapped line never ends in "(99.7" with the "%" on the next.
        const QString confidence = format_percent(pair.mean_confidence).replace(QLatin1Char(' '), QChar(0x00A0));
        auto* item = new QListWidgetItem(pair.count > 1 ? tr("%1 (%2×, %3)").arg(pair_text).arg(pair.count).arg(confidence)
                                                        : tr("%1 (%2)").arg(pair_text, confidence));
        item->setToolTip(tr("%1 → %2: %n image(s), mean confidence %3", nullptr, pair.count)
                             .arg(model_->label(pair.truth), model_->label(pair.predicted), format_percent(pair.mean_confidence)));
        confusions_->addItem(item);
    }
}

void EvaluationPage::add_not_evaluated(const QStringList& lines) { not_evaluated_->addItems(lines); }

void EvaluationPage::open_row(const QModelIndex& proxy_index) {
    const QString file = sorted_->data(proxy_index, EvaluationModel::FileRole).toString();
    const int truth = sorted_->data(proxy_index, EvaluationModel::Truth1000Role).toInt();
    if (!file.isEmpty()) emit imageOpenRequested(QDir(folder_).filePath(file), truth, truth_source_);
}

// ---------------------------------------------------------------------------------------
// Export

void EvaluationPage::ask_export_path() {
    const QString suggested = QDir(folder_).filePath(QStringLiteral("../%1-evaluation.csv").arg(QFileInfo(folder_).fileName()));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Evaluation"), QDir::cleanPath(suggested),
                                                      tr("CSV files (*.csv);;All files (*)"));
    if (path.isEmpty()) return;
    if (const QString error = export_csv(path); !error.isEmpty()) notice_->show_notice(NoticeBar::Kind::Error, error);
    else emit statusMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), kStatusMs);
}

QString EvaluationPage::export_csv(const QString& path) {
    QSaveFile file(path);  // written beside, renamed over the target on commit: never half a file
    if (!file.open(QIODevice::WriteOnly)) return tr("Could not write %1: %2").arg(path, file.errorString());
    const QByteArray csv = model_->to_csv(evaluated_network_);
    if (file.write(csv) != csv.size() || !file.commit()) return tr("Could not write %1: %2").arg(path, file.errorString());
    return {};
}

}  // namespace studio
