#include "training/schema.hpp"

#include <array>
#include <cctype>
#include <string>
#include <utility>
#include <fmt/format.h>

namespace training {
namespace {

// Version 1: the center's records (issue 2). Times are Unix seconds (INTEGER), calendar dates are
// 'YYYY-MM-DD' text, lists are JSON arrays. Portable SQL so that PostgreSQL can follow.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE center (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  code        TEXT NOT NULL,
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE agencies (
  id                   INTEGER PRIMARY KEY,
  name                 TEXT NOT NULL,
  uscc                 TEXT NOT NULL UNIQUE,
  legal_representative TEXT,
  address              TEXT,
  licence_no           TEXT,
  integrity_signed_at  INTEGER,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);

CREATE TABLE workers (
  id                    INTEGER PRIMARY KEY,
  doc_type              TEXT NOT NULL CHECK (doc_type IN ('cn-id', 'passport')),
  doc_number            TEXT NOT NULL,
  issuing_state         TEXT NOT NULL DEFAULT 'CHN',
  name                  TEXT NOT NULL,
  name_latin            TEXT,
  sex                   TEXT NOT NULL DEFAULT '' CHECK (sex IN ('F', 'M', '')),
  birth_date            TEXT,
  nationality           TEXT,
  ethnicity             TEXT,
  id_address            TEXT,
  id_issuer             TEXT,
  id_valid_from         TEXT,
  id_valid_until        TEXT,
  residence_permit      TEXT,
  phone                 TEXT,
  address               TEXT,
  service_types         TEXT NOT NULL DEFAULT '[]',
  specialties           TEXT NOT NULL DEFAULT '[]',
  education             TEXT,
  health_check_date     TEXT,
  health_check_result   TEXT CHECK (health_check_result IN ('pass', 'fail')),
  health_check_issuer   TEXT,
  insurance_policy      TEXT,
  insurer               TEXT,
  insurance_valid_until TEXT,
  agency_id             INTEGER REFERENCES agencies(id) ON DELETE RESTRICT,
  identity_verified_at  INTEGER,
  identity_method       TEXT,
  face_verified_at      INTEGER,
  face_score            REAL,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  UNIQUE (doc_type, issuing_state, doc_number)
);
CREATE INDEX workers_doc_number ON workers(doc_number);
CREATE INDEX workers_name ON workers(name);
CREATE INDEX workers_phone ON workers(phone);
CREATE INDEX workers_agency ON workers(agency_id);

CREATE TABLE worker_images (
  worker_id   INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('chip', 'portrait')),
  mime        TEXT NOT NULL,
  data        BLOB NOT NULL,
  captured_at INTEGER NOT NULL,
  PRIMARY KEY (worker_id, kind)
);

CREATE TABLE consents (
  id           INTEGER PRIMARY KEY,
  worker_id    INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('commitment', 'credit-check', 'biometric')),
  text_version TEXT NOT NULL,
  text_sha256  TEXT NOT NULL CHECK (length(text_sha256) = 64),
  signature_png BLOB NOT NULL,
  signed_at    INTEGER NOT NULL,
  withdrawn_at INTEGER
);
CREATE INDEX consents_worker ON consents(worker_id, kind);

CREATE TABLE staff (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('admin', 'trainer', 'clerk')),
  pin_hash        TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until    INTEGER,
  active          INTEGER NOT NULL DEFAULT 1,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);

CREATE TABLE courses (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL UNIQUE,
  name_zh    TEXT NOT NULL,
  name_en    TEXT NOT NULL,
  pass_mark  INTEGER NOT NULL DEFAULT 80 CHECK (pass_mark BETWEEN 0 AND 100),
  created_at INTEGER NOT NULL
);

CREATE TABLE course_modules (
  course_id        INTEGER NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
  module_code      TEXT NOT NULL,
  position         INTEGER NOT NULL,
  required_minutes INTEGER NOT NULL CHECK (required_minutes >= 0),
  examined         INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (course_id, module_code)
);

CREATE TABLE sessions (
  id          INTEGER PRIMARY KEY,
  course_id   INTEGER NOT NULL,
  module_code TEXT NOT NULL,
  trainer_id  INTEGER REFERENCES staff(id),
  room        TEXT NOT NULL DEFAULT '',
  starts_at   INTEGER NOT NULL,
  ends_at     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  CHECK (ends_at > starts_at),
  FOREIGN KEY (course_id, module_code) REFERENCES course_modules(course_id, module_code)
);
CREATE INDEX sessions_start ON sessions(starts_at);

