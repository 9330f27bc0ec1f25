#include "page_cache.h"

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace wsdsim {

namespace {

// Enough for a 20-page ADF job of 6.5 MB textured JPEGs and then some.
constexpr size_t MaxCachedBytes = 256u << 20;

using Key = std::tuple<int, bool, std::string, std::string, std::string, int, int, int, int, int, int, bool, int>;

Key keyOf(const PageSpec &s)
{
    return Key(s.sheet, s.back, s.source, s.colorEntry, s.format, s.xResolution, s.yResolution, s.xOffset,
               s.yOffset, s.width, s.height, s.texture, s.jpegQuality);
}

std::mutex mutex;
std::map<Key, std::shared_ptr<const EncodedImage>> pages;
std::deque<Key> insertionOrder;  // oldest first: evicted first
size_t cachedBytes = 0;

} // namespace

std::shared_ptr<const EncodedImage> encodePageCached(const PageSpec &spec)
{
    Key key = keyOf(spec);
    {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = pages.find(key);
        if (it != pages.end())
            return it->second;
    }
    // Encoded unlocked: other requests go on meanwhile; a race encodes twice, harmlessly.
    auto page = std::make_shared<const EncodedImage>(encodePage(spec));
    std::lock_guard<std::mutex> lock(mutex);
    if (pages.emplace(key, page).second) {
        insertionOrder.push_back(key);
        cachedBytes += page->bytes.size();
        while (cachedBytes > MaxCachedBytes && insertionOrder.size() > 1) {
            auto oldest = pages.find(insertionOrder.front());
            cachedBytes -= oldest->second->bytes.size();
            pages.erase(oldest);
            insertionOrder.pop_front();
        }
    }
    return page;
}

} // namespace wsdsim
