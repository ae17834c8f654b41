#include "exam/stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace exam {

ResponseMatrix::ResponseMatrix(std::size_t attempts, std::size_t items)
    : attemptCount(attempts),
      itemCount(items),
      credit(attempts * items, kNotPresented),
      chosen(attempts * items, 0),
      optionCount(items, 0),
      itemModule(items) {}

void ResponseMatrixBuilder::add(const Paper& paper, std::span<const ItemResponse> responses) {
    std::vector<Cell> row;
    row.reserve(paper.items.size());
    for (std::size_t i = 0; i < paper.items.size(); ++i) {
        const Question& q = paper.items[i].question;
        auto it = m_column.find(q.id);
        if (it == m_column.end()) {
            it = m_column.emplace(q.id, m_ids.size()).first;
            m_ids.push_back(q.id);
            m_modules.push_back(q.module);
            m_optionCounts.push_back(static_cast<int>(q.options.size()));
        }
        m_optionCounts[it->second] = std::max(m_optionCounts[it->second], static_cast<int>(q.options.size()));
        std::uint32_t mask = 0;
        float credit = 0.0f;
        if (i < responses.size()) {
            for (int o : responses[i].chosen)
                if (o >= 0 && o < 32) mask |= 1u << o;
            credit = static_cast<float>(scoreResponse(q, paper.scoring, responses[i].chosen));
        }
        row.push_back(Cell{it->second, credit, mask});
    }
    m_rows.push_back(std::move(row));
}

ResponseMatrix ResponseMatrixBuilder::build() const {
    ResponseMatrix m(m_rows.size(), m_ids.size());
    m.optionCount = m_optionCounts;
    m.itemModule = m_modules;
    for (std::size_t a = 0; a < m_rows.size(); ++a)
        for (const Cell& c : m_rows[a]) m.set(a, c.column, c.credit, c.chosen);
    return m;
}

namespace {

double sampleVariance(double sum, double sumSq, double n) {
    if (n < 2) return 0.0;
    const double v = (sumSq - sum * sum / n) / (n - 1);
    return v > 0 ? v : 0.0;
}

}  // namespace