CREATE TABLE roster (
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  worker_id  INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  added_at   INTEGER NOT NULL,
  PRIMARY KEY (session_id, worker_id)
);
CREATE INDEX roster_worker ON roster(worker_id);

CREATE TABLE attendance (
  id               INTEGER PRIMARY KEY,
  session_id       INTEGER NOT NULL REFERENCES sessions(id),
  worker_id        INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  check_in_at      INTEGER NOT NULL,
  check_out_at     INTEGER,
  check_in_method  TEXT NOT NULL CHECK (check_in_method IN ('face', 'staff', 'card')),
  check_out_method TEXT CHECK (check_out_method IN ('face', 'staff', 'card', 'auto')),
  face_score       REAL,
  CHECK (check_out_at IS NULL OR check_out_at >= check_in_at)
);
-- Covering index: hours per module read a worker's presences without touching the table.
CREATE INDEX attendance_worker ON attendance(worker_id, session_id, check_in_at, check_out_at);
CREATE INDEX attendance_session ON attendance(session_id);

CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  subject   TEXT NOT NULL,
  details   TEXT NOT NULL DEFAULT '{}',
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE TABLE audit_head (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  last_id   INTEGER NOT NULL,
  last_hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";


// Version 2: question banks, exam sittings and attempts (issue 5). Question content is stored as JSON,
// one row per (question, version): attempts point at the exact version they showed.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE question_banks (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL UNIQUE,
  title_zh   TEXT NOT NULL,
  title_en   TEXT NOT NULL DEFAULT '',
  scoring    TEXT NOT NULL CHECK (scoring IN ('all-or-nothing', 'proportional')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE questions (
  id           INTEGER PRIMARY KEY,
  bank_id      INTEGER NOT NULL REFERENCES question_banks(id),
  question_key TEXT NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  module       TEXT NOT NULL,
  difficulty   INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 3),
  type         TEXT NOT NULL CHECK (type IN ('single', 'multiple', 'truefalse')),
  content      TEXT NOT NULL,
  retired      INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  UNIQUE (bank_id, question_key, version)
);

CREATE TABLE sittings (
  id              INTEGER PRIMARY KEY,
  course_id       INTEGER NOT NULL REFERENCES courses(id),
  bank_id         INTEGER NOT NULL REFERENCES question_banks(id),
  title           TEXT NOT NULL,
  blueprint       TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'open', 'paused', 'closed')),
  seats           INTEGER NOT NULL CHECK (seats >= 1),
  review_policy   TEXT NOT NULL DEFAULT 'none' CHECK (review_policy IN ('none', 'own', 'correct')),
  grace_seconds   INTEGER NOT NULL DEFAULT 0 CHECK (grace_seconds >= 0),
  scheduled_start INTEGER,
  opened_at       INTEGER,
  closed_at       INTEGER,
  created_at      INTEGER NOT NULL
);

CREATE TABLE sitting_pauses (
  sitting_id INTEGER NOT NULL REFERENCES sittings(id) ON DELETE CASCADE,
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  PRIMARY KEY (sitting_id, started_at)
);

CREATE TABLE sitting_candidates (
  sitting_id    INTEGER NOT NULL REFERENCES sittings(id) ON DELETE CASCADE,
  worker_id     INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  extra_seconds INTEGER NOT NULL DEFAULT 0 CHECK (extra_seconds >= 0),
  added_at      INTEGER NOT NULL,
  PRIMARY KEY (sitting_id, worker_id)
);
CREATE INDEX sitting_candidates_worker ON sitting_candidates(worker_id);

CREATE TABLE attempts (
  id            INTEGER PRIMARY KEY,
  sitting_id    INTEGER NOT NULL REFERENCES sittings(id),
  worker_id     INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  attempt_no    INTEGER NOT NULL CHECK (attempt_no >= 1),
  seed          TEXT NOT NULL,
  pass_mark     REAL NOT NULL,
  duration_s    INTEGER NOT NULL,
  scoring       TEXT NOT NULL,
  started_at    INTEGER NOT NULL,
  current_item  INTEGER NOT NULL DEFAULT 0,
  submitted_at  INTEGER,
  submit_reason TEXT CHECK (submit_reason IN ('candidate', 'deadline', 'proctor')),
  score         REAL,
  passed        INTEGER,
  grade         TEXT,
  UNIQUE (sitting_id, worker_id, attempt_no)
);
CREATE INDEX attempts_worker ON attempts(worker_id);

