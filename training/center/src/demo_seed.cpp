// The demo center: the records `make demo` starts from (moved out of kioskctl's callback, issue 12).
#include "center/demo_seed.hpp"

#include <sodium.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "training/bank_file.hpp"
#include "training/center_key.hpp"
#include "training/database.hpp"
#include "training/id_number.hpp"
#include "training/uscc.hpp"
#include "training/validation.hpp"

namespace center {
namespace {

using training::ErrorCode;
using training::fail;
using training::propagate;

std::string withIdCheck(std::string first17) {
    first17.push_back(training::chinaIdCheckCharacter(first17));
    return first17;
}

std::string withUsccCheck(std::string first17) {
    first17.push_back(training::usccCheckCharacter(first17));
    return first17;
}

std::string randomPin() { return fmt::format("{:06}", randombytes_uniform(900000) + 100000); }

struct DemoWorker {
    const char* name;
    const char* first17;
    const char* phone;
    std::vector<std::string> services;
    const char* education;
};

/// A default bank: its file name and what it holds.
struct DefaultBank {
    std::string file;
    training::NativeBankResult parsed;
};

/// The default banks of @p folder, parsed; a bank that does not load is an error (they ship with the product).
Result<std::vector<DefaultBank>> loadDefaultBanks(const std::filesystem::path& folder) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
        if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::ranges::sort(files);
    std::vector<DefaultBank> banks;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        auto parsed = training::parseNativeBank(ss.str(), file.string());
        if (parsed.failed > 0 || !parsed.headerValid)
            return fail(ErrorCode::Internal,
                        fmt::format("the default bank {} does not load: {}", file.string(),
                                    parsed.diagnostics.empty() ? "" : parsed.diagnostics.front().message));
        banks.push_back({file.filename().string(), std::move(parsed)});
    }
    return banks;
}

}  // namespace

