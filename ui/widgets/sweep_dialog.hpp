// SweepDialog: asks for a sweep's grid — α list, resolution list, threads — and,
// optionally, a labelled folder to measure accuracy on. Produces an mnv1::SweepConfig
// (models and cache are the SweepController's business).
// Threading: GUI thread.
#pragma once

#include <QDialog>
#include <QJsonObject>

#include "mobilenet/sweep.hpp"

class QCheckBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace studio {

class SweepDialog : public QDialog {
    Q_OBJECT
public:
    explicit SweepDialog(QWidget* parent = nullptr);

    void set_threads(int threads);
    void set_images_dir(const QString& dir);
    // Precisions to measure each point at (at least one).
    void set_precisions(bool fp32, bool int8);
    // Images int8 of a float model is calibrated on (α without a uint8 release).
    void set_calibration_dir(const QString& dir);
    // Fills every field from `c` (the last sweep's grid, offered again).
    void set_config(const mnv1::SweepConfig& c);
    // The fields set_config fills, as JSON (kept across sessions by the Trade-offs page),
    // and back: values the dialog would refuse are dropped and its defaults stand in.
    static QJsonObject grid_json(const mnv1::SweepConfig& c);
    static mnv1::SweepConfig grid_from_json(const QJsonObject& o);
    // The grid as entered; std::invalid_argument naming the field when it does not parse.
    mnv1::SweepConfig config() const;
    // "1.0, 0.75" -> {1.0, 0.75}; throws std::invalid_argument on anything else.
    static std::vector<double> parse_alphas(const QString& text);
    static std::vector<int> parse_resolutions(const QString& text);

private:
    void validate();

    QLineEdit* alphas_ = nullptr;
    QLineEdit* resolutions_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QCheckBox* accuracy_ = nullptr;
    QCheckBox* fp32_ = nullptr;
    QCheckBox* int8_ = nullptr;
    QLineEdit* calibration_ = nullptr;
    QLineEdit* images_ = nullptr;
    QLabel* problem_ = nullptr;
};

}  // namespace studio