CREATE TABLE attempt_items (
  attempt_id   INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  question_id  INTEGER NOT NULL REFERENCES questions(id),
  option_order TEXT NOT NULL,
  chosen       TEXT NOT NULL DEFAULT '[]',
  flagged      INTEGER NOT NULL DEFAULT 0,
  answered_at  INTEGER,
  PRIMARY KEY (attempt_id, position)
);

CREATE TABLE attempt_events (
  id         INTEGER PRIMARY KEY,
  attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
  at         INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  item       INTEGER NOT NULL DEFAULT -1,
  chosen     TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX attempt_events_attempt ON attempt_events(attempt_id);
)sql";

// Version 3: certification (issue 6): rules per course, trusted center keys, certificates, revocations,
// submission batches and their workers.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE certification_rules (
  course_id  INTEGER PRIMARY KEY REFERENCES courses(id) ON DELETE CASCADE,
  rule       TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE trusted_keys (
  center_id  TEXT PRIMARY KEY,
  name       TEXT NOT NULL DEFAULT '',
  public_key TEXT NOT NULL,
  own        INTEGER NOT NULL DEFAULT 0,
  added_at   INTEGER NOT NULL
);

CREATE TABLE certificates (
  id                INTEGER PRIMARY KEY,
  number            TEXT NOT NULL UNIQUE,
  year              INTEGER NOT NULL,
  seq               INTEGER NOT NULL CHECK (seq >= 1),
  worker_id         INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  course_id         INTEGER NOT NULL REFERENCES courses(id),
  issue_date        TEXT NOT NULL,
  expiry_date       TEXT NOT NULL,
  payload           TEXT NOT NULL,
  issued_at         INTEGER NOT NULL,
  revoked_at        INTEGER,
  revocation_reason TEXT,
  badge_number      TEXT,
  UNIQUE (year, seq)
);
CREATE INDEX certificates_worker ON certificates(worker_id, course_id);

CREATE TABLE revocations (
  center_id          TEXT NOT NULL,
  certificate_number TEXT NOT NULL,
  revoked_at         INTEGER NOT NULL,
  reason             TEXT NOT NULL,
  PRIMARY KEY (center_id, certificate_number)
);

CREATE TABLE submission_batches (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  idempotency_key TEXT NOT NULL UNIQUE,
  state           TEXT NOT NULL CHECK (state IN ('created', 'sending', 'sent', 'acknowledged')),
  folder          TEXT NOT NULL,
  zip_path        TEXT,
  manifest_sha256 TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  send_attempts   INTEGER NOT NULL DEFAULT 0,
  sent_at         INTEGER,
  receipt         TEXT,
  acknowledged_at INTEGER
);

CREATE TABLE batch_items (
  batch_id       INTEGER NOT NULL REFERENCES submission_batches(id) ON DELETE CASCADE,
  worker_id      INTEGER NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
  certificate_id INTEGER NOT NULL REFERENCES certificates(id) ON DELETE CASCADE,
  badge_number   TEXT,
  rejection      TEXT,
  PRIMARY KEY (batch_id, worker_id)
);
-- A worker is in at most one batch that the network center did not reject.
CREATE UNIQUE INDEX batch_items_active_worker ON batch_items(worker_id) WHERE rejection IS NULL;
)sql";

// Version 4: the exam screen's presence (issue 7), so that the proctor board can tell a candidate at the
// exam screen from one who left it or whose kiosk stopped reporting.
constexpr std::string_view kV4 = R"sql(
ALTER TABLE attempts ADD COLUMN seen_at INTEGER;
ALTER TABLE attempts ADD COLUMN seen_from TEXT;
ALTER TABLE attempts ADD COLUMN left_at INTEGER;
)sql";

// Version 5: exam integrity (issue 17): the concept a question tests, so that a retake avoids the same point
// asked in other words (also kept in the question's JSON content; the column serves queries).
constexpr std::string_view kV5 = R"sql(
ALTER TABLE questions ADD COLUMN concept TEXT NOT NULL DEFAULT '';
)sql";

