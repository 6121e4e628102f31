// The Evaluate tab end to end, offscreen, on real data: a 20-image subset of the shared
// imagenet-sample (symlinks and a trimmed ground_truth.csv in a temporary folder) with
// the 0.25-128 uint8 model. The app's top-1 / top-5 must equal what mnv1::evaluate gives
// directly; cancel, replacement, bad folders, unmatched and corrupt files, the drop offer.
#include <QtTest>

#include <QAbstractButton>
#include <QDragEnterEvent>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>

#include <fstream>
#include <memory>

#include "controller/evaluation_controller.hpp"
#include "controller/inference_controller.hpp"
#include "main_window.hpp"
#include "mobilenet/evaluate.hpp"
#include "mobilenet/model_io.hpp"
#include "models/evaluation_model.hpp"
#include "pages/classify_page.hpp"
#include "pages/evaluation_page.hpp"
#include "test_support.hpp"
#include "widgets/image_view.hpp"
#include "widgets/notice_bar.hpp"
#include "widgets/tuning_panel.hpp"
#include "worker/evaluation_worker.hpp"

namespace {

constexpr int kTimeoutMs = 120000;
constexpr int kThreads = 2;
const char* const kModel = "models/tflite/mobilenet_v1_0.25_128_quant.tflite";

std::string sample_dir() { return mnv1::test::shared_path("images/imagenet-sample"); }

// The first `rows` rows of the sample's ground_truth.csv.
QStringList csv_rows(int rows) {
    QFile f(QString::fromStdString(sample_dir() + "/ground_truth.csv"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    return lines.mid(0, rows + 1);  // with the header
}

QString file_of(const QString& csv_row) { return csv_row.section(',', 0, 0); }

// Links the images of `rows` (header first) into `dir` and writes `listed` of them, plus
// `extra_rows`, as its ground_truth.csv.
bool make_subset(const QString& dir, const QStringList& rows, int listed, const QStringList& extra_rows = {}) {
    for (int i = 1; i < rows.size(); ++i) {
        const QString name = file_of(rows[i]);
        if (!QFile::link(QString::fromStdString(sample_dir()) + '/' + name, dir + '/' + name)) return false;
    }
    QFile csv(dir + "/ground_truth.csv");
    if (!csv.open(QIODevice::WriteOnly)) return false;
    const QStringList kept = rows.mid(0, listed + 1) + extra_rows;
    return csv.write((kept.join('\n') + '\n').toUtf8()) > 0;
}

}  // namespace

class TestEvaluationPage : public QObject {
    Q_OBJECT

private:
    QTemporaryDir settings_dir_;

    // A window running the 0.25-128 uint8 model (pinned, as in the Model menu) on 2
    // threads at 128 px, configured.
    std::unique_ptr<studio::MainWindow> make_window() {
        studio::StudioOptions opts;
        opts.settings_file = settings_dir_.filePath(QStringLiteral("%1.ini").arg(QTest::currentTestFunction()));
        QFile::remove(opts.settings_file);
        opts.models_dir = QString::fromStdString(mnv1::test::shared_path("models/tflite"));
        opts.alpha = 0.25;
        opts.resolution = 128;
        opts.threads = kThreads;
        auto w = std::make_unique<studio::MainWindow>(opts);
        w->show();
        if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
        studio::InferenceController* c = w->controller();
        if (!QTest::qWaitFor([&] { return c->model_catalog().has_value(); }, kTimeoutMs)) return nullptr;
        for (const mnv1::ModelEntry& m : c->model_catalog()->models) {
            if (QString::fromStdString(m.path).endsWith(QStringLiteral("mobilenet_v1_0.25_128_quant.tflite"))) {
                c->pin_model(QString::fromStdString(m.path));
            }
        }
        const auto ready = [&] {
            return c->model_status() && c->model_status()->ok && c->model_status()->request.generation == c->generation() &&
                   c->model_status()->weightsName == QStringLiteral("mobilenet_v1_0.25_128_quant.tflite");
        };
        if (!QTest::qWaitFor(ready, kTimeoutMs)) return nullptr;
        return w;
    }

    // Evaluates `folder` from the Evaluate tab and waits for the truth found and the report.
    static bool run_evaluation(studio::MainWindow& w, const QString& folder, studio::EvaluationTruth& truth,
                               studio::EvaluationReport& report) {
        QSignalSpy truths(w.evaluation_controller(), &studio::EvaluationController::truthFound);
        QSignalSpy finished(w.evaluation_controller(), &studio::EvaluationController::finished);
        w.evaluation_page()->evaluate_folder(folder);
        if (!QTest::qWaitFor([&] { return finished.count() == 1; }, kTimeoutMs) || truths.count() != 1) return false;
        truth = truths.first().first().value<studio::EvaluationTruth>();
        report = finished.first().first().value<studio::EvaluationReport>();
        return true;
    }

    static bool wait_idle(const studio::MainWindow& w) {
        return QTest::qWaitFor([&] { return !w.evaluation_controller()->running(); }, kTimeoutMs);
    }

private slots:
    void initTestCase() {
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path(kModel));
        MOBILENET_REQUIRE_FILE(sample_dir() + "/ground_truth.csv");
        QVERIFY(settings_dir_.isValid());
    }

    void subsetMatchesCoreEvaluate() {
        QTemporaryDir dir;
        const QStringList rows = csv_rows(20);
        QCOMPARE(rows.size(), 21);
        QVERIFY(make_subset(dir.path(), rows, 20));

        // The reference: mnv1::evaluate directly, same model, batch and crop.
        const auto weights = mnv1::load_model(mnv1::test::shared_path(kModel));
        mnv1::Runtime runtime;
        mnv1::ExecutionContext ctx(runtime.compile(weights, {128, studio::EvaluationWorker::kBatch, kThreads}));
        const mnv1::EvalResult direct =
            mnv1::evaluate(ctx, dir.path().toStdString(),
                           mnv1::read_ground_truth((dir.path() + "/ground_truth.csv").toStdString(), weights->num_classes),
                           mnv1::CropMode::Whole);
        QCOMPARE(direct.images, 20);

        auto w = make_window();
        QVERIFY(w);
        QVERIFY(w->controller()->model_status()->weightsName.contains(QStringLiteral("0.25_128_quant")));
        studio::EvaluationController* c = w->evaluation_controller();
        QSignalSpy finished(c, &studio::EvaluationController::finished);
        QSignalSpy summaries(c, &studio::EvaluationController::evaluationFinished);
        QSignalSpy progress(c, &studio::EvaluationController::progressed);
        studio::EvaluationPage* page = w->evaluation_page();
        page->evaluate_folder(dir.path());
        QCOMPARE(w->findChild<QTabWidget*>()->currentWidget(), page);
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 1; }, kTimeoutMs));

        const auto report = finished.first().first().value<studio::EvaluationReport>();
        QCOMPARE(report.result.images, direct.images);
        QCOMPARE(report.result.top1_correct, direct.top1_correct);
        QCOMPARE(report.result.top5_correct, direct.top5_correct);
        for (std::size_t i = 0; i < direct.outcomes.size(); ++i) {
            QCOMPARE(report.result.outcomes[i].top.front().index, direct.outcomes[i].top.front().index);
        }
        QVERIFY(progress.count() >= 1);

        const auto summary = summaries.first().first().value<studio::EvaluationSummary>();
        QCOMPARE(summary.alpha, 0.25);
        QCOMPARE(summary.resolution, 128);
        QCOMPARE(summary.nativeResolution, 128);
        QCOMPARE(summary.weightsFile, QStringLiteral("mobilenet_v1_0.25_128_quant.tflite"));
        QCOMPARE(summary.images, 20);
        QCOMPARE(summary.top1, direct.top1());
        QCOMPARE(summary.top5, direct.top5());
        QVERIFY(summary.seconds > 0);
        QVERIFY(summary.latencyMedianMs > 0);

        QCOMPARE(page->model()->rowCount(), 20);
        QVERIFY2(page->truth_label()->text().contains(QStringLiteral("ground_truth.csv — 20 of 20 images matched")),
                 qPrintable(page->truth_label()->text()));
        QVERIFY(page->accuracy_label()->text().contains(QStringLiteral("%1 %").arg(direct.top1(), 0, 'f', 1)));
        const mnv1::ProportionInterval interval = direct.top1_interval();
        QVERIFY(interval.lower < direct.top1() / 100 && direct.top1() / 100 < interval.upper);
        QVERIFY(page->accuracy_label()->text().contains(QStringLiteral("top-1 95 % interval %1–%2 %")
                                                            .arg(100 * interval.lower, 0, 'f', 1)
                                                            .arg(100 * interval.upper, 0, 'f', 1)));
        QCOMPARE(page->progress_bar()->value(), page->progress_bar()->maximum());
        QCOMPARE(page->progress_bar()->text(), QStringLiteral("20 / 20 images"));
        QVERIFY(!page->cancel_button()->isEnabled());
        QVERIFY(page->export_button()->isEnabled());
        QCOMPARE(page->confusions_list()->count() > 0, direct.top1_correct < 20);
        QVERIFY2(page->stale_text().isEmpty(), qPrintable(page->stale_text()));  // the live network's results

        // Another resolution: the results stay, and say they are of the network before.
        w->tuning_panel()->set_resolution(160);
        QTRY_VERIFY_WITH_TIMEOUT(page->stale_text().contains(QStringLiteral("These results are for")), kTimeoutMs);
        QVERIFY2(page->stale_text().contains(QStringLiteral("128 px")) && page->stale_text().contains(QStringLiteral("160 px")),
                 qPrintable(page->stale_text()));
        QCOMPARE(page->model()->rowCount(), 20);
        w->tuning_panel()->set_resolution(128);
        QTRY_VERIFY_WITH_TIMEOUT(page->stale_text().isEmpty(), kTimeoutMs);

        // Export: one line per image plus the header, written atomically.
        const QString csv = dir.filePath(QStringLiteral("out.csv"));
        QCOMPARE(page->export_csv(csv), QString());
        QFile exported(csv);
        QVERIFY(exported.open(QIODevice::ReadOnly));
        const QStringList exported_lines = QString::fromUtf8(exported.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(exported_lines.size(), 21);
        // Every row says what was evaluated (model file, α, resolution, crop, precision).
        QVERIFY2(exported_lines.front().endsWith(QStringLiteral(",network")), qPrintable(exported_lines.front()));
        QVERIFY2(exported_lines.at(1).contains(QStringLiteral(" · α ")) && exported_lines.at(1).contains(QStringLiteral(" px · ")),
                 qPrintable(exported_lines.at(1)));
        QVERIFY(!page->export_csv(dir.filePath(QStringLiteral("no/such/dir/out.csv"))).isEmpty());

        // Clicking a row opens that image on the Classify page with its activation map.
        const QModelIndex first = page->sorted_model()->index(0, studio::EvaluationModel::Truth);
        const QRect cell = page->table()->visualRect(first);
        QTest::mouseClick(page->table()->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(w->findChild<QTabWidget*>()->currentWidget(), w->classify_page());
        QTRY_COMPARE_WITH_TIMEOUT(w->classify_page()->gallery_size(), std::size_t{1}, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(w->classify_page()->image_view()->has_activation(), kTimeoutMs);
    }

    void unmatchedAndCorruptFilesAreReported() {
        QTemporaryDir dir;
        const QStringList rows = csv_rows(20);
        // 18 of the 20 images listed, one listed file that is not an image, one that is not there.
        QVERIFY(make_subset(dir.path(), rows, 18,
                            {QStringLiteral("broken.jpg,n01440764,0,1,tench"), QStringLiteral("gone.jpg,n01440764,0,1,tench")}));
        QFile broken(dir.filePath(QStringLiteral("broken.jpg")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a JPEG at all");
        broken.close();

        auto w = make_window();
        QVERIFY(w);
        studio::EvaluationTruth t;
        studio::EvaluationReport report;
        QVERIFY(run_evaluation(*w, dir.path(), t, report));
        QCOMPARE(t.imageFiles, 21);
        QCOMPARE(t.matched, 19);  // of the 21 files here: the missing one is not counted as matched
        QCOMPARE(t.listedMissing, 1);
        QCOMPARE(t.unmatched.size(), 2);
        QVERIFY(t.unmatched.contains(file_of(rows[20])));
        QCOMPARE(report.result.images, 18);
        QCOMPARE(report.result.skipped.size(), std::size_t{2});
        studio::EvaluationPage* page = w->evaluation_page();
        QVERIFY2(page->truth_label()->text().contains(
                     QStringLiteral("19 of 21 images matched, 2 unmatched (not evaluated); 1 file it lists is not an image here")),
                 qPrintable(page->truth_label()->text()));
        QCOMPARE(page->not_evaluated_list()->count(), 4);
        QVERIFY(!page->notice_bar()->isHidden());
        QCOMPARE(page->notice_bar()->kind(), studio::NoticeBar::Kind::Warning);
        QVERIFY2(page->notice_bar()->text().contains(QStringLiteral("2 files could not be read as images")),
                 qPrintable(page->notice_bar()->text()));
    }

    void cancelStopsAndLeavesTheAppUsable() {
        auto w = make_window();
        QVERIFY(w);
        studio::EvaluationController* c = w->evaluation_controller();
        QSignalSpy progress(c, &studio::EvaluationController::progressed);
        QSignalSpy cancelled(c, &studio::EvaluationController::cancelled);
        QSignalSpy finished(c, &studio::EvaluationController::finished);
        w->evaluation_page()->evaluate_folder(QString::fromStdString(sample_dir()));  // all 500
        QVERIFY(QTest::qWaitFor([&] { return progress.count() >= 1; }, kTimeoutMs));
        QVERIFY(w->evaluation_page()->cancel_button()->isEnabled());
        QTest::mouseClick(w->evaluation_page()->cancel_button(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return cancelled.count() == 1; }, kTimeoutMs));
        QCOMPARE(finished.count(), 0);
        const int done = cancelled.first().at(0).toInt();
        QVERIFY(done > 0 && done < 500);
        QCOMPARE(cancelled.first().at(1).toInt(), 500);
        QVERIFY(!c->running());
        QVERIFY(!w->evaluation_page()->cancel_button()->isEnabled());
        QVERIFY(w->evaluation_page()->notice_bar()->text().contains(QStringLiteral("cancelled")));

        // Live classification still answers, and the next evaluation runs to the end.
        const QString photo = QString::fromStdString(sample_dir()) + '/' + file_of(csv_rows(1)[1]);
        w->classify_page()->open_paths({photo});
        QTRY_VERIFY_WITH_TIMEOUT(w->classify_page()->image_view()->has_activation(), kTimeoutMs);
        QTemporaryDir dir;
        QVERIFY(make_subset(dir.path(), csv_rows(8), 8));
        w->evaluation_page()->evaluate_folder(dir.path());
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 1; }, kTimeoutMs));
        QCOMPARE(finished.first().first().value<studio::EvaluationReport>().result.images, 8);
    }

    void secondEvaluationReplacesTheFirst() {
        auto w = make_window();
        QVERIFY(w);
        studio::EvaluationController* c = w->evaluation_controller();
        QSignalSpy replaced(c, &studio::EvaluationController::evaluationReplaced);
        QSignalSpy finished(c, &studio::EvaluationController::finished);
        QSignalSpy cancelled(c, &studio::EvaluationController::cancelled);
        w->evaluation_page()->evaluate_folder(QString::fromStdString(sample_dir()));
        QTemporaryDir dir;
        QVERIFY(make_subset(dir.path(), csv_rows(8), 8));
        w->evaluation_page()->evaluate_folder(dir.path());
        QCOMPARE(replaced.count(), 1);
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 1; }, kTimeoutMs));
        QVERIFY(wait_idle(*w));
        QTest::qWait(200);  // a late signal of the replaced job would have arrived
        QCOMPARE(finished.count(), 1);
        QCOMPARE(cancelled.count(), 0);
        QCOMPARE(finished.first().first().value<studio::EvaluationReport>().result.images, 8);
        QCOMPARE(w->evaluation_page()->model()->rowCount(), 8);
    }

    void badFoldersFailClearly() {
        auto w = make_window();
        QVERIFY(w);
        studio::EvaluationController* c = w->evaluation_controller();
        QSignalSpy failed(c, &studio::EvaluationController::failed);
        studio::EvaluationPage* page = w->evaluation_page();
        // Nothing evaluated: no "0 / 1 images" from a bar that counted nothing.
        QCOMPARE(page->progress_bar()->text(), QStringLiteral("No evaluation running"));

        page->evaluate_folder(QStringLiteral("/no/such/folder"));
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.last().first().toString().contains(QStringLiteral("no such folder")));
        QCOMPARE(page->notice_bar()->kind(), studio::NoticeBar::Kind::Error);

        // Images without any ground truth (no CSV, no wnid in the names, no class folders).
        QTemporaryDir dir;
        QVERIFY(QFile::copy(QString::fromStdString(sample_dir()) + '/' + file_of(csv_rows(1)[1]), dir.filePath("photo.jpg")));
        page->evaluate_folder(dir.path());
        QVERIFY(QTest::qWaitFor([&] { return failed.count() == 2; }, kTimeoutMs));
        QVERIFY(failed.last().first().toString().contains(dir.path()));
        QVERIFY(!c->running());
        QVERIFY(page->notice_bar()->text().startsWith(QStringLiteral("Could not evaluate")));
        QVERIFY(!page->cancel_button()->isEnabled());
        QCOMPARE(page->progress_bar()->text(), QStringLiteral("No evaluation running"));
    }

    void droppingALabelledFolderOffersEvaluation() {
        QTemporaryDir dir;
        QVERIFY(make_subset(dir.path(), csv_rows(8), 8));
        auto w = make_window();
        QVERIFY(w);
        QSignalSpy finished(w->evaluation_controller(), &studio::EvaluationController::finished);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(dir.path())});
        QCOMPARE(studio::EvaluationPage::labelled_folder_in(&mime), dir.path());
        const QPoint pos = w->rect().center();
        QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(w.get(), &enter);
        QDropEvent drop(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(w.get(), &drop);
        QVERIFY(drop.isAccepted());
        QMessageBox* offer = nullptr;
        QTRY_VERIFY((offer = w->findChild<QMessageBox*>(QStringLiteral("evaluationOffer"))) != nullptr);
        QCOMPARE(w->classify_page()->gallery_size(), std::size_t{0});  // nothing opened before the answer
        QAbstractButton* evaluate = nullptr;
        for (QAbstractButton* b : offer->buttons()) {
            if (b->text().remove('&') == QStringLiteral("Evaluate")) evaluate = b;
        }
        QVERIFY(evaluate);
        evaluate->click();
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 1; }, kTimeoutMs));
        QCOMPARE(w->findChild<QTabWidget*>()->currentWidget(), w->evaluation_page());
    }

    void wnidsInFileNamesWithoutCsv() {
        QTemporaryDir dir;
        const QStringList rows = csv_rows(8);
        QVERIFY(make_subset(dir.path(), rows, 8));
        QVERIFY(QFile::remove(dir.filePath("ground_truth.csv")));
        auto w = make_window();
        QVERIFY(w);
        studio::EvaluationTruth t;
        studio::EvaluationReport report;
        QVERIFY(run_evaluation(*w, dir.path(), t, report));
        QCOMPARE(report.result.images, 8);
        QCOMPARE(t.matched, 8);
        QVERIFY(t.unmatched.isEmpty());
        QVERIFY2(w->evaluation_page()->truth_label()->text().contains(t.sourceDetail), qPrintable(t.sourceDetail));
    }
};

QTEST_MAIN(TestEvaluationPage)
#include "test_evaluation_page.moc"
