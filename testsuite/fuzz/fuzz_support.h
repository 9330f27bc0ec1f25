// Helpers shared by the libFuzzer targets: splitting one input into a
// control prefix and a payload, and feeding a payload in chunks of
// pseudo-random sizes the way a socket delivers it.
#pragma once

#include "wsd/soap.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace fuzz {

// Stops the fuzzer with a crash report when a parser breaks an invariant
// that no input may break (ASan/UBSan catch the memory errors themselves).
#define FUZZ_ASSERT(cond)                                                                 \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            __builtin_printf("invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            __builtin_trap();                                                             \
        }                                                                                 \
    } while (0)

inline std::string_view asText(const uint8_t *data, std::size_t size)
{
    return std::string_view(reinterpret_cast<const char *>(data), size);
}

// Chunk sizes from a seed: mostly small (the awkward boundary cases: 1 byte,
// a split delimiter or marker), sometimes large (the common case).
class Chunker {
public:
    explicit Chunker(uint32_t seed) : random_(seed == 0 ? 1 : seed) {}

    std::size_t next(std::size_t remaining)
    {
        std::size_t size;
        switch (random_() % 4) {
        case 0: size = 1; break;
        case 1: size = 1 + random_() % 16; break;
        case 2: size = 1 + random_() % 512; break;
        default: size = 1 + random_() % 65536; break;
        }
        return size < remaining ? size : remaining;
    }

private:
    std::minstd_rand random_;
};

// The first four bytes as a little-endian seed; the rest is the payload.
inline uint32_t takeSeed(const uint8_t *&data, std::size_t &size)
{
    uint32_t seed = 0;
    for (int i = 0; i < 4 && size > 0; ++i, ++data, --size)
        seed |= uint32_t(*data) << (8 * i);
    return seed;
}

// Parses a SOAP message as the client does before handing it to an
// operation's parser; nullopt when the envelope itself is refused.
inline std::optional<wsd::soap::Message> parseEnvelope(const uint8_t *data, std::size_t size)
{
    std::string error;
    auto message = wsd::soap::parse(asText(data, size), &error);
    FUZZ_ASSERT(message || !error.empty());
    return message;
}

}  // namespace fuzz
