// The Feature maps tab with a real worker: a real model (0.25-128, uint8 release) and a real
// photo. The page shows as many channels as the chosen layer has, the colour-scale toggle
// changes the pictures, a selected pointwise channel lists its strongest inputs (row of the
// weight matrix), a depthwise channel its filter, the layer follows the shared layer
// selection, and hiding the page drops the worker's extractor (nothing kept or extracted
// while the view is closed).
#include <QtTest>

#include <QComboBox>
#include <QItemSelectionModel>
#include <QRadioButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>

#include <algorithm>
#include <cmath>
#include <memory>

#include "controller/inference_controller.hpp"
#include "mobilenet/image_io.hpp"
#include "models/layer_table_model.hpp"
#include "pages/feature_maps_page.hpp"
#include "pages/layers_page.hpp"
#include "test_support.hpp"
#include "widgets/channel_grid.hpp"

namespace {

constexpr int kTimeoutMs = 90000;
constexpr const char* kModel = "models/tflite/mobilenet_v1_0.25_128_quant.tflite";
constexpr const char* kPhoto = "images/photos/grace_hopper.jpg";

int layer_index(const studio::LayerTableModel& model, const std::string& name) {
    for (const mnv1::LayerSpec& l : model.layers())
        if (l.name == name) return l.index;
    return -1;
}

}  // namespace

class TestFeatureMapsPage : public QObject {
    Q_OBJECT

    std::unique_ptr<studio::InferenceController> controller_;
    std::unique_ptr<studio::LayersPage> layers_;
    std::unique_ptr<studio::FeatureMapsPage> page_;

    // Shows `layer` and waits for its feature maps.
    bool show_layer(const std::string& name) {
        const int li = layer_index(*layers_->model(), name);
        if (li < 0) return false;
        page_->set_current_layer(li);
        if (page_->current_layer() != li) return false;
        return QTest::qWaitFor([&] { return page_->result() && page_->result()->layer.index == li; }, kTimeoutMs);
    }

private slots:
    void initTestCase() {
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path(kModel));
        MOBILENET_REQUIRE_FILE(mnv1::test::shared_path(kPhoto));
        controller_ = std::make_unique<studio::InferenceController>();
        layers_ = std::make_unique<studio::LayersPage>();
        connect(controller_.get(), &studio::InferenceController::modelConfigured, layers_.get(),
                &studio::LayersPage::show_configuration);
        page_ = std::make_unique<studio::FeatureMapsPage>(controller_.get(), layers_->model(),
                                                          layers_->selection_model());
        page_->resize(1400, 900);
        controller_->set_tuning({0.25, 128, 2, mnv1::CropMode::Whole});
        controller_->discover_models({QString::fromStdString(mnv1::test::shared_path("models/tflite"))});
        QVERIFY(QTest::qWaitFor([&] { return controller_->model_status() && controller_->model_status()->ok; },
                                kTimeoutMs));
        QVERIFY(controller_->model_status()->pretrained);
        QCOMPARE(layers_->model()->architecture().resolution, 128);
        // conv0 .. pw13: the 27 layers with feature maps, conv0 first.
        QCOMPARE(page_->layer_chooser()->count(), 27);
        QCOMPARE(page_->current_layer(), 0);
        QCOMPARE(page_->layer_chooser()->currentText(), QStringLiteral("conv0 · 64×64×8"));

