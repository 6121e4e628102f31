// Plain values of the feature-map view that cross threads between the GUI and the
// InferenceWorker in queued signals (copied; cv::Mat shares pixels by reference count and
// is never written after being sent), so any thread may create, read or destroy them.
#pragma once

#include <QMetaType>
#include <QString>

#include <opencv2/core.hpp>

#include <vector>

#include "mobilenet/arch.hpp"
#include "mobilenet/classify.hpp"
#include "mobilenet/feature_maps.hpp"

namespace studio {

// One layer's feature maps for the image on screen.
struct FeatureMapRequest {
    quint64 generation = 0;  // configuration it is for; older ones are skipped
    quint64 requestId = 0;   // increases with every request; older ones are skipped
    quint64 imageId = 0;     // gallery entry (0 for a live frame); with bgr's pixels, identifies the image
    cv::Mat bgr;             // 8-bit BGR, never modified after sending
    mnv1::CropMode crop = mnv1::CropMode::Whole;
    int layer = 0;           // index into the network's layer table
    bool withInput = true;   // also send the input tensor (it only changes with the image)
};

struct FeatureMapResult {
    quint64 generation = 0;
    quint64 requestId = 0;
    quint64 imageId = 0;
    int resolution = 0;
    bool pretrained = false;
    mnv1::LayerSpec layer;                   // shape and kind of the layer shown
    mnv1::FeatureMap activation;             // layer.out_h x out_w x out_c
    std::vector<mnv1::ValueRange> channelRanges;  // per channel of `activation`
    mnv1::ValueRange layerRange;             // over the whole of `activation`
    mnv1::FeatureMap input;                  // empty unless the request asked for it
    mnv1::FeatureMap previous;               // the layer's input (the previous layer's output, or the
                                             // network input for conv0): what its filters read
    mnv1::FilterBank depthwise;              // Depthwise layers: out_c filters of 3x3
    mnv1::FilterBank pointwise;              // Pointwise layers: one out_c x in_c matrix
    mnv1::FilterBank full;                   // ConvFull layers (conv0): out_c x in_c slices of 3x3
    std::vector<mnv1::Prediction> top;       // the extractor's classification (empty with random weights)
    bool ranForward = false;                 // false: the image's kept activations were reused
    double forwardMs = 0;                    // preprocess + forward of the extractor for this image
                                             // (when it ran, in this request or an earlier one)
    double extractMs = 0;                    // the whole request on the worker, forward included
};

}  // namespace studio

Q_DECLARE_METATYPE(studio::FeatureMapRequest)
Q_DECLARE_METATYPE(studio::FeatureMapResult)
