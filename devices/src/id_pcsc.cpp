#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "devices/id/pcsc.hpp"

namespace devices::id {

namespace {

constexpr const char* kPnpReader = "\\\\?PnP?\\Notification";

std::vector<std::string> splitMultiString(const char* p, DWORD len) {
    std::vector<std::string> out;
    const char* end = p + len;
    while (p < end && *p) {
        out.emplace_back(p);
        p += std::strlen(p) + 1;
    }
    return out;
}

std::string onReader(std::string_view reader) {
    return reader.empty() ? std::string() : " on reader '" + std::string(reader) + "'";
}

}  // namespace

Error pcscError(long rc, std::string_view what, std::string_view reader) {
    const std::string op(what);
    switch (rc) {
        case SCARD_E_NO_SERVICE:
        case SCARD_E_SERVICE_STOPPED:
            return {ErrorCode::NotAvailable, op + ": the PC/SC service (pcscd) is not running: start it "
                                                  "(systemctl start pcscd, or run pcscd as root) and retry"};
        case SCARD_E_NO_READERS_AVAILABLE:
        case SCARD_E_UNKNOWN_READER:
        case SCARD_E_READER_UNAVAILABLE:
            return {ErrorCode::NoReader, op + ": no card reader" + onReader(reader) +
                                             " is connected: plug in the reader (run 'kioskctl id readers' to "
                                             "list them) and retry"};
        case SCARD_E_NO_SMARTCARD:
            return {ErrorCode::NoCard, op + ": no card" + onReader(reader) + ": put the document on the reader"};
        case SCARD_W_REMOVED_CARD:
        case SCARD_W_RESET_CARD:
        case SCARD_E_NOT_TRANSACTED:
        case SCARD_F_COMM_ERROR:
            return {ErrorCode::CardRemoved, op + ": the card was removed or reset during the operation" +
                                                onReader(reader) +
                                                ": put it back, keep it still until the read ends, and retry"};
        case SCARD_E_TIMEOUT:
            return {ErrorCode::Timeout, op + ": timed out" + onReader(reader) + ": put the document on the reader "
                                                                                "and retry"};
        case SCARD_E_CANCELLED:
            return {ErrorCode::Cancelled, op + ": cancelled"};
        case SCARD_E_SHARING_VIOLATION:
            return {ErrorCode::Busy, op + ": another program is using the reader" + onReader(reader) +
                                         ": close it and retry"};
        case SCARD_W_UNRESPONSIVE_CARD:
        case SCARD_W_UNPOWERED_CARD:
        case SCARD_W_UNSUPPORTED_CARD:
        case SCARD_E_PROTO_MISMATCH:
            return {ErrorCode::CardError, op + ": the card does not answer" + onReader(reader) +
                                              ": check that it is a supported document and lies flat on the reader"};
        default:
            return {ErrorCode::Internal, op + ": PC/SC error " + pcsc_stringify_error(rc) +
                                             ": restart pcscd and retry; report it if it persists"};
    }
}

bool atrAnnouncesExtendedLength(ByteView atr) {
    if (atr.size() < 2) return false;
    std::size_t i = 1;
    const int historical = atr[1] & 0x0F;
    std::uint8_t y = atr[1] >> 4;
    ++i;
    while (true) {
        for (int bit = 0; bit < 3; ++bit)
            if (y & (1 << bit)) ++i;  // TA, TB, TC
        if (!(y & 0x08)) break;       // no TD
        if (i >= atr.size()) return false;
        y = atr[i] >> 4;
        ++i;
    }
    if (i + static_cast<std::size_t>(historical) > atr.size()) return false;
    ByteView hist = atr.subspan(i, static_cast<std::size_t>(historical));
    if (hist.empty() || hist[0] != 0x80) return false;
    std::size_t j = 1;
    while (j < hist.size()) {
        const int tag = hist[j] >> 4, len = hist[j] & 0x0F;
        if (j + 1 + static_cast<std::size_t>(len) > hist.size()) return false;
        if (tag == 7 && len >= 3) return (hist[j + 3] & 0x40) != 0;
        j += 1 + static_cast<std::size_t>(len);
    }
    return false;
}

// ---------------------------------------------------------------- context

Result<std::shared_ptr<PcscContext>> PcscContext::establish() {
    SCARDCONTEXT ctx = 0;
    const LONG rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx);
    if (rc != SCARD_S_SUCCESS) return std::unexpected(pcscError(rc, "connecting to the PC/SC service"));
    return std::shared_ptr<PcscContext>(new PcscContext(ctx));
}

