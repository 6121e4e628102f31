// Unit tests of the GUI's item models, without a worker: the gallery (rows, roles, the
// strip's selection), the layer table (rows, numeric roles, timings, time shares and
// GFLOP/s, one selection model shared by every view of the layers), the breakdown by layer
// type (the paper's Table 2) and the Layers page's summary.
#include <QtTest>

#include <QIcon>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>

#include <opencv2/core.hpp>

#include "common/network_cost.hpp"
#include "models/gallery_model.hpp"
#include "models/layer_breakdown_model.hpp"
#include "models/layer_table_model.hpp"
#include "pages/layers_page.hpp"
#include "widgets/gallery_strip.hpp"

namespace {

mnv1::ArchConfig config(double alpha, int resolution) {
    mnv1::ArchConfig cfg;
    cfg.alpha = alpha;
    cfg.resolution = resolution;
    cfg.num_classes = 1001;
    return cfg;
}

studio::ModelStatus configured_status(quint64 generation, double alpha, int resolution) {
    studio::ModelStatus s;
    s.ok = true;
    s.request.generation = generation;
    s.request.alpha = alpha;
    s.request.resolution = resolution;
    s.numClasses = 1001;
    return s;
}

// A timing of every layer of `model`: layer r takes (r + 1) * 0.1 ms, the input reorder 0.3 ms.
studio::LayerTiming timing_of_every_layer(const studio::LayerTableModel& model) {
    studio::LayerTiming timing;
    timing.generation = model.generation();
    timing.passes = studio::kLayerProfilePasses;
    timing.steps.push_back({-1, "input reorder", 0.3, "simple:any"});
    for (int r = 0; r < model.rowCount(); ++r) timing.steps.push_back({r, "layer", (r + 1) * 0.1, "jit:avx2"});
    for (const mnv1::LayerProfile& s : timing.steps) timing.totalMs += s.ms;
    return timing;
}

}  // namespace

class TestItemModels : public QObject {
    Q_OBJECT

private slots:
    void galleryRowsAndRoles() {
        studio::GalleryModel model;
        model.set_thumbnail_side(32);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QCOMPARE(model.rowCount(), 0);
        const cv::Mat wide(60, 120, CV_8UC3, cv::Scalar(10, 20, 30));
        const cv::Mat tall(90, 30, CV_8UC3, cv::Scalar(200, 100, 50));
        const quint64 a = model.add(QStringLiteral("wide.png"), QStringLiteral("/photos/wide.png"), wide, {}, 1.0);
        const quint64 b = model.add(QStringLiteral("Pasted image 1"), {}, tall, {}, 2.0);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 2);
        QVERIFY(a != 0 && b != 0 && a != b);
        QCOMPARE(model.row_of(b), 1);
        QCOMPARE(model.id_at(0), a);
        QCOMPARE(model.id_at(2), quint64{0});

        const QModelIndex first = model.index(0);
        QCOMPARE(first.data(Qt::DisplayRole).toString(), QStringLiteral("wide.png"));
        QCOMPARE(first.data(studio::GalleryModel::IdRole).toULongLong(), a);
        QCOMPARE(first.data(studio::GalleryModel::PathRole).toString(), QStringLiteral("/photos/wide.png"));
        QVERIFY(first.data(Qt::ToolTipRole).toString().contains(QStringLiteral("120 × 60")));
        QVERIFY(!qvariant_cast<QIcon>(first.data(Qt::DecorationRole)).isNull());
        // The thumbnail keeps the aspect within the side; the image is the decoded picture.
        const QImage thumb = qvariant_cast<QImage>(first.data(studio::GalleryModel::ThumbnailRole));
        QCOMPARE(thumb.size(), QSize(32, 16));
        const QImage image = qvariant_cast<QImage>(first.data(studio::GalleryModel::ImageRole));
        QCOMPARE(image.size(), QSize(120, 60));
        QCOMPARE(image.pixelColor(5, 5), QColor(30, 20, 10));