// Version 6: who may sit (issue 17): a sitting may require the course's attendance before an attempt starts
// (sittings made before this version do not), a trainer may admit a named candidate anyway, and an attempt
// records who handed it in (the worker, the trainer closing the sitting, or the clock).
constexpr std::string_view kV6 = R"sql(
ALTER TABLE sittings ADD COLUMN require_attendance INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sitting_candidates ADD COLUMN admitted_by INTEGER;  -- staff id
ALTER TABLE sitting_candidates ADD COLUMN admitted_at INTEGER;
ALTER TABLE attempts ADD COLUMN submitted_by TEXT;
)sql";

// Version 7: the syllabus is course data (issue 12): each course module carries its display names, so nothing
// outside the course tables (the exam engine least of all) needs to know the badge syllabus. Courses made before
// this version hold the seven modules versions 1-6 seeded; they get the names those versions showed.
constexpr std::string_view kV7 = R"sql(
ALTER TABLE course_modules ADD COLUMN name_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE course_modules ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
UPDATE course_modules SET
  name_zh = CASE module_code WHEN 'ethics' THEN '职业道德' WHEN 'etiquette' THEN '文明礼仪'
    WHEN 'legal' THEN '法律常识' WHEN 'safety' THEN '安全知识' WHEN 'appliance' THEN '电器操作与安全'
    WHEN 'homecare' THEN '家庭照料' WHEN 'badge' THEN '上门服务证' ELSE module_code END,
  name_en = CASE module_code WHEN 'ethics' THEN 'Professional ethics' WHEN 'etiquette' THEN 'Etiquette'
    WHEN 'legal' THEN 'Legal basics' WHEN 'safety' THEN 'Safety knowledge'
    WHEN 'appliance' THEN 'Appliance operation and safety' WHEN 'homecare' THEN 'Home care'
    WHEN 'badge' THEN 'The home-service badge' ELSE module_code END;
)sql";

// Version 8: least privilege for kiosks on a center server (issue 13). SQLite has one user: nothing changes there.
// On PostgreSQL a kiosk logs in as a role of its own (`kioskctl kiosk add`, training/kiosk_roles.hpp) whose
// search_path starts with the schema kiosk_api: views with the names of the personal tables that show only the
// worker this connection looked up by document number (kiosk_api.claim_worker, SECURITY DEFINER, which keeps the
// claim per backend in kiosk_claims, a table kiosks cannot touch). The store's SQL stays the same on both kinds of
// connection. A later migration that adds a column to one of these tables must recreate its view (SELECT * is
// expanded when a view is made).
constexpr std::string_view kV8Postgres = R"sql(
CREATE SCHEMA kiosk_api;
CREATE TABLE kiosk_claims (
  session    TEXT NOT NULL,
  worker_id  BIGINT NOT NULL,
  claimed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (session, worker_id)
);
-- One backend: its pid and start time (a pid is reused, the pair is not).
CREATE FUNCTION kiosk_api.session_key() RETURNS text LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_backend_pid()::text || '@' ||
    coalesce((SELECT a.backend_start::text FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()), '')
$$;
-- The workers this connection may see; refused before any look-up, so that a plain SELECT is denied.
CREATE FUNCTION kiosk_api.looked_up() RETURNS SETOF bigint LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.kiosk_claims c WHERE c.session = kiosk_api.session_key()) THEN
    RAISE EXCEPTION 'permission denied for table workers: a kiosk sees only the worker whose document it looked up'
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'a kiosk looks a worker up with kiosk_api.claim_worker(doc_type, doc_number)';
  END IF;
  RETURN QUERY SELECT c.worker_id FROM public.kiosk_claims c
    WHERE c.session = kiosk_api.session_key() AND c.worker_id > 0;
END $$;
-- A kiosk's look-up: this connection now sees that one worker (or, when the document is not registered, no one:
-- the claim 0 lets it register the worker). Claims of ended backends are pruned.
CREATE FUNCTION kiosk_api.claim_worker(p_doc_type text, p_doc_number text) RETURNS bigint LANGUAGE plpgsql
VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  found bigint;
  me text := kiosk_api.session_key();
BEGIN
  DELETE FROM public.kiosk_claims c WHERE c.session = me
    OR split_part(c.session, '@', 1)::int NOT IN (SELECT a.pid FROM pg_stat_activity a WHERE a.pid IS NOT NULL);
  SELECT w.id INTO found FROM public.workers w WHERE w.doc_type = p_doc_type AND w.doc_number = p_doc_number;
  INSERT INTO public.kiosk_claims (session, worker_id) VALUES (me, coalesce(found, 0));
  RETURN found;