PcscContext::~PcscContext() { SCardReleaseContext(m_handle); }

Result<std::vector<std::string>> PcscContext::listReaders() const {
    DWORD len = 0;
    LONG rc = SCardListReaders(m_handle, nullptr, nullptr, &len);
    if (rc == SCARD_E_NO_READERS_AVAILABLE) return std::vector<std::string>{};
    if (rc != SCARD_S_SUCCESS) return std::unexpected(pcscError(rc, "listing readers"));
    std::string buf(len, '\0');
    rc = SCardListReaders(m_handle, nullptr, buf.data(), &len);
    if (rc == SCARD_E_NO_READERS_AVAILABLE) return std::vector<std::string>{};
    if (rc != SCARD_S_SUCCESS) return std::unexpected(pcscError(rc, "listing readers"));
    return splitMultiString(buf.data(), len);
}

Result<Bytes> PcscContext::cardAtr(const std::string& reader) const {
    SCARD_READERSTATE st{};
    st.szReader = reader.c_str();
    st.dwCurrentState = SCARD_STATE_UNAWARE;
    const LONG rc = SCardGetStatusChange(m_handle, 0, &st, 1);
    if (rc != SCARD_S_SUCCESS && rc != SCARD_E_TIMEOUT) return std::unexpected(pcscError(rc, "reading reader state", reader));
    if (st.dwEventState & SCARD_STATE_UNKNOWN) return std::unexpected(pcscError(SCARD_E_UNKNOWN_READER, "reading reader state", reader));
    if (!(st.dwEventState & SCARD_STATE_PRESENT)) return Bytes{};
    return Bytes(st.rgbAtr, st.rgbAtr + std::min<DWORD>(st.cbAtr, sizeof st.rgbAtr));
}

