// Signed heads of the audit chain (audit_checkpoint.hpp).
#include "training/audit_checkpoint.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "training/validation.hpp"
#include "training/json_fields.hpp"

namespace training {
namespace {

using json = nlohmann::json;
constexpr std::string_view kFormat = "badge-audit-checkpoint";

/// The signed checkpoint object of the current head; @p withPublicKey for the stand-alone file.
Result<json> signedHead(Store& store, const CenterKey& key, bool withPublicKey) {
    auto head = store.database().prepare("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
    if (!head) return propagate(head);
    auto row = head->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::Refused, "the audit log is empty; run 'kioskctl init' first");
    json body{{"format", kFormat},
              {"version", 1},
              {"center", key.centerId()},
              {"row_id", head->int64(0)},
              {"hash", head->text(1)},
              {"at", formatUtc(store.now())}};
    if (withPublicKey) body["public_key"] = base64UrlEncode(key.publicKey());
    head->reset();
    body["signature"] = base64UrlEncode(key.sign(body.dump()));
    return body;
}

Result<void> checkIntact(Store& store) {
    auto v = store.verifyAudit();
    if (!v) return propagate(v);
    if (!v->intact)
        return fail(ErrorCode::Refused, fmt::format("the audit chain is broken ({}); a checkpoint of it would vouch "
                                                    "for the damage: restore the latest good backup first",
                                                    v->problem));
    return {};
}

}  // namespace

Result<std::string> signedAuditHead(Store& store, const CenterKey& key) {
    if (auto r = checkIntact(store); !r) return propagate(r);
    auto body = signedHead(store, key, false);
    if (!body) return propagate(body);
    return body->dump();
}

Result<std::string> makeAuditCheckpoint(Store& store, const CenterKey& key, const Actor& actor) {
    if (auto r = checkIntact(store); !r) return propagate(r);
    auto& db = store.database();
    auto tx = db.transaction();
    if (!tx) return propagate(tx);
    // The checkpoint is recorded first, so that it covers its own record.
    if (auto r = store.audit(actor, "audit.checkpoint", "audit", "{}"); !r) return propagate(r);
    auto body = signedHead(store, key, true);
    if (!body) return propagate(body);
    if (auto r = tx->commit(); !r) return propagate(r);
    return body->dump(2) + "\n";
}

Result<AuditCheckpoint> checkAuditCheckpoint(Store& store, std::string_view text) {
    auto j = json::parse(text, nullptr, false);
    const auto bad = [](std::string_view what) {
        return fail(ErrorCode::InvalidInput, fmt::format("not an audit checkpoint ({}); use the output of 'kioskctl "
                                                         "audit checkpoint', a submission manifest.json or a "
                                                         "revocation list of this center",
                                                         what));
    };
    using jsonfields::Kind;
    // A submission manifest or a revocation list carries the head as it stood when it was made.
    // (format is looked at only when it is a string: json::value would throw for a number)
    const bool revocations = j.is_object() && j.contains("format") && j["format"].is_string() &&
                             j["format"].get<std::string>() == "badge-revocations";
    if (j.is_object() && (j.contains("schema") || revocations)) {
        if (auto m = jsonfields::mistyped(j, {{"audit_checkpoint", Kind::Object}})) return bad(*m);
        if (!j.contains("audit_checkpoint"))
            return bad("this manifest or revocation list carries no audit_checkpoint: it was made before checkpoints "
                       "travelled with them");
        json head = j["audit_checkpoint"];
        j = std::move(head);
    }
    if (auto m = jsonfields::mistyped(j, {{"format", Kind::String}, {"version", Kind::Integer}, {"center", Kind::String},
                                          {"row_id", Kind::Integer}, {"hash", Kind::String}, {"at", Kind::String},
                                          {"signature", Kind::String}}))
        return bad(*m);
    for (const char* field : {"format", "version", "center", "row_id", "hash", "signature"})
        if (!j.contains(field)) return bad(fmt::format("field {} is missing", field));
    if (j["format"] != kFormat || j["version"] != 1) return bad("unknown format");
    AuditCheckpoint cp;
    cp.rowId = j["row_id"].get<std::int64_t>();
    cp.hash = j["hash"].get<std::string>();
    cp.centerId = j["center"].get<std::string>();
    // Signed by this center's own key (the trusted key of the database, not one the file brings along).
    auto keys = trustedKeys(store);
    if (!keys) return propagate(keys);
    const CenterPublicKey* own = nullptr;
    for (const auto& k : *keys)
        if (k.own) own = &k;
    if (!own) return fail(ErrorCode::Refused, "this database has no center key to check the checkpoint with; run 'kioskctl init'");
    if (own->centerId != cp.centerId)
        return fail(ErrorCode::Refused, fmt::format("the checkpoint is center {}'s, this database is center {}'s",
                                                    cp.centerId, own->centerId));
    auto sig = base64Decode(j["signature"].get<std::string>());
    json body = j;
    body.erase("signature");
    // Any key of this center that is not revoked: a checkpoint taken before `key rotate` is signed by the retired key.
    auto all = centerKeys(store);
    if (!all) return propagate(all);
    const auto check = sig ? checkCenterSignature(*all, own->centerId, body.dump(), *sig) : KeyCheck{};
    if (check.outcome == KeyCheck::Outcome::RevokedKey)
        return fail(ErrorCode::Refused, fmt::format("the checkpoint was signed with a revoked key: {}", check.revokedText()));
    if (check.outcome != KeyCheck::Outcome::Verified)
        return fail(ErrorCode::Refused, "the checkpoint's signature does not verify with this center's keys: it was "
                                        "altered or is not this center's");
    auto v = store.verifyAudit();
    if (!v) return propagate(v);
    if (!v->intact) return fail(ErrorCode::Refused, fmt::format("the audit chain is broken: {}", v->problem));
    auto st = store.database().prepare("SELECT hash FROM audit_log WHERE id = ?");
    if (!st) return propagate(st);
    st->bindAll(cp.rowId);
    auto row = st->step();
    if (!row) return propagate(row);
    if (!*row)
        return fail(ErrorCode::Refused,
                    fmt::format("the audit log ends before row {}, which the checkpoint of {} saw: rows were removed "
                                "or an older copy of the database was put back",
                                cp.rowId, j.value("at", std::string("?"))));
    if (st->text(0) != cp.hash)
        return fail(ErrorCode::Refused,
                    fmt::format("row {} is not the row the checkpoint of {} saw (its hash differs): the log was "
                                "rewritten and re-hashed, or another copy of the database was put back",
                                cp.rowId, j.value("at", std::string("?"))));
    return cp;
}

}  // namespace training