        const QModelIndex second = model.index(1);
        QVERIFY(second.data(studio::GalleryModel::PathRole).toString().isEmpty());
        QVERIFY(second.data(Qt::ToolTipRole).toString().startsWith(QStringLiteral("Pasted image 1")));
        QCOMPARE(qvariant_cast<QImage>(second.data(studio::GalleryModel::ThumbnailRole)).size(), QSize(21, 64));  // 2x
        QCOMPARE(model.find(b)->bgr.data, tall.data);  // the decoded pixels, not a copy
        QVERIFY(model.find(12345) == nullptr);
        QVERIFY(model.roleNames().values().contains("thumbnail"));
    }

    void galleryStripSelectsById() {
        studio::GalleryModel model;
        studio::GalleryStrip strip;
        strip.set_gallery_model(&model);
        QCOMPARE(model.thumbnail_side(), strip.thumbnail_side());
        QSignalSpy selected(&strip, &studio::GalleryStrip::entrySelected);
        const cv::Mat px(8, 8, CV_8UC3, cv::Scalar::all(0));
        const quint64 a = model.add(QStringLiteral("a"), {}, px, {}, 1.0);
        const quint64 b = model.add(QStringLiteral("b"), {}, px, {}, 1.0);
        QCOMPARE(strip.current_entry(), quint64{0});
        strip.select_entry(b);
        QCOMPARE(strip.current_entry(), b);
        QCOMPARE(strip.current_row(), 1);
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.last().first().toULongLong(), b);
        strip.set_current_row(0);
        QCOMPARE(selected.last().first().toULongLong(), a);
        strip.set_current_row(-1);  // clearing selects nothing
        QCOMPARE(strip.current_entry(), quint64{0});
        QCOMPARE(selected.count(), 2);
    }

    void layerTableRowsAndNumbers() {
        studio::LayerTableModel model;
        const mnv1::ArchConfig cfg = config(1.0, 224);
        model.set_architecture(cfg, 7);
        const std::vector<mnv1::LayerSpec> specs = mnv1::layer_table(cfg);
        QCOMPARE(model.rowCount(), static_cast<int>(specs.size()));
        QCOMPARE(model.columnCount(), static_cast<int>(studio::LayerTableModel::ColumnCount));
        QCOMPARE(model.generation(), quint64{7});
        QCOMPARE(model.headerData(studio::LayerTableModel::MultAdds, Qt::Horizontal).toString(), QStringLiteral("Mult-adds"));
        QCOMPARE(model.index(0, studio::LayerTableModel::Name).data().toString(), QStringLiteral("conv0"));

        // Numbers come as numbers, equal to the LayerSpec's; the text is only for people.
        qint64 macs = 0, params = 0;
        double share = 0;
        for (int r = 0; r < model.rowCount(); ++r) {
            const auto spec = specs[static_cast<std::size_t>(r)];
            const QVariant m = model.index(r, studio::LayerTableModel::MultAdds).data(studio::LayerTableModel::ValueRole);
            QCOMPARE(m.toLongLong(), static_cast<qint64>(spec.macs));
            QCOMPARE(model.index(r, 0).data(studio::LayerTableModel::LayerIndexRole).toInt(), r);
            macs += m.toLongLong();
            params += model.index(r, studio::LayerTableModel::Params).data(studio::LayerTableModel::ValueRole).toLongLong();
            share += model.index(r, studio::LayerTableModel::MultAddShare).data(studio::LayerTableModel::ValueRole).toDouble();
            QVERIFY(!model.index(r, studio::LayerTableModel::TimeMs).data(studio::LayerTableModel::ValueRole).isValid());
        }
        QCOMPARE(macs, static_cast<qint64>(model.summary().macs));
        QCOMPARE(params, static_cast<qint64>(model.summary().params));
        QVERIFY(std::fabs(share - 100.0) < 1e-6);
        const QModelIndex input0 = model.index(0, studio::LayerTableModel::Input);
        QCOMPARE(input0.data().toString(), QStringLiteral("224 × 224 × 3"));
        QCOMPARE(input0.data(studio::LayerTableModel::ValueRole).toLongLong(), qint64{224 * 224 * 3});
    }

    void layerTableTimings() {
        studio::LayerTableModel model;
        model.set_architecture(config(0.5, 160), 3);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        studio::LayerTiming timing;
        timing.generation = 2;  // an older configuration: ignored
        QVERIFY(!model.set_timing(timing));
        QVERIFY(!model.profiled());
        QCOMPARE(changed.count(), 0);

        timing.generation = 3;
        timing.totalMs = 4.0;
        timing.steps.push_back({1, "dw1", 0.5, "brgconv:avx2 [2 row parts]"});
        timing.steps.push_back({-1, "reorder", 0.25, "simple:any"});
        timing.implementations.assign(static_cast<std::size_t>(model.rowCount()), "jit:avx2");
        QVERIFY(model.set_timing(timing));
        QCOMPARE(changed.count(), 1);
        QVERIFY(model.profiled());
        QCOMPARE(model.reorder_ms(), 0.25);
        QCOMPARE(model.total_ms(), 4.0);
        const QModelIndex ms = model.index(1, studio::LayerTableModel::TimeMs);
        QCOMPARE(ms.data(studio::LayerTableModel::ValueRole).toDouble(), 0.5);
        QVERIFY(ms.data().toString().endsWith(QStringLiteral("ms")));
        QCOMPARE(model.index(1, studio::LayerTableModel::Implementation).data().toString(),
                 QStringLiteral("brgconv:avx2 [2 row parts]"));
        // The cell's tooltip: the whole name, and what its bracketed note means.
        const QString tip = model.index(1, studio::LayerTableModel::Implementation).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.startsWith(QStringLiteral("brgconv:avx2 [2 row parts]\n\nrow / pixel parts: ")), qPrintable(tip));
        QCOMPARE(model.index(0, studio::LayerTableModel::Implementation).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("jit:avx2"));  // nothing to explain
        const QStringList int8_notes = studio::implementation_notes(
            QStringLiteral("jit_int8:avx512_core_vnni [s8 w-zw, 2 weights outside s8 exact via 1 copied input channel(s)]"));
        QCOMPARE(int8_notes.size(), 3);  // s8 w-zw, outside s8, exact
        // Layers without a profiled step keep the implementation chosen at build time.
        QCOMPARE(model.index(0, studio::LayerTableModel::Implementation).data().toString(), QStringLiteral("jit:avx2"));
        QVERIFY(!model.index(0, studio::LayerTableModel::TimeMs).data(studio::LayerTableModel::ValueRole).isValid());
    }

    void layerTableTimeSharesAndGflops() {
        studio::LayerTableModel model;
        model.set_architecture(config(1.0, 224), 4);
        QCOMPARE(model.headerData(studio::LayerTableModel::TimeShare, Qt::Horizontal).toString(), QStringLiteral("% of time"));
        QCOMPARE(studio::LayerTableModel::TimeShare, studio::LayerTableModel::MultAddShare + 1);  // side by side
        QVERIFY(model.headerData(studio::LayerTableModel::Gflops, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("2 FLOPs")));
        QVERIFY(!model.index(0, studio::LayerTableModel::TimeShare).data(studio::LayerTableModel::ValueRole).isValid());

        const studio::LayerTiming timing = timing_of_every_layer(model);
        QVERIFY(model.set_timing(timing));
        QCOMPARE(model.profiled_passes(), studio::kLayerProfilePasses);
        // The input reorder is in the total but is no row.
        QCOMPARE(model.reorder_ms(), 0.3);
        QVERIFY(std::fabs(model.total_ms() - timing.totalMs) < 1e-9);
        QVERIFY(std::fabs(model.layers_ms() - (timing.totalMs - 0.3)) < 1e-9);
        double time_share = 0;
        for (int r = 0; r < model.rowCount(); ++r) {
            const double ms = (r + 1) * 0.1;
            const QVariant share = model.index(r, studio::LayerTableModel::TimeShare).data(studio::LayerTableModel::ValueRole);
            QVERIFY(std::fabs(share.toDouble() - 100.0 * ms / model.layers_ms()) < 1e-9);
            time_share += share.toDouble();
            const QVariant gflops = model.index(r, studio::LayerTableModel::Gflops).data(studio::LayerTableModel::ValueRole);
            const auto macs = model.layers()[static_cast<std::size_t>(r)].macs;
            if (macs == 0) {
                QVERIFY(!gflops.isValid());  // softmax: nothing to rate
                continue;
            }
            // GFLOP/s = 2 * mult-adds / time: 2 * macs / (ms * 1e6).
            QVERIFY(std::fabs(gflops.toDouble() - 2.0 * static_cast<double>(macs) / (ms * 1e6)) < 1e-9);
            QVERIFY(model.index(r, studio::LayerTableModel::Gflops).data().toString().contains(QLatin1Char('.')));
        }
        QVERIFY(std::fabs(time_share - 100.0) < 1e-6);  // 100 % of the layers' total
    }

    void breakdownMatchesTheCoreAndAddsTime() {
        studio::LayerTableModel model;
        studio::LayerBreakdownModel breakdown(&model);
        QCOMPARE(breakdown.rowCount(), 0);
        const mnv1::ArchConfig cfg = config(1.0, 224);
        model.set_architecture(cfg, 9);
        // The paper's Table 2 rows and a total.
        QCOMPARE(breakdown.rowCount(), 5);
        QCOMPARE(breakdown.row_of(mnv1::LayerKind::Pointwise), 0);
        QCOMPARE(breakdown.index(0, studio::LayerBreakdownModel::Type).data().toString(), QStringLiteral("Conv 1×1"));
        const mnv1::CostSummary core = mnv1::summarize(mnv1::layer_table(cfg));
        for (const mnv1::KindShare& k : core.by_kind) {
            const int row = breakdown.row_of(k.kind);
            QVERIFY(row >= 0);
            QCOMPARE(breakdown.index(row, 0).data(studio::LayerBreakdownModel::KindRole).toInt(), static_cast<int>(k.kind));
            auto number = [&](int column) { return breakdown.index(row, column).data(studio::LayerBreakdownModel::ValueRole); };
            QCOMPARE(number(studio::LayerBreakdownModel::MultAddShare).toDouble(), k.macs_pct);
            QCOMPARE(number(studio::LayerBreakdownModel::ParamShare).toDouble(), k.params_pct);
            QCOMPARE(number(studio::LayerBreakdownModel::MultAdds).toLongLong(), static_cast<qint64>(k.macs));
            QVERIFY(!number(studio::LayerBreakdownModel::TimeShare).isValid());
        }
        // Table 2 of the paper: 94.86 % of the mult-adds and 74.59 % of the parameters in 1×1 convolutions.
        const QModelIndex pw = breakdown.index(0, studio::LayerBreakdownModel::MultAddShare);
        QCOMPARE(pw.data().toString(), QStringLiteral("94.9 %"));
        QVERIFY(std::fabs(pw.data(studio::LayerBreakdownModel::ValueRole).toDouble() - 94.86) < 0.01);
        QVERIFY(breakdown.pointwise_answer().contains(QStringLiteral("measure")));

        QSignalSpy reset(&breakdown, &QAbstractItemModel::modelReset);
        QVERIFY(model.set_timing(timing_of_every_layer(model)));
        QCOMPARE(reset.count(), 1);
        double kind_ms = 0, kind_share = 0;
        for (int row = 0; row + 1 < breakdown.rowCount(); ++row) {
            kind_ms += breakdown.index(row, studio::LayerBreakdownModel::TimeMs).data(studio::LayerBreakdownModel::ValueRole).toDouble();
            kind_share += breakdown.index(row, studio::LayerBreakdownModel::TimeShare).data(studio::LayerBreakdownModel::ValueRole).toDouble();
        }
        // Every layer's time is in some type (pool and softmax with the fully connected layer).
        QVERIFY(std::fabs(kind_ms - model.layers_ms()) < 1e-9);
        QVERIFY(std::fabs(kind_share - 100.0) < 1e-6);
        const int total = breakdown.rowCount() - 1;
        QVERIFY(!breakdown.index(total, 0).data(studio::LayerBreakdownModel::KindRole).isValid());
        QCOMPARE(breakdown.index(total, studio::LayerBreakdownModel::MultAdds).data(studio::LayerBreakdownModel::ValueRole).toLongLong(),
                 static_cast<qint64>(core.macs));
        double pw_ms = 0;
        for (const mnv1::LayerSpec& l : model.layers())
            if (l.kind == mnv1::LayerKind::Pointwise) pw_ms += *model.layer_ms(l.index);
        const QString pw_time = QStringLiteral("%1 %").arg(100.0 * pw_ms / model.layers_ms(), 0, 'f', 1);
        QCOMPARE(breakdown.index(0, studio::LayerBreakdownModel::TimeShare).data().toString(), pw_time);
        QVERIFY(breakdown.pointwise_answer().contains(QStringLiteral("they take %1 of the time (median of 20 profiled passes)").arg(pw_time)));
    }

    void layersSummaryIsRebuiltNotAppended() {
        studio::LayersPage page;
        page.show_configuration(configured_status(8, 1.0, 224));
        // 1001 classes: said next to the totals, with the difference from the paper's 1000.
        const QString note = studio::class_count_note(page.model()->architecture());
        QVERIFY(note.startsWith(QStringLiteral("1001 classes (TF-slim background class): +1,024 params")));
        QVERIFY(page.summary_text().contains(note));
        const studio::LayerTiming timing = timing_of_every_layer(*page.model());
        page.set_timing(timing);
        const QString once = page.summary_text();
        QVERIFY(once.contains(QStringLiteral("Times are medians of 20 profiled passes")));
        page.set_timing(timing);
        page.set_timing(timing);
        QCOMPARE(page.summary_text(), once);
        QVERIFY(page.pointwise_answer_text().contains(QStringLiteral("of the time")));

        // dw7–dw11 are one shape: agreeing times say nothing more; one 4× slower says the
        // machine was busy.
        studio::LayerTiming even = timing;
        for (mnv1::LayerProfile& s : even.steps) {
            if (s.layer >= 0) s.ms = 0.1;
        }
        page.set_timing(even);
        QVERIFY2(!page.summary_text().contains(QStringLiteral("identical layers")), qPrintable(page.summary_text()));
        const int dw9 = [&] {
            for (const mnv1::LayerSpec& l : page.model()->layers())
                if (l.name == "dw9") return l.index;
            return -1;
        }();
        for (mnv1::LayerProfile& s : even.steps) {
            if (s.layer == dw9) s.ms = 0.4;
        }
        page.set_timing(even);
        QVERIFY2(page.summary_text().contains(QStringLiteral("The 5 identical layers dw7–dw11 took 0.10 ms to 0.40 ms (4.0× apart")),
                 qPrintable(page.summary_text()));
    }

    void layersPageSharesOneSelectionModel() {
        studio::LayersPage page;
        page.show_configuration(configured_status(5, 0.75, 192));
        QCOMPARE(page.table()->model(), static_cast<QAbstractItemModel*>(page.model()));
        QCOMPARE(page.table()->selectionModel(), page.selection_model());
        QCOMPARE(page.selection_model()->model(), static_cast<QAbstractItemModel*>(page.model()));
        QVERIFY(page.summary_text().contains(QStringLiteral("0.75-192")));
        const auto rate_header = [&] {
            return page.model()->headerData(studio::LayerTableModel::Gflops, Qt::Horizontal).toString();
        };
        QCOMPARE(rate_header(), QStringLiteral("GFLOP/s"));
        // An int8 network does integer arithmetic: its rate column says operations, not FLOPs.
        studio::ModelStatus int8 = configured_status(4, 0.75, 192);
        int8.precision = QStringLiteral("int8");
        page.show_configuration(int8);
        QCOMPARE(rate_header(), QStringLiteral("GOP/s"));
        page.show_configuration(configured_status(5, 0.75, 192));
        QCOMPARE(rate_header(), QStringLiteral("GFLOP/s"));

        // A second view of the same layers (what a chart or cost card does) shares the selection.
        QTableView other;
        other.setModel(page.model());
        other.setSelectionModel(page.selection_model());
        page.table()->selectRow(3);
        QVERIFY(other.selectionModel()->isRowSelected(3, {}));
        other.selectRow(5);
        QVERIFY(page.selection_model()->isRowSelected(5, {}));
        QCOMPARE(page.table()->currentIndex().row(), 5);

        // A failed configuration keeps the table; a profile shows in the summary.
        studio::ModelStatus failed = configured_status(6, 1.0, 224);
        failed.ok = false;
        page.show_configuration(failed);
        QCOMPARE(page.model()->generation(), quint64{5});
        studio::LayerTiming timing;
        timing.generation = 5;
        timing.totalMs = 2.5;
        page.set_timing(timing);
        QVERIFY(page.summary_text().contains(QStringLiteral("profiled passes")));
        QVERIFY(!page.summary_text().contains(QStringLiteral("plain pass")));  // not measured: not claimed

        // With a plain pass measured alongside, the summary says how much of it the rows cover,
        // and warns when they are more than 10 % apart.
        timing.coverage = 0.995;
        timing.forwardMs = 2.6;
        page.set_timing(timing);
        QVERIFY(page.summary_text().contains(QStringLiteral("99.5 % of a profiled pass")));
        QVERIFY(page.summary_text().contains(QStringLiteral("the profiled total is 96 % of it.")));
        timing.forwardMs = 5.0;
        page.set_timing(timing);
        QVERIFY(page.summary_text().contains(QStringLiteral("the profiled total is 50 % of it \u2014 more than 10 % apart")));
    }

    // A page too narrow for the tables and a side view stacks them: the tables keep the full
    // width (no sideways scrolling of the page) and the side view keeps a readable height.
    void layersPageStacksOnANarrowPage() {
        studio::LayersPage page;
        page.add_side_view(new QLabel(QStringLiteral("side view")), QStringLiteral("Side"));
        page.add_side_view(new QLabel(QStringLiteral("second view")), QStringLiteral("Second"));
        page.show_configuration(configured_status(3, 1.0, 224));
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* scroll = page.findChild<QScrollArea*>(QStringLiteral("pageScrollArea"));
        QVERIFY(scroll);

        page.resize(900, 700);
        QTRY_VERIFY(!page.side_by_side());
        QTRY_VERIFY(page.side_views()->height() >= 500);
        QCOMPARE(scroll->horizontalScrollBar()->maximum(), 0);
        QVERIFY(page.table()->width() >= 850);  // the whole width, not a share of it
        QVERIFY(scroll->verticalScrollBar()->maximum() > 0);  // the side view is further down

        // The wheel over the side views' tabs scrolls the page; it does not switch the tab.
        QTabWidget* tabs = page.side_views();
        QVERIFY(tabs);
        QCOMPARE(tabs->currentIndex(), 0);
        const int before = scroll->verticalScrollBar()->value();
        const QPointF at(tabs->tabBar()->tabRect(0).center());
        QWheelEvent wheel(at, tabs->tabBar()->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(tabs->tabBar(), &wheel);
        QCOMPARE(tabs->currentIndex(), 0);
        QVERIFY2(scroll->verticalScrollBar()->value() > before, qPrintable(QString::number(before)));

        page.resize(1600, 900);
        QTRY_VERIFY(page.side_by_side());
        QTRY_VERIFY(page.side_views()->width() >= 420);
        QCOMPARE(scroll->horizontalScrollBar()->maximum(), 0);
        QTRY_VERIFY2(page.table()->width() >= 900, qPrintable(QString::number(page.table()->width())));
    }
};

QTEST_MAIN(TestItemModels)
#include "test_item_models.moc"