Result<std::string> PcscContext::waitForCard(const std::string& reader, std::chrono::milliseconds timeout) const {
    std::vector<std::string> names;
    if (reader.empty()) {
        auto list = listReaders();
        if (!list) return std::unexpected(list.error());
        if (list->empty()) return std::unexpected(pcscError(SCARD_E_NO_READERS_AVAILABLE, "waiting for a card"));
        names = *list;
    } else {
        names.push_back(reader);
    }
    std::vector<SCARD_READERSTATE> states(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        states[i].szReader = names[i].c_str();
        states[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        const DWORD ms = static_cast<DWORD>(std::max<long long>(0, left.count()));
        const LONG rc = SCardGetStatusChange(m_handle, ms, states.data(), static_cast<DWORD>(states.size()));
        if (rc == SCARD_E_TIMEOUT)
            return std::unexpected(pcscError(rc, "waiting for a card", reader));
        if (rc != SCARD_S_SUCCESS) return std::unexpected(pcscError(rc, "waiting for a card", reader));
        for (auto& s : states) {
            if (s.dwEventState & SCARD_STATE_UNKNOWN)
                return std::unexpected(pcscError(SCARD_E_UNKNOWN_READER, "waiting for a card", s.szReader));
            if ((s.dwEventState & SCARD_STATE_PRESENT) && !(s.dwEventState & SCARD_STATE_MUTE)) return std::string(s.szReader);
            s.dwCurrentState = s.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
        }
        if (ms == 0) return std::unexpected(pcscError(SCARD_E_TIMEOUT, "waiting for a card", reader));
    }
}

void PcscContext::cancel() const { SCardCancel(m_handle); }

// ---------------------------------------------------------------- card

Result<std::unique_ptr<PcscCard>> PcscCard::connect(std::shared_ptr<PcscContext> context, const std::string& reader) {
    std::unique_ptr<PcscCard> card(new PcscCard());
    SCARDHANDLE h = 0;
    DWORD proto = 0;
    const LONG rc = SCardConnect(context->handle(), reader.c_str(), SCARD_SHARE_SHARED,
                                 SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &h, &proto);
    if (rc != SCARD_S_SUCCESS) return std::unexpected(pcscError(rc, "connecting to the card", reader));
    card->m_context = std::move(context);
    card->m_reader = reader;
    card->m_handle = h;
    card->m_protocol = proto;
    std::uint8_t atr[MAX_ATR_SIZE];
    DWORD atrLen = sizeof atr, state = 0, p2 = 0;
    char name[512];
    DWORD nameLen = sizeof name;
    if (SCardStatus(h, name, &nameLen, &state, &p2, atr, &atrLen) == SCARD_S_SUCCESS) {
        card->m_atr.assign(atr, atr + atrLen);
        card->m_extended = atrAnnouncesExtendedLength(card->m_atr);
    }
    return card;
}

PcscCard::~PcscCard() {
    if (m_handle) SCardDisconnect(m_handle, SCARD_LEAVE_CARD);
}

Result<void> PcscCard::reconnect(bool reset) {
    DWORD proto = 0;
    const LONG rc = SCardReconnect(m_handle, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                                   reset ? SCARD_RESET_CARD : SCARD_LEAVE_CARD, &proto);
    if (rc != SCARD_S_SUCCESS) return std::unexpected(pcscError(rc, "reconnecting to the card", m_reader));
    m_protocol = proto;
    return {};
}

Result<Response> PcscCard::raw(const Bytes& command) {
    const SCARD_IO_REQUEST* pci = m_protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    std::vector<std::uint8_t> buf(MAX_BUFFER_SIZE_EXTENDED);
    DWORD len = static_cast<DWORD>(buf.size());
    ++m_count;
    const LONG rc = SCardTransmit(m_handle, pci, command.data(), static_cast<DWORD>(command.size()), nullptr,
                                  buf.data(), &len);
    if (rc != SCARD_S_SUCCESS) return std::unexpected(pcscError(rc, "sending a command to the card", m_reader));
    // vpcd (and some drivers) return an empty answer when the card left in the middle of the command.
    if (len < 2) return std::unexpected(pcscError(SCARD_W_REMOVED_CARD, "sending a command to the card", m_reader));
    return splitResponse(ByteView(buf.data(), len));
}

Result<Response> PcscCard::transmit(const Apdu& apdu) {
    auto r = raw(apdu.encode(m_extended));
    if (!r) return r;
    if ((r->sw >> 8) == 0x6C) {  // wrong Le: re-send with the length the card wants
        Apdu again = apdu;
        again.ne = (r->sw & 0xFF) == 0 ? 256 : (r->sw & 0xFF);
        r = raw(again.encode(m_extended));
        if (!r) return r;
    }
    Bytes data = std::move(r->data);
    std::uint16_t sw = r->sw;
    for (int guard = 0; (sw >> 8) == 0x61 && guard < 256; ++guard) {  // more data: GET RESPONSE
        const Apdu get{static_cast<std::uint8_t>(apdu.cla & 0x03), 0xC0, 0x00, 0x00, {},
                       (sw & 0xFF) == 0 ? 256u : static_cast<std::size_t>(sw & 0xFF)};
        auto more = raw(get.encode(false));
        if (!more) return more;
        data.insert(data.end(), more->data.begin(), more->data.end());
        sw = more->sw;
    }
    return Response{std::move(data), sw};
}

// ---------------------------------------------------------------- watcher

std::string_view readerEventName(ReaderEventKind kind) noexcept {
    switch (kind) {
        case ReaderEventKind::ReaderAdded: return "reader-added";
        case ReaderEventKind::ReaderRemoved: return "reader-removed";
        case ReaderEventKind::CardInserted: return "card-inserted";
        case ReaderEventKind::CardRemoved: return "card-removed";
        case ReaderEventKind::ServiceLost: return "service-lost";
        case ReaderEventKind::ServiceBack: return "service-back";
    }
    return "reader-added";
}

ReaderWatcher::ReaderWatcher(Sink sink) : m_sink(std::move(sink)) {}

ReaderWatcher::~ReaderWatcher() { stop(); }

void ReaderWatcher::start() {
    if (m_thread.joinable()) return;
    m_stop = false;
    m_thread = std::thread([this] { run(); });
}

void ReaderWatcher::stop() {
    if (!m_thread.joinable()) return;
    m_stop = true;
    {
        std::lock_guard lock(m_mutex);
        if (m_context) m_context->cancel();
    }
    m_cv.notify_all();
    // The thread may be between two PC/SC calls when the first cancel arrives: cancel until it leaves.
    while (true) {
        std::unique_lock lock(m_mutex);
        if (m_cv.wait_for(lock, std::chrono::milliseconds(50), [this] { return !m_context; })) break;
        m_context->cancel();
    }
    m_thread.join();
}

void ReaderWatcher::run() {
    bool serviceLost = false;
    std::set<std::string> known;
    while (!m_stop) {
        auto ctx = PcscContext::establish();
        if (!ctx) {
            if (!serviceLost) {
                m_sink(ReaderEvent{ReaderEventKind::ServiceLost, {}, {}, ctx.error().message});
                serviceLost = true;
                for (const auto& r : known) m_sink(ReaderEvent{ReaderEventKind::ReaderRemoved, r, {}, {}});
                known.clear();
            }
            std::unique_lock lock(m_mutex);
            m_cv.wait_for(lock, std::chrono::seconds(1), [this] { return m_stop.load(); });
            continue;
        }
        if (serviceLost) m_sink(ReaderEvent{ReaderEventKind::ServiceBack, {}, {}, {}});
        serviceLost = false;
        {
            std::lock_guard lock(m_mutex);
            m_context = *ctx;
        }
        // Reader states: every reader plus the PnP pseudo-reader for hot-plug.
        std::vector<std::string> names;
        std::vector<SCARD_READERSTATE> states;
        bool relist = true;
        LONG rc = SCARD_S_SUCCESS;
        while (!m_stop) {
            if (relist) {
                auto list = (*ctx)->listReaders();
                if (!list) {
                    rc = SCARD_E_NO_SERVICE;
                    break;
                }
                const std::set<std::string> now(list->begin(), list->end());
                for (const auto& r : known)
                    if (!now.count(r)) m_sink(ReaderEvent{ReaderEventKind::ReaderRemoved, r, {}, {}});
                for (const auto& r : now)
                    if (!known.count(r)) m_sink(ReaderEvent{ReaderEventKind::ReaderAdded, r, {}, {}});
                known = now;
                names.assign(now.begin(), now.end());
                names.emplace_back(kPnpReader);
                std::vector<SCARD_READERSTATE> fresh(names.size());
                for (std::size_t i = 0; i < names.size(); ++i) {
                    fresh[i].szReader = names[i].c_str();
                    fresh[i].dwCurrentState = SCARD_STATE_UNAWARE;
                    for (const auto& old : states)
                        if (old.szReader && names[i] == old.szReader) fresh[i].dwCurrentState = old.dwCurrentState;
                }
                states = std::move(fresh);
                relist = false;
            }
            rc = SCardGetStatusChange((*ctx)->handle(), INFINITE, states.data(), static_cast<DWORD>(states.size()));
            if (rc == SCARD_E_CANCELLED || rc == SCARD_E_TIMEOUT) continue;
            if (rc != SCARD_S_SUCCESS) break;
            for (auto& s : states) {
                const bool pnp = std::string_view(s.szReader) == kPnpReader;
                if (!(s.dwEventState & SCARD_STATE_CHANGED)) continue;
                if (pnp) {
                    relist = true;
                } else if (s.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE)) {
                    relist = true;
                } else {
                    const bool was = (s.dwCurrentState & SCARD_STATE_PRESENT) != 0;
                    const bool is = (s.dwEventState & SCARD_STATE_PRESENT) != 0;
                    if (is && !was)
                        m_sink(ReaderEvent{ReaderEventKind::CardInserted, s.szReader,
                                           Bytes(s.rgbAtr, s.rgbAtr + std::min<DWORD>(s.cbAtr, sizeof s.rgbAtr)), {}});
                    else if (!is && was)
                        m_sink(ReaderEvent{ReaderEventKind::CardRemoved, s.szReader, {}, {}});
                }
                s.dwCurrentState = s.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
            }
        }
        {
            std::lock_guard lock(m_mutex);
            m_context.reset();
        }
        m_cv.notify_all();
        if (m_stop) break;
        // Service gone (or another PC/SC failure): report once and retry.
        (void)rc;
        if (!serviceLost) {
            m_sink(ReaderEvent{ReaderEventKind::ServiceLost, {}, {}, pcscError(rc, "watching readers").message});
            serviceLost = true;
            for (const auto& r : known) m_sink(ReaderEvent{ReaderEventKind::ReaderRemoved, r, {}, {}});
            known.clear();
        }
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, std::chrono::seconds(1), [this] { return m_stop.load(); });
    }
    std::lock_guard lock(m_mutex);
    m_context.reset();
    m_cv.notify_all();
}

}  // namespace devices::id
