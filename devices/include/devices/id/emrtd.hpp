#pragma once
/// @file emrtd.hpp
/// @brief Reading an ICAO eMRTD (passport / ID card chip): SELECT the LDS application, BAC, then EF.COM, DG1,
/// DG2 and EF.SOD under secure messaging with as few READ BINARY commands as the card allows, and passive
/// authentication.

#include <chrono>
#include <functional>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "devices/error.hpp"
#include "devices/id/apdu.hpp"
#include "devices/id/lds.hpp"
#include "devices/id/mrz.hpp"
#include "devices/id/passive_auth.hpp"

namespace devices::id {

/// @brief Options of a passport read.
struct PassportReadOptions {
    std::optional<std::filesystem::path> cscaDir;  ///< trust anchors for passive authentication
    bool readFace{true};                           ///< read DG2
    std::size_t shortChunk{0xDF};                  ///< READ BINARY size without extended length (fits SM)
    std::size_t extendedChunk{0xFE00};             ///< READ BINARY size with extended length
};

/// @brief Everything read from the chip.
struct PassportData {
    EfCom com;
    std::string mrzText;         ///< DG1 MRZ as stored
    Mrz mrz;                     ///< parsed DG1 (checks recorded even when one failed)
    std::optional<FaceImage> face;
    PaResult pa;
    Bytes rawCom, rawSod;
    std::map<int, Bytes> rawGroups;  ///< data group number -> bytes as read
    std::size_t apdus{0};            ///< APDUs exchanged for this read
    bool extendedLength{false};      ///< whether extended-length READ BINARY was used
    std::string reader;              ///< PC/SC reader name (readPassportFromReader() only)
};

/// @brief Reads the chip on @p channel with the BAC key @p key. A wrong key gives AccessDenied ("the document
/// did not accept the access key: check the document number, birth date and expiry"). When the very first
/// command (SELECT of the LDS application) fails, at the transport level or with a status other than "no such
/// application" (e.g. 6F00 from a card that was just put down), @p recover is called once (readPassportFromReader()
/// reconnects with a warm reset) and the read is retried. When the retry fails its first command again with a
/// status, the error is CardError "the card failed its first command twice, also after a reset (status XXXX): ...";
/// a transport failure keeps its own code (e.g. CardRemoved).
[[nodiscard]] Result<PassportData> readPassport(CardChannel& channel, const MrzKey& key,
                                                const PassportReadOptions& options = {},
                                                const std::function<Result<void>()>& recover = {});

/// @brief Connects through PC/SC to @p reader (empty: the first reader with a card), waiting up to @p wait for a
/// card, and reads the passport (see readPassport()).
[[nodiscard]] Result<PassportData> readPassportFromReader(const std::string& reader, const MrzKey& key,
                                                          const PassportReadOptions& options = {},
                                                          std::chrono::milliseconds wait = std::chrono::milliseconds(0));

}  // namespace devices::id
