// EvaluationModel and most_confused_pairs on a constructed EvalResult: rows, numeric
// sorting through a proxy, the confusion summary and the CSV export (no model needed).
#include <QtTest>

#include <QSortFilterProxyModel>

#include "models/evaluation_model.hpp"

namespace {

mnv1::ImageOutcome outcome(const std::string& file, int truth, std::vector<std::pair<int, float>> top) {
    mnv1::ImageOutcome o;
    o.file = file;
    o.truth = truth;
    for (const auto& [index, p] : top) o.top.push_back({index, {}, p});
    return o;
}

// Classes 0..4 named; 3 has a comma, as many ImageNet labels do.
std::vector<std::string> labels() { return {"background", "tench", "goldfish", "crane, bird", "hammer"}; }

// Four images: one right at top-1, one right at top-5 only, two tench taken for goldfish.
std::vector<mnv1::ImageOutcome> outcomes() {
    return {outcome("a.jpg", 1, {{1, 0.5f}, {2, 0.3f}}),
            outcome("b.jpg", 3, {{4, 0.05f}, {3, 0.04f}}),
            outcome("c.jpg", 1, {{2, 0.1f}, {4, 0.09f}}),
            outcome("d.jpg", 1, {{2, 0.7f}, {1, 0.2f}})};
}

}  // namespace

class TestEvaluationModel : public QObject {
    Q_OBJECT

private slots:
    void rowsShowOutcomes() {
        studio::EvaluationModel model;
        model.reset(labels());
        model.append(outcomes());
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), int{studio::EvaluationModel::ColumnCount});
        using M = studio::EvaluationModel;
        QCOMPARE(model.index(0, M::File).data().toString(), QStringLiteral("a.jpg"));
        QCOMPARE(model.index(0, M::Truth).data().toString(), QStringLiteral("tench"));
        QCOMPARE(model.index(0, M::Top1).data().toString(), QStringLiteral("tench"));
        QCOMPARE(model.index(0, M::Confidence).data().toString(), QStringLiteral("50.0 %"));
        QCOMPARE(model.index(0, M::Top1Correct).data(M::ValueRole).toBool(), true);
        QCOMPARE(model.index(1, M::Top1Correct).data(M::ValueRole).toBool(), false);
        QCOMPARE(model.index(1, M::Top5Correct).data(M::ValueRole).toBool(), true);
        QCOMPARE(model.index(2, M::Top5Correct).data(M::ValueRole).toBool(), false);
        QVERIFY(model.index(1, M::Top5).data().toString().contains(QStringLiteral("crane 4.0 %")));  // first name only
        QCOMPARE(model.index(1, M::Truth).data().toString(), QStringLiteral("crane"));
        QCOMPARE(model.index(1, M::Truth).data(Qt::ToolTipRole).toString(), QStringLiteral("crane, bird"));
        QCOMPARE(model.index(3, M::Truth).data(M::FileRole).toString(), QStringLiteral("d.jpg"));
        QCOMPARE(model.label(42), QStringLiteral("class 42"));

        model.append({outcome("e.jpg", 2, {{2, 0.9f}})});  // as an evaluation goes on
        QCOMPARE(model.rowCount(), 5);
        model.reset(labels());
        QCOMPARE(model.rowCount(), 0);
    }

    void confidenceSortsAsANumber() {
        studio::EvaluationModel model;
        model.reset(labels());
        model.append(outcomes());
        QSortFilterProxyModel sorted;
        sorted.setSourceModel(&model);
        sorted.setSortRole(studio::EvaluationModel::ValueRole);
        sorted.sort(studio::EvaluationModel::Confidence, Qt::AscendingOrder);
        // As text "10.0 %" < "5.0 %" < "50.0 %" < "70.0 %"; as numbers 5 < 10 < 50 < 70.
        QStringList files;
        for (int r = 0; r < sorted.rowCount(); ++r) files << sorted.index(r, 0).data().toString();
        QCOMPARE(files, (QStringList{"b.jpg", "c.jpg", "a.jpg", "d.jpg"}));
        sorted.sort(studio::EvaluationModel::Top1Correct, Qt::DescendingOrder);
        QCOMPARE(sorted.index(0, 0).data().toString(), QStringLiteral("a.jpg"));
    }

    void confusionsCountWrongTop1Pairs() {
        const auto pairs = studio::most_confused_pairs(outcomes(), 10);
        QCOMPARE(pairs.size(), std::size_t{2});
        QCOMPARE(pairs[0].truth, 1);  // tench -> goldfish twice
        QCOMPARE(pairs[0].predicted, 2);
        QCOMPARE(pairs[0].count, 2);
        QVERIFY(qAbs(pairs[0].mean_confidence - 0.4) < 1e-6);
        QCOMPARE(pairs[1].truth, 3);  // crane -> hammer once
        QCOMPARE(pairs[1].predicted, 4);
        QCOMPARE(pairs[1].count, 1);
        QCOMPARE(studio::most_confused_pairs(outcomes(), 1).size(), std::size_t{1});
        QVERIFY(studio::most_confused_pairs({}, 5).empty());
    }

    void equalCountsPutConfidentMistakesFirst() {
        const auto pairs = studio::most_confused_pairs(
            {outcome("x.jpg", 1, {{2, 0.2f}}), outcome("y.jpg", 3, {{4, 0.8f}})}, 10);
        QCOMPARE(pairs.size(), std::size_t{2});
        QCOMPARE(pairs[0].truth, 3);
        QCOMPARE(pairs[1].truth, 1);
    }

    void csvQuotesLabels() {
        studio::EvaluationModel model;
        model.reset(labels());
        model.append(outcomes());
        const QStringList lines = QString::fromUtf8(model.to_csv()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0], QStringLiteral("file,truth_index,truth_label,top1_index,top1_label,confidence,top1_correct,"
                                          "top5_correct,top5"));
        QCOMPARE(lines[1], QStringLiteral("a.jpg,1,tench,1,tench,0.5000,1,1,1:0.5000 2:0.3000"));
        QCOMPARE(lines[2], QStringLiteral("b.jpg,3,\"crane, bird\",4,hammer,0.0500,0,1,4:0.0500 3:0.0400"));
    }
};

QTEST_GUILESS_MAIN(TestEvaluationModel)
#include "test_evaluation_model.moc"
