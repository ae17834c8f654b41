#pragma once
/// @file lds.hpp
/// @brief ICAO 9303-10 logical data structure: EF.COM, DG1 (MRZ) and DG2 (CBEFF / ISO 19794-5 face image).

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "devices/error.hpp"
#include "devices/id/bytes.hpp"
#include "devices/id/mrz.hpp"

namespace devices::id {

/// @brief File identifiers of the LDS 1 elementary files.
inline constexpr std::uint16_t kFidCom = 0x011E;
inline constexpr std::uint16_t kFidSod = 0x011D;
/// @brief File identifier of data group @p n (1..16).
[[nodiscard]] constexpr std::uint16_t dataGroupFid(int n) { return static_cast<std::uint16_t>(0x0100 + n); }

/// @brief Contents of EF.COM.
struct EfCom {
    std::string ldsVersion;      ///< e.g. "0107"
    std::string unicodeVersion;  ///< e.g. "040000"
    std::vector<int> dataGroups; ///< data groups present, from the tag list (e.g. 1, 2)
};

/// @brief Parses EF.COM (tag 60). Malformed on bad structure.
[[nodiscard]] Result<EfCom> parseEfCom(ByteView data);

/// @brief The MRZ text stored in DG1 (tag 61 / 5F1F), as one string without line breaks.
[[nodiscard]] Result<std::string> parseDg1Text(ByteView data);

/// @brief Encoding of a face image.
enum class ImageFormat { Jpeg, Jpeg2000, Unknown };

/// @brief "jpeg", "jpeg2000" or "unknown".
[[nodiscard]] std::string_view imageFormatName(ImageFormat format) noexcept;

/// @brief The first face of DG2, as stored on the chip.
struct FaceImage {
    ImageFormat format{ImageFormat::Unknown};
    int width{0};   ///< from the ISO 19794-5 image information (0 when absent)
    int height{0};
    Bytes data;     ///< the JPEG / JPEG 2000 bytes, byte for byte as on the chip
};

/// @brief Parses DG2 (75 / 7F61 / 7F60 / 5F2E or 7F2E) down to the ISO 19794-5 facial record and its image.
[[nodiscard]] Result<FaceImage> parseDg2(ByteView data);

/// @brief Decodes the image with OpenCV (JPEG and JPEG 2000); Malformed when it cannot be decoded.
[[nodiscard]] Result<cv::Mat> decodeFaceImage(const FaceImage& image);

}  // namespace devices::id