        QSignalSpy classified(controller_.get(), &studio::InferenceController::imageClassified);
        controller_->classify_still(1, mnv1::load_image(mnv1::test::shared_path(kPhoto)));
        QVERIFY(classified.wait(kTimeoutMs));
        QVERIFY(!controller_->worker_holds_feature_maps());  // never opened: nothing extracted
    }

    // A 1024-pixel screen with the Tune panel docked leaves the page about 600 pixels:
    // the controls wrap and the side panel goes below the channels, so the page scrolls
    // down, never sideways.
    void narrowScreen() {
        page_->show();
        QVERIFY(QTest::qWaitForWindowExposed(page_.get()));
        auto* scroll = page_->findChild<QScrollArea*>(QStringLiteral("pageScrollArea"));
        QVERIFY(scroll);
        page_->resize(600, 700);
        QCoreApplication::processEvents();
        QVERIFY(!page_->side_by_side());
        QCOMPARE(scroll->horizontalScrollBar()->maximum(), 0);
        // Every control still on the page, within its width.
        for (QWidget* w : std::initializer_list<QWidget*>{page_->layer_chooser(), page_->per_layer_button(), page_->zoom_slider()}) {
            const QPoint right = w->mapTo(scroll->viewport(), QPoint(w->width(), 0));
            QVERIFY2(right.x() <= scroll->viewport()->width(), qPrintable(w->objectName()));
        }
        QTRY_VERIFY(page_->layer_grid()->parentWidget()->height() >= 250);  // the channels keep room

        page_->resize(1400, 900);
        QCoreApplication::processEvents();
        QVERIFY(page_->side_by_side());
        QCOMPARE(scroll->horizontalScrollBar()->maximum(), 0);
    }

    void cleanupTestCase() {
        page_.reset();
        layers_.reset();
        controller_.reset();
    }

    void showsTheLayersChannels() {
        page_->show();
        QVERIFY(QTest::qWaitForWindowExposed(page_.get()));
        QVERIFY(QTest::qWaitFor([&] { return page_->result().has_value(); }, kTimeoutMs));
        QVERIFY(controller_->worker_holds_feature_maps());
        QCOMPARE(page_->layer_grid()->channel_count(), 8);  // conv0 of 0.25: max(32 * 0.25, 8)
        QCOMPARE(page_->layer_grid()->tensor_height(), 64);
        QCOMPARE(page_->input_grid()->channel_count(), 3);
        QCOMPARE(page_->input_grid()->tensor_width(), 128);
        QVERIFY(page_->status_text().contains(QStringLiteral("8 channels")));

        for (const char* name : {"dw5", "pw9", "pw13"}) {
            QVERIFY2(show_layer(name), name);
            const mnv1::LayerSpec& l = layers_->model()->layers()[static_cast<std::size_t>(page_->current_layer())];
            QCOMPARE(page_->layer_grid()->channel_count(), l.out_c);
            QCOMPARE(page_->layer_grid()->tensor_height(), l.out_h);
            QCOMPARE(page_->result()->activation.hwc.size(), static_cast<std::size_t>(l.out_h) * l.out_w * l.out_c);
            // The same image: the activations were kept, no second forward pass.
            QVERIFY(!page_->result()->ranForward);
        }
    }

    void normalisationChangesThePictures() {
        QVERIFY(show_layer("pw3"));
        studio::ChannelGrid* grid = page_->layer_grid();
        page_->per_channel_button()->click();
        QCOMPARE(grid->normalisation(), studio::ChannelGrid::Normalisation::PerChannel);
        std::vector<QImage> before;
        for (int c = 0; c < grid->channel_count(); ++c) before.push_back(grid->channel_image(c));
        page_->per_layer_button()->click();
        QCOMPARE(grid->normalisation(), studio::ChannelGrid::Normalisation::PerLayer);
        int changed = 0;
        for (int c = 0; c < grid->channel_count(); ++c) changed += grid->channel_image(c) != before[static_cast<std::size_t>(c)];
        // Every channel whose own range is narrower than the layer's is drawn differently.
        int narrower = 0;
        const auto& r = *page_->result();
        for (const mnv1::ValueRange& cr : r.channelRanges)
            narrower += (cr.max > cr.min) && (cr.min > r.layerRange.min || cr.max < r.layerRange.max);
        QVERIFY(narrower > 0);
        QCOMPARE(changed, narrower);
        page_->per_channel_button()->click();
    }

    void selectingAPointwiseChannelListsItsFilters() {
        QVERIFY(show_layer("pw3"));
        const auto& r = *page_->result();
        QCOMPARE(r.pointwise.rows, r.layer.out_c);
        QCOMPARE(r.pointwise.cols, r.layer.in_c);
        const int n = 5;
        page_->select_channel(n);
        QCOMPARE(page_->weight_matrix()->highlighted_row(), n);
        QCOMPARE(page_->related_grid()->channel_count(), 6);
        // The strongest input of output n is the largest |weight| of row n.
        int best = 0;
        for (int m = 1; m < r.pointwise.cols; ++m)
            if (std::abs(r.pointwise.at(0, n, m)) > std::abs(r.pointwise.at(0, n, best))) best = m;
        const QString text = page_->selection_text();
        QVERIFY2(text.contains(QStringLiteral("strongest inputs: channel %1 ×").arg(best)), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("dw3")));
        QCOMPARE(r.pointwise.bias.size(), std::size_t(r.layer.out_c));  // the folded batch norm, said too
        QVERIFY2(text.contains(QStringLiteral("plus its bias ")), qPrintable(text));

        // A depthwise channel: its own filter and input channel.
        QVERIFY(show_layer("dw4"));
        page_->select_channel(3);
        QCOMPARE(page_->filter_grid()->selected(), 3);
        QCOMPARE(page_->filter_grid()->channel_count(), page_->result()->layer.out_c);
        QCOMPARE(page_->related_grid()->channel_count(), 1);
        QVERIFY(page_->selection_text().contains(QStringLiteral("channel 3 of pw3")));
        // Its bias (which lifts a channel whose weights are all negative above 0) and its
        // weights, each with three decimals so the 3×3 reads as a grid.
        const mnv1::FilterBank& dw = page_->result()->depthwise;
        QCOMPARE(dw.bias.size(), std::size_t(page_->result()->layer.out_c));
        const QString bias = (dw.bias[3] < 0 ? QStringLiteral("−") : QString()) + QString::number(std::abs(dw.bias[3]), 'f', 3);
        QVERIFY2(page_->selection_text().contains(QStringLiteral("plus its bias %1 ").arg(bias)), qPrintable(page_->selection_text()));
        const QString w00 = (dw.at(3, 0, 0) < 0 ? QStringLiteral("−") : QString()) + QString::number(std::abs(dw.at(3, 0, 0)), 'f', 3);
        QVERIFY2(page_->selection_text().contains(w00), qPrintable(page_->selection_text()));
    }

    void followsTheSharedLayerSelection() {
        const int li = layer_index(*layers_->model(), "pw7");
        layers_->selection_model()->setCurrentIndex(layers_->model()->index(li, 0),
                                                    QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(page_->current_layer(), li);
        QVERIFY(QTest::qWaitFor([&] { return page_->result() && page_->result()->layer.index == li; }, kTimeoutMs));
        // And the other way round.
        QVERIFY(show_layer("dw2"));
        QCOMPARE(layers_->selection_model()->currentIndex().row(), layer_index(*layers_->model(), "dw2"));
    }

    void newConfigurationRefreshesWhileVisible() {
        QVERIFY(show_layer("conv0"));
        QCOMPARE(page_->result()->resolution, 128);
        controller_->set_tuning({0.25, 160, 2, mnv1::CropMode::Whole});
        controller_->apply_configuration();
        // The extractor is rebuilt on the new network and the image extracted again, unasked.
        QVERIFY(QTest::qWaitFor([&] { return page_->result() && page_->result()->resolution == 160; }, kTimeoutMs));
        QCOMPARE(page_->current_layer(), 0);
        QCOMPARE(page_->layer_grid()->tensor_height(), 80);
        QCOMPARE(page_->input_grid()->tensor_height(), 160);
        // (Whether the result shown ran the forward pass itself depends on which of the two
        // refreshes, layer list and re-classification, came last: not checked.)
        QVERIFY(page_->result()->forwardMs > 0);
    }

    void hidingReleasesTheExtractor() {
        QVERIFY(controller_->worker_holds_feature_maps());
        QSignalSpy released(controller_.get(), &studio::InferenceController::featureMapsReleased);
        QSignalSpy ready(controller_.get(), &studio::InferenceController::featureMapsReady);
        page_->hide();
        QVERIFY(released.wait(kTimeoutMs));
        QVERIFY(!controller_->worker_holds_feature_maps());
        QVERIFY(!page_->result().has_value());
        QCOMPARE(page_->layer_grid()->channel_count(), 0);

        // Closed: a new classification extracts nothing.
        QSignalSpy classified(controller_.get(), &studio::InferenceController::imageClassified);
        controller_->classify_still(2, mnv1::load_image(mnv1::test::shared_path(kPhoto)));
        QVERIFY(classified.wait(kTimeoutMs));
        QTest::qWait(300);
        QCOMPARE(ready.count(), 0);
        QVERIFY(!controller_->worker_holds_feature_maps());

        // Shown again: extracted again (a new forward pass for the new image).
        page_->show();
        QVERIFY(QTest::qWaitFor([&] { return page_->result().has_value(); }, kTimeoutMs));
        QVERIFY(controller_->worker_holds_feature_maps());
        QVERIFY(page_->result()->ranForward);
    }
};

QTEST_MAIN(TestFeatureMapsPage)
#include "test_feature_maps_page.moc"