END $$;
-- A worker registered at a kiosk is that kiosk's to see.
CREATE FUNCTION kiosk_api.claim_registered() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM public.kiosk_claims c WHERE c.session = kiosk_api.session_key()) THEN
    INSERT INTO public.kiosk_claims (session, worker_id) VALUES (kiosk_api.session_key(), NEW.id)
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER workers_claim_registered AFTER INSERT ON workers
  FOR EACH ROW EXECUTE FUNCTION kiosk_api.claim_registered();
REVOKE ALL ON FUNCTION kiosk_api.looked_up() FROM PUBLIC;
REVOKE ALL ON FUNCTION kiosk_api.claim_worker(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION kiosk_api.claim_registered() FROM PUBLIC;

CREATE VIEW kiosk_api.workers WITH (security_barrier) AS
  SELECT * FROM public.workers WHERE id IN (SELECT kiosk_api.looked_up());
CREATE VIEW kiosk_api.worker_images WITH (security_barrier) AS
  SELECT * FROM public.worker_images WHERE worker_id IN (SELECT kiosk_api.looked_up());
CREATE VIEW kiosk_api.consents WITH (security_barrier) AS
  SELECT * FROM public.consents WHERE worker_id IN (SELECT kiosk_api.looked_up());
CREATE VIEW kiosk_api.attendance WITH (security_barrier) AS
  SELECT * FROM public.attendance WHERE worker_id IN (SELECT kiosk_api.looked_up());
CREATE VIEW kiosk_api.roster WITH (security_barrier) AS
  SELECT * FROM public.roster WHERE worker_id IN (SELECT kiosk_api.looked_up());
CREATE VIEW kiosk_api.sitting_candidates WITH (security_barrier) AS
  SELECT * FROM public.sitting_candidates WHERE worker_id IN (SELECT kiosk_api.looked_up());
CREATE VIEW kiosk_api.attempts WITH (security_barrier) AS
  SELECT * FROM public.attempts WHERE worker_id IN (SELECT kiosk_api.looked_up());
CREATE VIEW kiosk_api.attempt_items WITH (security_barrier) AS
  SELECT * FROM public.attempt_items WHERE attempt_id IN
    (SELECT a.id FROM public.attempts a WHERE a.worker_id IN (SELECT kiosk_api.looked_up()));
CREATE VIEW kiosk_api.attempt_events WITH (security_barrier) AS
  SELECT * FROM public.attempt_events WHERE attempt_id IN
    (SELECT a.id FROM public.attempts a WHERE a.worker_id IN (SELECT kiosk_api.looked_up()));
CREATE VIEW kiosk_api.certificates WITH (security_barrier) AS
  SELECT * FROM public.certificates WHERE worker_id IN (SELECT kiosk_api.looked_up());
CREATE VIEW kiosk_api.batch_items WITH (security_barrier) AS
  SELECT * FROM public.batch_items WHERE worker_id IN (SELECT kiosk_api.looked_up());
-- The audit log: its first row (the store checks the chain's form), its last (the next row links to it) and the
-- rows about the worker looked up; a kiosk appends rows.
CREATE VIEW kiosk_api.audit_log WITH (security_barrier) AS
  SELECT * FROM public.audit_log WHERE id = (SELECT min(l.id) FROM public.audit_log l)
    OR id = (SELECT max(l.id) FROM public.audit_log l)
    OR subject IN (SELECT 'worker:' || c.worker_id FROM public.kiosk_claims c
                   WHERE c.session = kiosk_api.session_key() AND c.worker_id > 0);
)sql";

// PostgreSQL form of version 1's append-only triggers (SQLite's RAISE(ABORT) has no PostgreSQL spelling).
constexpr std::string_view kV1Postgres = R"sql(
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_append_only_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
)sql";

