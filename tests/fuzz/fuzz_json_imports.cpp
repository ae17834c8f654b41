// libFuzzer target: every JSON a center imports from outside. The first byte picks the reader: an exported
// center key (key trust), a certification rule, a revocation list (revocations import), a network center's
// answer (submit ack), an audit checkpoint (audit verify --checkpoint). Each must give a result or an error that
// says what is wrong, never an exception (a nlohmann::json::type_error aborted kioskctl before).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "training/audit_checkpoint.hpp"
#include "training/center_key.hpp"
#include "training/certificates.hpp"
#include "training/eligibility.hpp"
#include "training/store.hpp"
#include "training/submission.hpp"

namespace {

/// A center in a private temporary folder, made once per process, with one sent batch to acknowledge.
struct Center {
    std::filesystem::path dir;
    std::unique_ptr<training::Store> store;
    std::unique_ptr<training::CenterKey> key;
    /// The network center's key: answers are signed with it so that ack parses past the signature check.
    training::CenterKey network = training::CenterKey::ephemeral("NETWORK");
    std::int64_t batch{0};

    Center() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "fuzz-json.XXXXXX").string();
        dir = ::mkdtemp(tmpl.data());
        auto s = training::Store::open(dir / "center.db", {.create = true});
        if (!s) __builtin_trap();
        store = std::move(*s);
        if (!store->initCenter("FZ01", "fuzz", "fuzz")) __builtin_trap();
        auto k = training::ensureCenterKey(*store, dir / "center.key", "fuzz");
        if (!k) __builtin_trap();
        key = std::make_unique<training::CenterKey>(std::move(*k));
        // A batch in state 'sent' so that ack reads the answer (no worker is needed for that).
        if (!store->database().exec("INSERT INTO submission_batches (code, idempotency_key, state, folder, "
                                    "manifest_sha256, created_at) VALUES ('FZ01-B1', 'k', 'sent', '', '', 0)"))
            __builtin_trap();
        batch = store->database().lastInsertRowId();
    }
    ~Center() {
        store.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static Center center;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const auto failsWithMessage = [](const auto& r) {
        if (!r && r.error().message.empty()) __builtin_trap();
    };
    switch (data[0] % 5) {
        case 0: failsWithMessage(training::parsePublicKey(text)); break;
        case 1: failsWithMessage(training::ruleFromJson(text)); break;
        case 2: {
            training::Certificates certs(*center.store, center.key.get());
            failsWithMessage(certs.importRevocationList(text, "fuzz"));
            break;
        }
        case 3: {
            const auto file = center.dir / "answer.json";
            auto answer = nlohmann::json::parse(text, nullptr, false);
            if (answer.is_object() && !answer.contains("signature")) {
                answer["signature"] = training::base64UrlEncode(center.network.sign(answer.dump()));
                std::ofstream(file, std::ios::binary | std::ios::trunc) << answer.dump();
            } else {
                std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
            }
            training::Submissions subs(*center.store, *center.key, center.network.publicInfo());
            failsWithMessage(subs.ack(center.batch, file, "fuzz"));
            break;
        }
        case 4: failsWithMessage(training::checkAuditCheckpoint(*center.store, text)); break;
    }
    return 0;
}
