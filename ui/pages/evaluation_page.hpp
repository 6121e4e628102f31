// EvaluationPage: the Evaluate tab. Accuracy of the current model on a labelled folder:
// which ground truth was used and how many images it matched, a progress bar with
// images/s and Cancel, top-1 / top-5 as the run goes, the per-image table (sortable; a
// click opens the image on the Classify page), the most-confused class pairs, the files
// that were not evaluated, and Export CSV.
//
// It asks the EvaluationController for evaluations and shows what the controller passes
// on (replaced jobs are already dropped there).
// Threading: GUI thread.
#pragma once

#include <QString>
#include <QWidget>

#include <optional>

#include "worker/evaluation_types.hpp"
#include "worker/inference_types.hpp"

class QAction;
class QLabel;
class QListWidget;
class QMimeData;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QToolButton;

namespace studio {

class EvaluationController;
class EvaluationModel;
class NoticeBar;

class EvaluationPage : public QWidget {
    Q_OBJECT
public:
    explicit EvaluationPage(EvaluationController* controller, QWidget* parent = nullptr);

    // Starts evaluating `folder` with the current model (a running evaluation is replaced).
    void evaluate_folder(const QString& folder);
    // Asks (without blocking) whether to evaluate a dropped labelled folder or open its
    // images; the answer leads to evaluate_folder() or openImagesRequested().
    void offer_evaluation(const QString& folder);
    // The one dropped local folder that holds a ground-truth CSV, or empty.
    static QString labelled_folder_in(const QMimeData* mime);
    // The button beside the folder runs `action` (File → Evaluate Folder…).
    void set_evaluate_action(QAction* action);
    // Writes every row as CSV, atomically (QSaveFile). Returns an error message, or empty.
    QString export_csv(const QString& path);

    EvaluationModel* model() const { return model_; }
    QSortFilterProxyModel* sorted_model() const { return sorted_; }
    QTableView* table() const { return table_; }
    QProgressBar* progress_bar() const { return progress_; }
    QPushButton* cancel_button() const { return cancel_; }
    QPushButton* export_button() const { return export_; }
    QLabel* truth_label() const { return truth_label_; }
    QLabel* accuracy_label() const { return accuracy_label_; }
    QListWidget* confusions_list() const { return confusions_; }
    QListWidget* not_evaluated_list() const { return not_evaluated_; }
    NoticeBar* notice_bar() const { return notice_; }
    const QString& folder() const { return folder_; }
    // An int8 evaluation's change against its fp32 baseline on the same images: top-1 and
    // top-5 differences in percentage points and the share of images (percent) whose top-1
    // agrees. nullopt before one finished, and at fp32.
    struct PrecisionChange {
        double top1 = 0, top5 = 0, agreement = 0;
    };
    const std::optional<PrecisionChange>& precision_change() const { return precision_change_; }
    // The network the window runs now (MainWindow forwards every configuration): results
    // of another one (weights, α, resolution, crop or precision) get a note saying so.
    void set_live_network(const ModelStatus& status);
    QString stale_text() const;  // the note, or "" when the results are the live network's

signals:
    // Show this image (absolute path) on the Classify page with its activation map.
    // A row was clicked: open `path` on the Classify page, labelled with the evaluation's
    // true class (`truth1000` in the 1000-class convention, -1 when unknown) from `source`.
    void imageOpenRequested(const QString& path, int truth1000, const QString& source);
    // Open the folder's images in the gallery instead of evaluating them.
    void openImagesRequested(const QString& folder);
    // An evaluation was asked for: the window shows this page.
    void showRequested();
    void statusMessage(const QString& message, int timeout_ms);

private:
    void build_ui();
    void connect_controller();
    void on_started(const EvaluationRequest& request);
    void on_truth_found(const EvaluationTruth& truth);
    void on_progressed(const EvaluationProgress& progress);
    void on_finished(const EvaluationReport& report);
    void on_cancelled(int done, int total);
    void on_failed(const QString& message);
    void set_running(bool running);
    void update_stale_note();
    void show_idle_progress();
    void show_accuracy(double top1, double top5, int images, const QString& tail);
    void update_confusions();
    void show_precision_change(const mnv1::EvalResult& int8, const mnv1::EvalResult& fp32);
    void add_not_evaluated(const QStringList& lines);
    void open_row(const QModelIndex& proxy_index);
    void ask_export_path();

    EvaluationController* controller_ = nullptr;
    EvaluationModel* model_ = nullptr;
    QSortFilterProxyModel* sorted_ = nullptr;
    QString folder_;  // the folder of the rows shown
    QString truth_source_;  // where their true classes come from ("ground_truth.csv", ...)
    QString int8_detail_;  // "int8 · released uint8" while an int8 evaluation is shown
    std::optional<PrecisionChange> precision_change_;

    NoticeBar* notice_ = nullptr;
    QLabel* folder_label_ = nullptr;
    QToolButton* evaluate_button_ = nullptr;
    QLabel* model_label_ = nullptr;
    QLabel* truth_label_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* rate_label_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QLabel* accuracy_label_ = nullptr;
    QLabel* cpu_note_ = nullptr;
    QLabel* stale_note_ = nullptr;
    QString evaluated_network_, live_network_;  // network_words() of each; "" for none
    QTableView* table_ = nullptr;
    QListWidget* confusions_ = nullptr;
    QListWidget* not_evaluated_ = nullptr;
    QPushButton* export_ = nullptr;
};

}  // namespace studio