// The PostgreSQL home of what SQLite keeps in PRAGMA user_version and application_id.
// Version 9: key custody (issue 14): a center's earlier keys. A rotated key (or another center's key replaced with
// `key trust --replace`) stays here as retired, so the documents it signed still verify; a compromised key is
// marked revoked (time and reason), and nothing it signed verifies. trusted_keys keeps each center's current key.
constexpr std::string_view kV9 = R"sql(
CREATE TABLE former_keys (
  key_id         TEXT PRIMARY KEY,
  center_id      TEXT NOT NULL,
  name           TEXT NOT NULL DEFAULT '',
  public_key     TEXT NOT NULL,
  own            INTEGER NOT NULL DEFAULT 0,
  retired_at     INTEGER NOT NULL,
  revoked_at     INTEGER,
  revoked_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX former_keys_center ON former_keys(center_id);
)sql";

// On a center server, whoever may read trusted_keys (the kiosks' group roles made before this version) may read
// the earlier keys too: kiosks verify badges.
constexpr std::string_view kV9Postgres = R"sql(
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
           WHERE table_schema = 'public' AND table_name = 'trusted_keys' AND privilege_type = 'SELECT'
             AND grantee <> current_user AND grantee <> 'PUBLIC' LOOP
    EXECUTE format('GRANT SELECT ON public.former_keys TO %I', r.grantee);
  END LOOP;
END $$;
)sql";

// Version 10: a worker's audit rows by kind without reading the whole log. Every sign-in of a worker who has not
// consented to the face check asks for the latest decline in the audit log; with two million rows (a busy center
// after a few years) that scan took 0.3 s per sign-in, and a worker's data export reads their rows the same way.
constexpr std::string_view kV10 = R"sql(
CREATE INDEX audit_log_subject ON audit_log(subject, action, id);
)sql";

constexpr std::string_view kPostgresMeta = R"sql(
CREATE TABLE IF NOT EXISTS kiosk_meta (
  id             BIGINT PRIMARY KEY CHECK (id = 1),
  application_id BIGINT NOT NULL,
  user_version   BIGINT NOT NULL
))sql";

constexpr std::array<Migration, 10> kMigrations{{
    {1, "center records: agencies, workers, consents, staff, courses, sessions, attendance, audit log", kV1,
     kV1Postgres},
    {2, "question banks, exam sittings, attempts and their items and events", kV2},
    {3, "certification: rules, trusted center keys, certificates, revocations, submission batches", kV3},
    {4, "exam presence: when and where each attempt's exam screen last reported, and whether it was left", kV4},
    {5, "exam integrity: the concept each question version tests", kV5},
    {6, "who may sit: attendance required by a sitting, trainer admissions, who handed an attempt in", kV6},
    {7, "the syllabus as course data: each course module's display names", kV7},
    {8, "kiosk roles on a center server: views that show a kiosk only the worker it looked up (PostgreSQL only)", "",
     kV8Postgres},
    {9, "key custody: a center's retired and revoked keys", kV9, kV9Postgres},
    {10, "audit lookups by subject: an index on the audit log's subject and action", kV10},
}};

bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// The next word at or after @p i (skipping blanks), upper-cased, and where it ends.
std::pair<std::string, std::size_t> nextWord(std::string_view sql, std::size_t i) {
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    std::size_t j = i;
    while (j < sql.size() && isIdentChar(sql[j])) ++j;
    return {upper(sql.substr(i, j - i)), j};
}

}  // namespace

std::string postgresSchemaSql(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 256);
    std::size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        if (c == '\'' || (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-')) {
            const auto end = c == '\'' ? sql.find('\'', i + 1) : sql.find('\n', i);
            const auto stop = end == std::string_view::npos ? sql.size() : end + (c == '\'' ? 1 : 0);
            out.append(sql.substr(i, stop - i));
            i = stop;
            continue;
        }
        if (!isIdentChar(c) || (i > 0 && isIdentChar(sql[i - 1]))) {
            out += c;
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < sql.size() && isIdentChar(sql[j])) ++j;
        const std::string word = upper(sql.substr(i, j - i));
        if (word == "CREATE" && nextWord(sql, j).first == "TRIGGER") {
            // SQLite trigger: up to its "END;" (its PostgreSQL form is in Migration::postgresExtra).
            auto end = sql.find("END;", j);
            i = end == std::string_view::npos ? sql.size() : end + 4;
            continue;
        }
        if (word == "INTEGER") {
            const auto [w1, e1] = nextWord(sql, j);
            const auto [w2, e2] = nextWord(sql, e1);
            if (w1 == "PRIMARY" && w2 == "KEY") {
                std::size_t k = e2;
                while (k < sql.size() && sql[k] == ' ') ++k;
                const bool alone = k >= sql.size() || sql[k] == ',' || sql[k] == '\n' || sql[k] == ')';
                out += alone ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" : "BIGINT PRIMARY KEY";
                i = e2;
                continue;
            }
            out += "BIGINT";
        } else if (word == "REAL") {
            out += "DOUBLE PRECISION";
        } else if (word == "BLOB") {
            out += "BYTEA";
        } else {
            out.append(sql.substr(i, j - i));
        }
        i = j;
    }
    return out;
}

