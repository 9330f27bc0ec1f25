// Measures our streaming JPEG decoder against djpeg (libjpeg-turbo alone) on
// one file, for each DCT / upsampling setting, to choose the defaults in
// wsd::JpegSettings; with a pause after each chunk, what decoding at a
// device's pace costs. Usage: decode-bench FILE.jpg [repetitions]
// [chunk-bytes] [pause-us]
#include "wsd/image_decoder.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <spawn.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern char **environ;

namespace {

using Clock = std::chrono::steady_clock;

// Keeps every decoded line, so that settings can be compared for accuracy;
// the copy is outside the timed decoder's own work but inside the timing,
// as sane_read's copy would be.
struct KeepSink : wsd::LineSink {
    wsd::ImageFrame frame;
    std::vector<uint8_t> pixels;
    size_t at = 0;
    bool onFrame(const wsd::ImageFrame &f) override
    {
        frame = f;
        pixels.resize(f.bytesPerLine * size_t(f.height));
        at = 0;
        return true;
    }
    uint8_t *lineBuffer() override { return at < pixels.size() ? pixels.data() + at : nullptr; }
    bool commitLine() override
    {
        at += frame.bytesPerLine;
        return true;
    }
};

struct Stats {
    double median, min, max;
};

Stats summarise(std::vector<double> ms)
{
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.front(), ms.back()};
}

// pauseUs: a pause after each chunk, as when a device's bytes arrive at
// its pace and the decoder waits for each piece (the decode's own CPU time
// is measured, not the pauses).
bool decodeOnce(const std::vector<uint8_t> &file, size_t chunk, wsd::JpegSettings settings, KeepSink &sink,
                long pauseUs = 0)
{
    auto decoder = wsd::makeJpegDecoder(sink, wsd::ImageLimits(), settings);
    for (size_t pos = 0; pos < file.size(); pos += chunk) {
        if (!decoder->feed(file.data() + pos, std::min(chunk, file.size() - pos))) {
            std::fprintf(stderr, "decode failed: %s\n", decoder->error().c_str());
            return false;
        }
        if (pauseUs > 0) {
            const timespec pause{pauseUs / 1000000, (pauseUs % 1000000) * 1000};
            nanosleep(&pause, nullptr);
        }
    }
    if (!decoder->finish()) {
        std::fprintf(stderr, "decode failed: %s\n", decoder->error().c_str());
        return false;
    }
    return true;
}

double threadCpuMs()
{
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double rusageMs(const rusage &u)
{
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

struct Timing {
    double wall = -1, cpu = -1;
};

Timing runDjpeg(const std::vector<const char *> &args)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    auto start = Clock::now();
    int rc = posix_spawnp(&pid, "djpeg", &actions, nullptr, const_cast<char *const *>(args.data()), environ);
    posix_spawn_file_actions_destroy(&actions);
    Timing t;
    if (rc != 0) {
        std::fprintf(stderr, "cannot run djpeg (Debian package libjpeg-turbo-progs)\n");
        return t;
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    t.wall = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    t.cpu = rusageMs(usage);
    return t;
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE.jpg [repetitions] [chunk-bytes] [pause-us]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    const int repetitions = argc > 2 ? std::max(1, std::atoi(argv[2])) : 9;
    const size_t chunk = argc > 3 ? std::max(1, std::atoi(argv[3])) : 64 * 1024;
    const long pauseUs = argc > 4 ? std::max(0L, std::atol(argv[4])) : 0;
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (file.empty()) {
        std::fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }

    struct Variant {
        const char *name;
        wsd::JpegSettings settings;
        std::vector<const char *> djpeg;
    };
    std::vector<Variant> variants = {
        {"islow, fancy upsampling", {false, true}, {"djpeg", "-dct", "int", path, nullptr}},
        {"islow, plain upsampling", {false, false}, {"djpeg", "-dct", "int", "-nosmooth", path, nullptr}},
        {"ifast, fancy upsampling", {true, true}, {"djpeg", "-dct", "fast", path, nullptr}},
        {"ifast, plain upsampling", {true, false}, {"djpeg", "-dct", "fast", "-nosmooth", path, nullptr}},
    };

    KeepSink reference;
    if (!decodeOnce(file, chunk, variants[0].settings, reference))
        return 1;
    std::printf("%s: %zu bytes, %dx%d, %d channel(s); %d repetitions, %zu-byte chunks, %ld us pause after each\n",
                path, file.size(), reference.frame.width, reference.frame.height, reference.frame.channels, repetitions,
                chunk, pauseUs);
    std::printf("%-24s %9s %9s %9s %9s %9s %11s %s\n", "setting", "ours wall", "ours cpu", "cpu min",
                "djpeg wall", "djpeg cpu", "cpu ours/dj", "vs islow+fancy: mean|max");

    for (const Variant &v : variants) {
        std::vector<double> oursWall, oursCpu, djpegWall, djpegCpu;
        KeepSink sink;
        for (int i = 0; i < repetitions; ++i) {
            // Alternate, so that both see the same machine state.
            auto start = Clock::now();
            double cpuStart = threadCpuMs();
            if (!decodeOnce(file, chunk, v.settings, sink, pauseUs))
                return 1;
            oursCpu.push_back(threadCpuMs() - cpuStart);
            oursWall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
            Timing t = runDjpeg(v.djpeg);
            if (t.wall < 0)
                return 1;
            djpegWall.push_back(t.wall);
            djpegCpu.push_back(t.cpu);
        }
        double sum = 0;
        int worst = 0;
        for (size_t i = 0; i < sink.pixels.size(); ++i) {
            int d = std::abs(int(sink.pixels[i]) - int(reference.pixels[i]));
            sum += d;
            worst = std::max(worst, d);
        }
        Stats ow = summarise(oursWall), oc = summarise(oursCpu), dw = summarise(djpegWall), dc = summarise(djpegCpu);
        std::printf("%-24s %9.1f %9.1f %9.1f %9.1f %9.1f %11.2f %.3f | %d\n", v.name, ow.median, oc.median, oc.min,
                    dw.median, dc.median, oc.median / dc.median, sum / double(sink.pixels.size()), worst);
    }
    std::printf("Medians in ms. djpeg includes starting the process and writing PPM to /dev/null;\n"
                "CPU time is the fairer figure on a loaded machine.\n");
    return 0;
}
