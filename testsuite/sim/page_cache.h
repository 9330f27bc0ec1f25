// Encoded pages kept by PageSpec, so that RetrieveImage starts sending at
// once, as a real device streams while it scans, instead of encoding the
// whole page first (which hid the clients' time to first byte behind the
// simulator's own encode time). Bounded in bytes; thread-safe.
#pragma once

#include <memory>

#include "image_encoder.h"

namespace wsdsim {

// Same contract as encodePage (throws std::invalid_argument); a repeated
// spec returns the page encoded earlier.
std::shared_ptr<const EncodedImage> encodePageCached(const PageSpec &spec);

} // namespace wsdsim
