// The store's change notifications (change_feed.hpp): LISTEN on PostgreSQL, the file's data_version on SQLite.
#include "training/change_feed.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>

#include "postgres.hpp"

namespace training {

std::string sittingTopic(std::int64_t sittingId) { return fmt::format("sitting:{}", sittingId); }

bool Changes::has(std::string_view topic) const {
    return std::ranges::any_of(topics, [&](const std::string& t) { return t == topic || t == kTopicAny; });
}

namespace {

void addTopic(Changes& c, std::string topic) {
    if (std::ranges::find(c.topics, topic) == c.topics.end()) c.topics.push_back(std::move(topic));
}

/// How often the SQLite feed looks at the file's change counter.
constexpr std::chrono::milliseconds kSqliteTick{250};

}  // namespace

ChangeFeed::ChangeFeed(Database db) : m_db(std::move(db)), m_wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

ChangeFeed::~ChangeFeed() {
    if (m_wake >= 0) ::close(m_wake);
}

Result<std::unique_ptr<ChangeFeed>> ChangeFeed::open(const std::filesystem::path& target) {
    OpenOptions options;
    options.create = false;
    options.readOnly = true;
    auto db = Database::open(target, options);
    if (!db) return propagate(db);
    std::unique_ptr<ChangeFeed> feed(new ChangeFeed(std::move(*db)));
    if (feed->m_wake < 0)
        return fail(ErrorCode::Io, fmt::format("cannot make the change feed's wake-up descriptor: {}",
                                               std::generic_category().message(errno)));
    if (feed->pushes()) {
        if (auto r = feed->listen(); !r) return propagate(r);
    } else {
        auto v = feed->m_db.queryInt("PRAGMA data_version");
        if (!v) return propagate(v);
        feed->m_dataVersion = *v;
    }
    return feed;
}

bool ChangeFeed::pushes() const noexcept { return m_db.backend() == Backend::Postgres; }

void ChangeFeed::interrupt() noexcept {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(m_wake, &one, sizeof one);
}

Result<void> ChangeFeed::listen() {
    m_listening = false;
    if (auto r = m_db.exec(fmt::format("LISTEN {}", kChangeChannel)); !r) return r;
    m_listening = true;
    return {};
}

bool ChangeFeed::pollFor(int socket, std::chrono::milliseconds timeout, bool& readable) {
    pollfd fds[2] = {{m_wake, POLLIN, 0}, {socket, POLLIN, 0}};
    readable = false;
    const int n = ::poll(fds, socket >= 0 ? 2 : 1, static_cast<int>(std::max<std::int64_t>(0, timeout.count())));
    if (n <= 0) return false;  // timeout, or a signal: the caller waits again
    if (socket >= 0 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) readable = true;
    if (fds[0].revents & POLLIN) {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto got = ::read(m_wake, &count, sizeof count);
        return true;
    }
    return false;
}

Result<Changes> ChangeFeed::wait(std::chrono::milliseconds timeout) {
    return pushes() ? waitPostgres(timeout) : waitSqlite(timeout);
}

Result<Changes> ChangeFeed::waitSqlite(std::chrono::milliseconds timeout) {
    Changes out;
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto v = m_db.queryInt("PRAGMA data_version");
        if (!v) return propagate(v);
        if (*v != m_dataVersion) {
            m_dataVersion = *v;
            addTopic(out, std::string(kTopicAny));
            return out;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return out;
        bool readable = false;
        if (pollFor(-1, std::min(left, kSqliteTick), readable)) return out;
    }
}

Result<Changes> ChangeFeed::waitPostgres(std::chrono::milliseconds timeout) {
    auto& pg = *m_db.m_pg;
    Changes out;
    if (PQstatus(pg.conn) != CONNECTION_OK || !m_listening) {
        // Lost: connect again and listen again; what was sent meanwhile was not heard.
        if (PQstatus(pg.conn) != CONNECTION_OK)
            if (auto r = m_db.reconnectPostgres(); !r) return propagate(r);
        if (auto r = listen(); !r) return propagate(r);
        addTopic(out, std::string(kTopicAny));
        return out;
    }
    const auto collect = [&] {
        while (PGnotify* n = PQnotifies(pg.conn)) {
            if (kChangeChannel == n->relname) addTopic(out, n->extra ? n->extra : "");
            PQfreemem(n);
        }
    };
    collect();  // heard while an earlier command ran
    if (!out.empty()) return out;
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return out;
        bool readable = false;
        if (pollFor(PQsocket(pg.conn), left, readable)) return out;
        if (!readable) continue;
        if (PQconsumeInput(pg.conn) == 0 || PQstatus(pg.conn) != CONNECTION_OK) {
            m_listening = false;
            return std::unexpected(detail::pgError(pg, nullptr, "listening for changes"));
        }
        collect();
        if (!out.empty()) return out;
    }
}

}  // namespace training
