#pragma once
/// @file audit_checkpoint.hpp
/// @brief Signed heads of the audit chain. A checkpoint (row id, hash, time, center) signed with the center key
/// can be kept off the machine; a chain that no longer extends it (an older backup put back, rows rewritten and
/// re-hashed) fails `kioskctl audit verify --checkpoint FILE`.

#include <cstdint>
#include <string>
#include <string_view>

#include "training/center_key.hpp"
#include "training/error.hpp"
#include "training/store.hpp"

namespace training {

/// @brief A checkpoint's content.
struct AuditCheckpoint {
    std::int64_t rowId{0};   ///< the last audit row when it was made
    std::string hash;        ///< that row's hash
    std::int64_t at{0};      ///< when it was made (Unix seconds)
    std::string centerId;    ///< the signing center
};

/// @brief Writes the checkpoint of the chain's head now, as JSON signed with @p key (format
/// "badge-audit-checkpoint"), and records it in the audit log ("audit.checkpoint").
/// @retval Refused the audit chain is broken (a checkpoint of a broken chain is worthless)
[[nodiscard]] Result<std::string> makeAuditCheckpoint(Store& store, const CenterKey& key, const Actor& actor);

/// @brief The signed head of the chain as it stands, as a compact JSON object (the checkpoint format without
/// `public_key`: receivers check it with the key they hold, never one the document brings), for documents that
/// travel: every submission manifest and revocation list carries one as `audit_checkpoint`. Writes nothing; the
/// caller's own audit row (e.g. `submission.create`) follows it.
/// @retval Refused the audit chain is broken (a checkpoint of a broken chain is worthless)
[[nodiscard]] Result<std::string> signedAuditHead(Store& store, const CenterKey& key);

/// @brief Checks that the chain is intact and still extends @p checkpointJson: its signature verifies with the
/// center's own trusted key, the row it names exists and has the hash it names. @p checkpointJson is a checkpoint
/// file ('kioskctl audit checkpoint'), or a submission manifest or revocation list of this center, whose
/// `audit_checkpoint` is used.
/// @retval InvalidInput the file is not a checkpoint, nor a manifest or revocation list that carries one (the
///         message names the field)
/// @retval Refused      the signature does not verify, it is another center's, or the chain no longer extends it
///                      (the message says which)
[[nodiscard]] Result<AuditCheckpoint> checkAuditCheckpoint(Store& store, std::string_view checkpointJson);

}  // namespace training
