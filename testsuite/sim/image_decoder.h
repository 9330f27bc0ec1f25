// Reads back the image files the simulator sends and scanimage writes (PNM
// P4/P5/P6 including 16-bit, PNG, TIFF, JPEG, BMP) into 8-bit samples, with
// the codec libraries, so checks do not depend on our own encoder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wsdsim {

struct DecodedImage {
    int width = 0, height = 0;
    int channels = 0;             // 1 gray (or bilevel), 3 RGB
    int bitDepth = 0;             // of the file: 1, 8 or 16; samples here are 8-bit (16-bit: high byte)
    std::string fileType;         // "pnm", "png", "tiff", "jpeg", "bmp"
    double xResolution = 0, yResolution = 0;   // pixels per inch from the file, 0 if it has none
    std::vector<uint8_t> samples;  // rows top to bottom, `channels` samples a pixel, 0 = black

    uint8_t at(int x, int y, int channel) const
    {
        return samples[(static_cast<size_t>(y) * width + x) * channels + channel];
    }
};

// Recognises the format by its magic bytes. Throws std::runtime_error for
// anything it cannot decode, including images above the size bound.
DecodedImage decodeImage(const std::string &bytes);
DecodedImage readImageFile(const std::string &path);

}  // namespace wsdsim