Result<SchemaStamp> readSchemaStamp(Database& db) {
    SchemaStamp stamp;
    if (db.backend() == Backend::Sqlite) {
        auto appId = db.queryInt("PRAGMA application_id");
        if (!appId) return propagate(appId);
        auto version = db.queryInt("PRAGMA user_version");
        if (!version) return propagate(version);
        auto tables = db.queryInt("SELECT count(*) FROM sqlite_schema");
        if (!tables) return propagate(tables);
        return SchemaStamp{*appId != 0, *appId, *version, *tables};
    }
    // Through the search_path: a kiosk role's starts with kiosk_api (schema version 8), the center's tables follow.
    auto meta = db.queryInt("SELECT CASE WHEN to_regclass('kiosk_meta') IS NULL THEN 0 ELSE 1 END");
    if (!meta) return propagate(meta);
    auto tables = db.queryInt("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()");
    if (!tables) return propagate(tables);
    stamp.tables = *tables;
    if (*meta == 0) return stamp;
    stamp.stamped = true;
    auto row = db.prepare("SELECT application_id, user_version FROM kiosk_meta WHERE id = 1");
    if (!row) return propagate(row);
    auto found = row->step();
    if (!found) return propagate(found);
    if (*found) {
        stamp.applicationId = row->int64(0);
        stamp.version = row->int64(1);
    }
    row->reset();
    return stamp;
}

std::span<const Migration> migrations() noexcept { return kMigrations; }

int currentSchemaVersion() noexcept { return kMigrations.back().version; }

Result<int> migrateTo(Database& db, int target) {
    auto tx = db.transaction();
    if (!tx) return std::unexpected(tx.error());
    // Read the version inside the write transaction: another process may have migrated meanwhile.
    const bool postgres = db.backend() == Backend::Postgres;
    Result<std::int64_t> version = 0;
    if (postgres) {
        auto stamp = readSchemaStamp(db);
        if (!stamp) return propagate(stamp);
        version = stamp->version;
    } else {
        version = db.queryInt("PRAGMA user_version");
        if (!version) return std::unexpected(version.error());
    }
    if (*version > target)
        return fail(ErrorCode::SchemaTooNew,
                    fmt::format("the database {} has schema version {}, newer than this program's {}; it was left "
                                "untouched: update the kiosk software before using this file",
                                db.path().string(), *version, target));
    int applied = 0;
    for (const auto& m : kMigrations) {
        if (m.version <= *version || m.version > target) continue;
        // A migration may be for one engine only (its SQL for the other is empty).
        Result<void> r;
        if (!m.sql.empty()) r = postgres ? db.exec(postgresSchemaSql(m.sql)) : db.exec(m.sql);
        if (r && postgres && !m.postgresExtra.empty()) r = db.exec(m.postgresExtra);
        if (!r)
            return fail(r.error().code, fmt::format("schema migration {} ({}) failed: {}", m.version,
                                                    m.description, r.error().message));
        ++applied;
    }
    if (applied > 0 && postgres) {
        if (auto r = db.exec(kPostgresMeta); !r) return propagate(r);
        auto stampIt = db.prepare("INSERT INTO kiosk_meta (id, application_id, user_version) VALUES (1, ?, ?) "
                                  "ON CONFLICT (id) DO UPDATE SET application_id = excluded.application_id, "
                                  "user_version = excluded.user_version");
        if (!stampIt) return propagate(stampIt);
        if (auto r = stampIt->bindAll(static_cast<std::int64_t>(kApplicationId), target).run(); !r) return propagate(r);
    } else if (applied > 0) {
        if (auto r = db.exec(fmt::format("PRAGMA user_version = {}; PRAGMA application_id = {}", target,
                                         kApplicationId));
            !r)
            return std::unexpected(r.error());
    }
    if (auto r = tx->commit(); !r) return std::unexpected(r.error());
    return applied;
}

}  // namespace training