SittingStatistics computeStatistics(const ResponseMatrix& m, double passMark) {
    SittingStatistics out;
    const std::size_t A = m.attemptCount;
    const std::size_t K = m.itemCount;
    if (m.credit.size() != A * K || m.chosen.size() != A * K || m.optionCount.size() != K || m.itemModule.size() != K)
        return out;
    out.attempts = static_cast<int>(A);
    out.items.resize(K);

    // modules: index per item
    std::vector<std::string> modules;
    std::vector<std::size_t> moduleOf(K);
    for (std::size_t i = 0; i < K; ++i) {
        auto it = std::ranges::find(modules, m.itemModule[i]);
        if (it == modules.end()) {
            modules.push_back(m.itemModule[i]);
            it = std::prev(modules.end());
        }
        moduleOf[i] = static_cast<std::size_t>(it - modules.begin());
    }
    const std::size_t M = modules.size();

    struct Acc {
        double n = 0, sx = 0, sxx = 0, sy = 0, syy = 0, sxy = 0;
    };
    std::vector<Acc> acc(K);
    for (std::size_t i = 0; i < K; ++i) out.items[i].optionFrequency.assign(static_cast<std::size_t>(std::max(0, m.optionCount[i])), 0);

    std::vector<double> scores(A);
    std::vector<int> modulePasses(M, 0);
    std::vector<int> moduleAttempts(M, 0);
    std::vector<double> modEarned(M), modItems(M);
    double totalSum = 0, totalSq = 0;  // of T (for alpha)
    bool complete = true;

    for (std::size_t a = 0; a < A; ++a) {
        const float* row = &m.credit[a * K];
        const std::uint32_t* picks = &m.chosen[a * K];
        double T = 0;
        int presented = 0;
        std::fill(modEarned.begin(), modEarned.end(), 0.0);
        std::fill(modItems.begin(), modItems.end(), 0.0);
        for (std::size_t i = 0; i < K; ++i) {
            if (row[i] < 0) {
                complete = false;
                continue;
            }
            T += row[i];
            ++presented;
            modEarned[moduleOf[i]] += row[i];
            modItems[moduleOf[i]] += 1;
        }
        scores[a] = presented ? 100.0 * T / presented : 0.0;
        totalSum += T;
        totalSq += T * T;
        for (std::size_t j = 0; j < M; ++j) {
            if (modItems[j] == 0) continue;
            ++moduleAttempts[j];
            if (100.0 * modEarned[j] / modItems[j] + 1e-9 >= passMark) ++modulePasses[j];
        }
        for (std::size_t i = 0; i < K; ++i) {
            if (row[i] < 0) continue;
            const double x = row[i];
            const double y = T - x;
            Acc& c = acc[i];
            c.n += 1;
            c.sx += x;
            c.sxx += x * x;
            c.sy += y;
            c.syy += y * y;
            c.sxy += x * y;
            ItemStatistics& is = out.items[i];
            std::uint32_t mask = picks[i];
            if (mask) ++is.answered;
            auto& freq = is.optionFrequency;
            while (mask) {
                const int bit = std::countr_zero(mask);
                if (static_cast<std::size_t>(bit) < freq.size()) ++freq[static_cast<std::size_t>(bit)];
                mask &= mask - 1;
            }
        }
    }

    double sumItemVar = 0;
    for (std::size_t i = 0; i < K; ++i) {
        const Acc& c = acc[i];
        ItemStatistics& is = out.items[i];
        is.presented = static_cast<int>(c.n);
        if (c.n == 0) continue;
        is.facility = c.sx / c.n;
        const double vx = sampleVariance(c.sx, c.sxx, c.n);
        const double vy = sampleVariance(c.sy, c.syy, c.n);
        is.standardDeviation = std::sqrt(vx);
        sumItemVar += vx;
        if (c.n >= 2 && vx > 1e-12 && vy > 1e-12) {
            const double cov = (c.sxy - c.sx * c.sy / c.n) / (c.n - 1);
            is.discrimination = std::clamp(cov / std::sqrt(vx * vy), -1.0, 1.0);
        }
    }

    if (A > 0) {
        double s = 0, ss = 0;
        for (double v : scores) {
            s += v;
            ss += v * v;
        }
        out.mean = s / static_cast<double>(A);
        out.standardDeviation = std::sqrt(sampleVariance(s, ss, static_cast<double>(A)));
        std::vector<double> sorted = scores;
        const std::size_t mid = A / 2;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(mid), sorted.end());
        out.median = sorted[mid];
        if (A % 2 == 0) {
            const double lower = *std::max_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(mid));
            out.median = (out.median + lower) / 2.0;
        }
    }
    const double varT = sampleVariance(totalSum, totalSq, static_cast<double>(A));
    if (complete && K >= 2 && A >= 2 && varT > 1e-12) {
        const double k = static_cast<double>(K);
        out.cronbachAlpha = k / (k - 1) * (1.0 - sumItemVar / varT);
    }
    for (std::size_t j = 0; j < M; ++j)
        out.modulePassRate.emplace_back(
            modules[j], moduleAttempts[j] ? static_cast<double>(modulePasses[j]) / moduleAttempts[j] : 0.0);
    return out;
}

std::string_view itemFlagName(ItemFlag flag) noexcept {
    switch (flag) {
        case ItemFlag::TooHard: return "too-hard";
        case ItemFlag::TooEasy: return "too-easy";
        case ItemFlag::LowDiscrimination: return "low-discrimination";
    }
    return "too-hard";
}

std::string_view itemFlagAdvice(ItemFlag flag) noexcept {
    switch (flag) {
        case ItemFlag::TooHard:
            return "almost nobody answers it right: check the key, then the wording, then whether the course teaches it";
        case ItemFlag::TooEasy:
            return "almost everybody answers it right: make the distractors plausible, or retire it";
        case ItemFlag::LowDiscrimination:
            return "strong and weak candidates do equally well: look for an ambiguous stem or a second defensible "
                   "answer, or retire it";
    }
    return "";
}

std::vector<ItemFlag> flagItem(const ItemStatistics& item, int minPresented) {
    std::vector<ItemFlag> out;
    if (item.presented < minPresented || item.presented <= 0) return out;
    if (item.facility < kLowFacility) out.push_back(ItemFlag::TooHard);
    if (item.facility > kHighFacility) out.push_back(ItemFlag::TooEasy);
    if (item.discrimination && *item.discrimination < kLowDiscrimination) out.push_back(ItemFlag::LowDiscrimination);
    return out;
}

}  // namespace exam
