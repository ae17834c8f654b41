// JPEG helpers of the document renderer (libjpeg): header probe, downscale + re-encode, encode.
#include <fmt/format.h>

#include <csetjmp>
#include <cstdio>
// jpeglib.h needs FILE and size_t declared first.
#include <jerror.h>
#include <jpeglib.h>

#include "documents_internal.hpp"

namespace training::docs {

namespace {

struct ErrorMgr {
    jpeg_error_mgr pub{};
    std::jmp_buf jump{};
    char message[JMSG_LENGTH_MAX]{};
};

extern "C" void onJpegError(j_common_ptr cinfo) {
    auto* err = reinterpret_cast<ErrorMgr*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, err->message);
    std::longjmp(err->jump, 1);
}

extern "C" void onJpegMessage(j_common_ptr) {}  // warnings stay quiet

}  // namespace

std::optional<ImageInfo> jpegInfo(std::string_view jpeg) {
    if (jpeg.size() < 4) return std::nullopt;
    jpeg_decompress_struct cinfo{};
    ErrorMgr err;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = onJpegError;
    err.pub.output_message = onJpegMessage;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return std::nullopt;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(jpeg.data()), static_cast<unsigned long>(jpeg.size()));
    jpeg_read_header(&cinfo, TRUE);
    ImageInfo info{static_cast<int>(cinfo.image_width), static_cast<int>(cinfo.image_height)};
    jpeg_destroy_decompress(&cinfo);
    return info;
}

Result<std::string> encodeJpeg(const std::vector<std::uint8_t>& rgb, int width, int height, int quality) {
    if (width <= 0 || height <= 0 || rgb.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3)
        return fail(ErrorCode::Internal, "encodeJpeg: pixel buffer does not match the size");
    jpeg_compress_struct cinfo{};
    ErrorMgr err;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = onJpegError;
    err.pub.output_message = onJpegMessage;
    unsigned char* out = nullptr;
    unsigned long outSize = 0;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        std::free(out);
        return fail(ErrorCode::Internal, fmt::format("JPEG encoding failed: {}", err.message));
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &out, &outSize);
    cinfo.image_width = static_cast<JDIMENSION>(width);
    cinfo.image_height = static_cast<JDIMENSION>(height);
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    cinfo.optimize_coding = TRUE;
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        auto* row = const_cast<JSAMPLE*>(rgb.data() + static_cast<std::size_t>(cinfo.next_scanline) *
                                                          static_cast<std::size_t>(width) * 3);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    std::string result(reinterpret_cast<const char*>(out), outSize);
    std::free(out);
    return result;
}

Result<std::string> shrinkJpeg(std::string_view jpeg, int maxWidth, int quality) {
    jpeg_decompress_struct cinfo{};
    ErrorMgr err;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = onJpegError;
    err.pub.output_message = onJpegMessage;
    std::vector<std::uint8_t> pixels;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return fail(ErrorCode::InvalidInput,
                    fmt::format("the portrait is not a readable JPEG ({}); capture or import it again", err.message));
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(jpeg.data()), static_cast<unsigned long>(jpeg.size()));
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    // libjpeg-turbo scales by N/8 while decoding, nearly for free: pick the smallest N that still gives at
    // least maxWidth pixels; a box filter finishes the last step.
    unsigned num = 8;
    while (num > 1 && cinfo.image_width * (num - 1) / 8 >= static_cast<unsigned>(maxWidth)) --num;
    cinfo.scale_num = num;
    cinfo.scale_denom = 8;
    jpeg_start_decompress(&cinfo);
    const int w = static_cast<int>(cinfo.output_width), h = static_cast<int>(cinfo.output_height);
    pixels.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPLE* row = pixels.data() + static_cast<std::size_t>(cinfo.output_scanline) * static_cast<std::size_t>(w) * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (w <= maxWidth) return encodeJpeg(pixels, w, h, quality);
    // Area-average down to maxWidth.
    const int nw = maxWidth;
    const int nh = std::max(1, static_cast<int>(static_cast<long long>(h) * nw / w));
    std::vector<std::uint8_t> out(static_cast<std::size_t>(nw) * static_cast<std::size_t>(nh) * 3);
    for (int y = 0; y < nh; ++y) {
        const int y0 = y * h / nh, y1 = std::max(y0 + 1, (y + 1) * h / nh);
        for (int x = 0; x < nw; ++x) {
            const int x0 = x * w / nw, x1 = std::max(x0 + 1, (x + 1) * w / nw);
            unsigned sum[3] = {0, 0, 0};
            for (int yy = y0; yy < y1; ++yy)
                for (int xx = x0; xx < x1; ++xx)
                    for (int c = 0; c < 3; ++c)
                        sum[c] += pixels[(static_cast<std::size_t>(yy) * static_cast<std::size_t>(w) +
                                          static_cast<std::size_t>(xx)) * 3 + static_cast<std::size_t>(c)];
            const unsigned n = static_cast<unsigned>((y1 - y0) * (x1 - x0));
            for (int c = 0; c < 3; ++c)
                out[(static_cast<std::size_t>(y) * static_cast<std::size_t>(nw) + static_cast<std::size_t>(x)) * 3 +
                    static_cast<std::size_t>(c)] = static_cast<std::uint8_t>((sum[c] + n / 2) / n);
        }
    }
    return encodeJpeg(out, nw, nh, quality);
}

}  // namespace training::docs