Result<DemoCenter> seedDemoCenter(Operations& ops, const std::filesystem::path& questionBanks, const Actor& actor) {
    auto& store = ops.store();
    auto& exams = ops.exams();
    auto banks = loadDefaultBanks(questionBanks);
    if (!banks) return propagate(banks);
    auto tx = store.database().transaction();
    if (!tx) return propagate(tx);
    DemoCenter out;
    auto center = store.center();
    if (!center) center = store.initCenter("DEMO", "演示家政培训中心 Demo Training Center", actor);
    if (!center) return propagate(center);
    out.center = *center;
    auto agencies = store.listAgencies();
    if (!agencies) return propagate(agencies);
    if (!agencies->empty())
        return fail(ErrorCode::Refused,
                    "this database already has records; demo-seed only fills a new database (use another --db)");
    // The demo center signs certificates like a real one (ensureCenterKey makes a missing center folder).
    if (auto key = training::ensureCenterKey(store, ops.paths().key, actor); !key) return propagate(key);

    for (const auto& [name, prefix, rep] :
         {std::tuple{"上海安心家政服务有限公司", "91310104MA1FL2K3A", "周敏"},
          std::tuple{"上海惠民家庭服务社", "52310115MJ4G7P1QX", "吴海燕"}}) {
        auto a = store.addAgency({name, withUsccCheck(prefix), std::string(rep), "上海市", std::nullopt}, actor);
        if (!a) return propagate(a);
        out.agencies.push_back(*a);
    }

    std::optional<std::int64_t> trainerId;
    for (const auto& [name, role] : {std::pair{"管理员 Admin", training::Role::Admin},
                                     std::pair{"张老师 Trainer Zhang", training::Role::Trainer},
                                     std::pair{"李干事 Clerk Li", training::Role::Clerk}}) {
        const auto pin = randomPin();
        auto s = store.addStaff(name, role, pin, actor);
        if (!s) return propagate(s);
        if (role == training::Role::Trainer) trainerId = s->id;
        out.staff.push_back({*s, pin});
    }

    const std::vector<DemoWorker> demo{
        {"王秀英", "31010119780312002", "13816620001", {"cleaning", "housekeeping"}, "junior"},
        {"李娟", "34010219850721104", "13916620002", {"nanny", "maternity"}, "senior"},
        {"张桂兰", "32010219700105062", "13761620003", {"elder-care", "patient-care"}, "primary"},
        {"刘芳", "41010219900918328", "15021620004", {"cooking", "cleaning"}, "vocational"},
        {"陈建国", "51010419820430071", "18616620005", {"appliance-care", "cleaning"}, "senior"},
        {"杨丽", "31011519921111204", "13661620006", {"maternity", "nanny"}, "college"},
    };
    const auto today = training::localDate(store.now());
    const auto healthDate = training::formatDate(std::chrono::sys_days(today) - std::chrono::days(40));
    std::vector<std::int64_t> workerIds;
    for (std::size_t i = 0; i < demo.size(); ++i) {
        training::WorkerIdentity id;
        id.docNumber = withIdCheck(demo[i].first17);
        id.name = demo[i].name;
        id.idIssuer = "上海市公安局";
        training::WorkerProfile p;
        p.phone = demo[i].phone;
        p.address = "上海市";
        p.serviceTypes = demo[i].services;
        p.education = demo[i].education;
        p.agencyId = out.agencies[i % out.agencies.size()].id;
        if (i < 4) {
            p.healthCheckDate = healthDate;
            p.healthCheckResult = "pass";
            p.healthCheckIssuer = "上海市社区卫生服务中心";
        }
        auto w = store.addWorker(id, p, actor);
        if (!w) return propagate(w);
        workerIds.push_back(w->id);
        out.workers.push_back(*w);
    }

    // The course ran on the days before today (two sessions a day, every module), everyone on every roster. A real
    // center holds the badge exam after the training: the first five workers attended it all and may sit the
    // exam; the sixth enrolled late, attended nothing and cannot start the exam until she has the hours (or a
    // trainer admits her: 'kioskctl exam sitting admit').
    auto course = store.course("badge");
    if (!course) return propagate(course);
    const auto todayDays = std::chrono::sys_days(today);
    out.courseDays = static_cast<int>((course->modules.size() + 1) / 2);
    int slot = 0;
    for (const auto& m : course->modules) {
        const auto day = todayDays - std::chrono::days(out.courseDays - slot / 2);
        const auto start = training::localMidnight(day) + (slot % 2 == 0 ? 9 : 14) * 3600;
        const auto length = std::max<std::int64_t>(m.requiredMinutes, 60) * 60;
        auto s = store.addSession(course->id, m.code, trainerId, "201", start, start + length, actor);
        if (!s) return propagate(s);
        for (auto wid : workerIds)
            if (auto r = store.addToRoster(s->id, wid, actor); !r) return propagate(r);
        if (s->endsAt <= store.now())
            for (std::size_t i = 0; i < 5 && i < workerIds.size(); ++i) {
                if (auto r = store.checkIn(s->id, workerIds[i], training::AttendanceMethod::Staff, std::nullopt, actor,
                                           s->startsAt - 300);
                    !r)
                    return propagate(r);
                if (auto r = store.checkOut(s->id, workerIds[i], training::AttendanceMethod::Staff, actor, s->endsAt);
                    !r)
                    return propagate(r);
            }
        auto fresh = store.session(s->id);
        out.sessions.push_back(fresh ? *fresh : *s);
        ++slot;
    }
    // A session running now, whatever the day or hour (weekends included): a visitor can check in at once.
    if (!course->modules.empty()) {
        const auto now = store.now();
        const auto start = now - now % 300 - 1800;  // began half an hour ago, on a 5-minute mark
        auto s = store.addSession(course->id, course->modules.front().code, trainerId, "101", start,
                                  start + 4 * 3600, actor);
        if (!s) return propagate(s);
        for (auto wid : workerIds)
            if (auto r = store.addToRoster(s->id, wid, actor); !r) return propagate(r);
        out.sessions.push_back(*s);
    }

    // The default question banks, all in one exam bank, and an open exam sitting for every demo worker. One exam
    // bank scores in one mode: the banks' own when they agree. When they do not, proportional (partial credit,
    // and a wrong option costs: a multiple-response question without weights gets the default penalty).
    std::map<exam::MultipleScoring, std::vector<std::string>> modes;  // scoring mode -> files declaring it
    for (const auto& b : *banks) modes[b.parsed.bank.scoring].push_back(b.file);
    out.scoring = modes.size() == 1 ? modes.begin()->first : exam::MultipleScoring::Proportional;
    if (modes.size() > 1)
        for (const auto& [mode, names] : modes)
            for (const auto& name : names)
                out.scoringNote += fmt::format("{}{} {}", out.scoringNote.empty() ? "" : ", ", name,
                                               exam::multipleScoringName(mode));
    for (const auto& b : *banks) {
        auto c = exams.importQuestions("badge-default", {"家政上门服务证题库", "Home-service badge questions"},
                                       out.scoring, b.parsed.bank.questions, actor);
        if (!c) return propagate(c);
        out.questionsImported += c->added;
    }
    if (out.questionsImported > 0) {
        const auto in = training::defaultSittingInput(*course);
        auto sitting = exams.createSitting(in, actor);
        if (!sitting) return propagate(sitting);
        for (auto wid : workerIds)
            if (auto r = exams.addCandidate(sitting->id, wid, actor); !r) return propagate(r);
        auto opened = exams.openSitting(sitting->id, actor);
        if (!opened) return propagate(opened);
        out.sitting = *opened;
        out.sittingQuestions = in.blueprint.totalQuestions();
    }
    if (auto r = tx->commit(); !r) return propagate(r);
    return out;
}

}  // namespace center
