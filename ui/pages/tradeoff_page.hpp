// TradeoffPage: the Trade-offs tab. Four charts over one TradeoffModel — accuracy vs
// mult-adds, accuracy vs latency, latency vs mult-adds, accuracy vs parameters — with
// three layers (the paper, the TF-slim table, this machine's measurements) each
// toggleable, the sliders' configuration marked, a budget answered on the charts and in
// words, the latency fit and its outliers in words, exports, and sweeps run from here
// (through the SweepController: live video pauses while it times).
//
// Measured points arrive from sweeps (add_measured_point) and from evaluations of a
// labelled folder (add_measured_accuracy). Clicking a MobileNet point emits
// tuningRequested(); the window moves the sliders.
//
// Threading: GUI thread.
#pragma once

#include <QString>
#include <QWidget>

#include <map>
#include <optional>

#include "charts/chart_style.hpp"
#include "charts/tradeoff_analysis.hpp"
#include "mobilenet/sweep.hpp"
#include "worker/evaluation_types.hpp"

class QComboBox;
class QGridLayout;
class QResizeEvent;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTextBrowser;
class QToolButton;

namespace studio {

class FlowLayout;
class SweepController;
class TradeoffChart;
class TradeoffModel;

class TradeoffPage : public QWidget {
    Q_OBJECT
public:
    explicit TradeoffPage(QWidget* parent = nullptr);

    // Connects the Run Sweep button, progress, cancel and the paused-video banner.
    void set_sweep_controller(SweepController* sweeps);

    TradeoffModel* model() const { return model_; }
    TradeoffChart* chart(ChartKind kind) const { return charts_.at(kind); }
    // What the page keeps across sessions (measured points, budget, shown layers), as an
    // opaque text for the settings, and back; an unreadable text restores nothing.
    QByteArray saved_state() const;
    int measured_count() const;
    // Removes every measured point (the Clear Measured… button, after asking).
    void clear_measured_points();
    void restore_state(const QByteArray& state);
    LayerVisibility layers() const;
    void set_layers(const LayerVisibility& layers);
    void set_budget(BudgetKind kind, double limit);
    // The budget's answer and the latency fit, in words (as shown under the charts).
    QString budget_text() const { return budget_text_; }
    // "" unless measured and published accuracy share the charts: then why they differ.
    QString sample_text() const;
    QString fit_text() const { return fit_text_; }
    std::vector<int> budget_rows() const { return budget_rows_; }
    // Charts per row: 2, or 1 when the page is too narrow for two side by side.
    int chart_columns() const { return chart_columns_; }
    // Lines the row of controls above the charts wraps onto (1 when there is room).
    int control_lines() const;
    // Writes <slug>.png, .svg and .csv of every chart into `dir`.
    bool export_all(const QString& dir, QString* error = nullptr);

public slots:
    void add_measured_point(const mnv1::SweepPoint& point);
    void add_measured_accuracy(const studio::EvaluationSummary& result);
    // The sliders' configuration, marked on the charts.
    void set_current_tuning(double alpha, int resolution);
    // Asks for the grid and starts a sweep (no-op without a sweep controller).
    void open_sweep_dialog();
    // Asks for a folder and exports every chart there.
    void export_dialog();

signals:
    // A MobileNet point was clicked: set the sliders to it.
    void tuningRequested(double alpha, int resolution);
    void statusMessage(const QString& message, int timeout_ms);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    int chart_columns_for(int page_width) const;
    void arrange_charts(int columns);
    void rebuild();
    BudgetKind budget_kind() const;  // the unit chosen in the box
    void update_budget();
    void update_fit_text();
    void update_texts();
    void chart_context_menu(TradeoffChart* chart, const QPoint& pos);
    void on_point_clicked(int row);

    TradeoffModel* model_ = nullptr;
    SweepController* sweeps_ = nullptr;
    std::map<ChartKind, TradeoffChart*> charts_;
    QGridLayout* chart_grid_ = nullptr;
    int chart_columns_ = 0;
    FlowLayout* controls_ = nullptr;
    ChartLegend* legend_ = nullptr;
    QToolButton* show_paper_ = nullptr;
    QToolButton* show_slim_ = nullptr;
    QToolButton* show_measured_ = nullptr;
    QComboBox* budget_kind_ = nullptr;
    QDoubleSpinBox* budget_ = nullptr;
    QPushButton* run_sweep_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* clear_measured_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* stage_ = nullptr;
    QLabel* paused_banner_ = nullptr;
    QTextBrowser* notes_ = nullptr;
    std::optional<double> current_alpha_;
    std::optional<int> current_resolution_;
    std::vector<int> budget_rows_;
    std::optional<mnv1::SweepConfig> last_sweep_;  // the grid of the last sweep started, offered again
    // The limit of each budget unit, kept while the other is shown: 150 M is the paper's
    // α 0.5-224 class, 10 ms a comfortable 1.0-224 on one core.
    std::map<BudgetKind, double> budget_limits_{{BudgetKind::MillionMacs, 150.0}, {BudgetKind::LatencyMs, 10.0}};
    QString budget_text_, fit_text_;
};

}  // namespace studio
