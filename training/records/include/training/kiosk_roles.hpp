#pragma once
/// @file kiosk_roles.hpp
/// @brief Least privilege for kiosks on a center server: each kiosk logs in to PostgreSQL as a role of its own
/// (`kioskctl kiosk add NAME`, `kiosk remove NAME`).
///
/// A kiosk role belongs to the group role `<database>_kiosks`, whose grants are what a kiosk does: it sees only
/// the worker it looked up by document number (the views of schema version 8 in schema kiosk_api, which its
/// search_path puts first), registers, signs consents, checks in and out, sits exams and appends audit rows. It
/// has no grant on the personal tables themselves (`SELECT * FROM public.workers` is refused), on staff, on
/// submission batches or on the claims; the center key never is in the database.

#include <string>
#include <string_view>

#include "training/store.hpp"

namespace training {

/// @brief A kiosk's login, shown once.
struct KioskLogin {
    std::string kiosk;     ///< The kiosk's name as given (K01).
    std::string role;      ///< Its PostgreSQL role (<database>_kiosk_k01).
    std::string conninfo;  ///< The connection URI the kiosk uses, with the role and its generated password.
};

/// @brief Creates the PostgreSQL role of kiosk @p name (LOGIN, a generated password, member of the kiosks' group
/// role, search_path kiosk_api then public in this database) and audits it ("kiosk.add"). @p centerUri is the
/// connection URI @p store was opened with: the kiosk's URI is the same server and database with the new role.
/// The connection needs the CREATEROLE attribute (the center's owner, see README "Center with many kiosks").
/// @retval Refused      @p store is an SQLite file (one machine: a kiosk uses the file itself)
/// @retval InvalidInput @p name is not 1 to 16 letters, digits, '-' or '_'
/// @retval Conflict     the kiosk has a role already (remove it first to issue a new password)
/// @retval Internal     the server refused (e.g. permission denied to create role: the message says so)
[[nodiscard]] Result<KioskLogin> addKioskRole(Store& store, std::string_view centerUri, std::string_view name,
                                              const Actor& actor);

/// @brief Revokes kiosk @p name: its role can no longer log in and is dropped; its open connections are ended when
/// this connection may (a superuser, or a member of the role). Audited ("kiosk.remove").
/// @return The role dropped.
/// @retval Refused      @p store is an SQLite file
/// @retval InvalidInput @p name is not a kiosk name
/// @retval NotFound     the kiosk has no role
[[nodiscard]] Result<std::string> removeKioskRole(Store& store, std::string_view name, const Actor& actor);

}  // namespace training
