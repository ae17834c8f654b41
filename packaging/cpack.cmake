# Debian packages (make package): CPack's DEB generator, one package per component group.
#   badge-kiosk     the touchscreen app, its assets, the model manifest, /etc/badge-kiosk/kiosk.toml and the
#                   cage session unit
#   badge-kioskctl  kioskctl, the data both programs read (question banks, certificate templates, submission
#                   schema), the badge-kiosk system user, /var/lib/badge-kiosk and the daily backup timer
#   badge-center    meta package for a training center's office machine (kioskctl, CUPS, fonts)
#   badge-center-server  a center server: PostgreSQL 15, kioskctl, /etc/badge-kiosk/server.conf and the daily
#                   dump-and-purge timer
# dpkg-shlibdeps gives the library dependencies; the programs the code calls are listed by hand below.
# Why CPack and not debhelper: see README "Installing a kiosk" (the build is CMake's; debhelper would need a
# debian/ tree that repeats the install rules).
set(KIOSK_DEB_DOC_DIR "${CMAKE_BINARY_DIR}/packaging/doc")
set(KIOSK_DEB_MAINTAINER "Home-Service Badge Kiosk maintainers <kiosk-maintainers@example.org>")
string(TIMESTAMP KIOSK_DEB_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)

# /usr/share/doc/<package>/{copyright,changelog.gz} for each package (Debian policy 12.5, 12.7).
function(kiosk_deb_docs component package)
  set(dir "${KIOSK_DEB_DOC_DIR}/${package}")
  file(MAKE_DIRECTORY "${dir}")
  configure_file("${CMAKE_SOURCE_DIR}/packaging/debian/copyright" "${dir}/copyright" COPYONLY)
  file(WRITE "${dir}/changelog"
       "${package} (${KIOSK_PACKAGE_VERSION}) bookworm; urgency=medium\n\n"
       "  * Build of the home-service badge kiosk ${KIOSK_PACKAGE_VERSION}.\n\n"
       " -- ${KIOSK_DEB_MAINTAINER}  ${KIOSK_DEB_DATE}\n")
  execute_process(COMMAND gzip -9nf "${dir}/changelog" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip of ${dir}/changelog failed")
  endif()
  install(FILES "${dir}/copyright" "${dir}/changelog.gz" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/${package}"
          COMPONENT ${component})
endfunction()
# Manual pages, compressed as Debian policy 12.1 asks.
foreach(page kiosk kioskctl)
  file(MAKE_DIRECTORY "${KIOSK_DEB_DOC_DIR}/man")
  configure_file("${CMAKE_SOURCE_DIR}/packaging/man/${page}.1" "${KIOSK_DEB_DOC_DIR}/man/${page}.1" COPYONLY)
  execute_process(COMMAND gzip -9nf "${KIOSK_DEB_DOC_DIR}/man/${page}.1")
endforeach()
install(FILES "${KIOSK_DEB_DOC_DIR}/man/kiosk.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT kiosk)
install(FILES "${KIOSK_DEB_DOC_DIR}/man/kioskctl.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT kioskctl)
kiosk_deb_docs(kiosk badge-kiosk)
kiosk_deb_docs(kioskctl badge-kioskctl)
kiosk_deb_docs(center badge-center)
kiosk_deb_docs(server badge-center-server)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/README.installed.md" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/badge-center-server"
        RENAME README.md COMPONENT server)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/README.installed.md" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/badge-kiosk"
        RENAME README.md COMPONENT kiosk)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/README.installed.md" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/badge-kioskctl"
        RENAME README.md COMPONENT kioskctl)

# systemd units (Debian 12 packages put them in /lib/systemd/system) and the daily maintenance script.
install(FILES "${CMAKE_SOURCE_DIR}/packaging/systemd/badge-kiosk.service" DESTINATION /lib/systemd/system
        COMPONENT kiosk)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/systemd/badge-kiosk-daily.service"
              "${CMAKE_SOURCE_DIR}/packaging/systemd/badge-kiosk-daily.timer"
        DESTINATION /lib/systemd/system COMPONENT kioskctl)
install(PROGRAMS "${CMAKE_SOURCE_DIR}/packaging/daily-maintenance" DESTINATION "${CMAKE_INSTALL_LIBEXECDIR}/badge-kiosk"
        COMPONENT kioskctl)
install(PROGRAMS "${CMAKE_SOURCE_DIR}/packaging/session-condition" "${CMAKE_SOURCE_DIR}/packaging/stop-session"
        DESTINATION "${CMAKE_INSTALL_LIBEXECDIR}/badge-kiosk" COMPONENT kiosk)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/kiosk.toml" DESTINATION /etc/badge-kiosk COMPONENT kiosk)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/systemd/badge-center-server-daily.service"
              "${CMAKE_SOURCE_DIR}/packaging/systemd/badge-center-server-daily.timer"
        DESTINATION /lib/systemd/system COMPONENT server)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/server.conf" DESTINATION /etc/badge-kiosk COMPONENT server)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "badge-kiosk")
set(CPACK_PACKAGE_VERSION "${KIOSK_PACKAGE_VERSION}")
set(CPACK_PACKAGE_VENDOR "Home-Service Badge Kiosk")
set(CPACK_PACKAGE_CONTACT "${KIOSK_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/cpack")
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_COMPONENTS_ALL kiosk models kioskctl center server)
set(CPACK_COMPONENT_KIOSK_GROUP kiosk)
set(CPACK_COMPONENT_MODELS_GROUP kiosk)
set(CPACK_COMPONENT_KIOSKCTL_GROUP kioskctl)
set(CPACK_COMPONENT_CENTER_GROUP center)
set(CPACK_COMPONENT_SERVER_GROUP server)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_VERSION "${KIOSK_PACKAGE_VERSION}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${KIOSK_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "misc")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/badge-kiosk")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(deb "${CMAKE_SOURCE_DIR}/packaging/debian")
set(ver "(= ${KIOSK_PACKAGE_VERSION})")

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME "badge-kiosk")
set(CPACK_DEBIAN_KIOSK_PACKAGE_SECTION "misc")
string(CONCAT CPACK_COMPONENT_KIOSK_DESCRIPTION
    "home-service badge training kiosk (touchscreen app)\n"
    "The touchscreen kiosk of a home-service badge training center: workers\n"
    "identify with an ID card or passport and a live photo, check in to\n"
    "training, sit the exam and print their certificate and badge. It runs\n"
    "full screen in a cage Wayland session on tty1 (badge-kiosk.service),\n"
    "restarted by systemd when it exits or its frame loop stops answering\n"
    "the watchdog.")
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS
    "badge-kioskctl ${ver}, cage, xwayland, libgl1-mesa-dri, pcscd, fonts-wqy-microhei, espeak-ng, cups-client, opencv-data")
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "libccid, libpam-systemd")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
    "${deb}/badge-kiosk/postinst;${deb}/badge-kiosk/prerm;${deb}/badge-kiosk/postrm;${deb}/badge-kiosk/conffiles")

set(CPACK_DEBIAN_KIOSKCTL_PACKAGE_NAME "badge-kioskctl")
set(CPACK_DEBIAN_KIOSKCTL_PACKAGE_SECTION "misc")
string(CONCAT CPACK_COMPONENT_KIOSKCTL_DESCRIPTION
    "home-service badge training center records (command-line tool)\n"
    "kioskctl manages a home-service badge training center's records in its\n"
    "SQLite database: workers, agencies, sessions and attendance, exams,\n"
    "certificates, backups and the audit log. The package creates the\n"
    "badge-kiosk system user, its records folder /var/lib/badge-kiosk (mode\n"
    "0700) and a daily timer for the backup (with retention) and the privacy\n"
    "purge.")
set(CPACK_DEBIAN_KIOSKCTL_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_KIOSKCTL_PACKAGE_RECOMMENDS "poppler-utils")
set(CPACK_DEBIAN_KIOSKCTL_PACKAGE_CONTROL_EXTRA
    "${deb}/badge-kioskctl/postinst;${deb}/badge-kioskctl/prerm;${deb}/badge-kioskctl/postrm")

set(CPACK_DEBIAN_CENTER_PACKAGE_NAME "badge-center")
set(CPACK_DEBIAN_CENTER_PACKAGE_SECTION "metapackages")
set(CPACK_DEBIAN_CENTER_PACKAGE_ARCHITECTURE "all")
set(CPACK_DEBIAN_CENTER_PACKAGE_SHLIBDEPS OFF)
string(CONCAT CPACK_COMPONENT_CENTER_DESCRIPTION
    "home-service badge training center office (metapackage)\n"
    "Installs what a training center's office machine needs to manage the\n"
    "center's records and print certificates and badges: kioskctl, CUPS\n"
    "and the CJK fonts of the documents.")
set(CPACK_DEBIAN_CENTER_PACKAGE_DEPENDS
    "badge-kioskctl (>= ${KIOSK_PACKAGE_VERSION}), cups, cups-client, fonts-wqy-microhei, fonts-wqy-zenhei, poppler-utils")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME "badge-center-server")
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION "misc")
set(CPACK_DEBIAN_SERVER_PACKAGE_ARCHITECTURE "all")
set(CPACK_DEBIAN_SERVER_PACKAGE_SHLIBDEPS OFF)
string(CONCAT CPACK_COMPONENT_SERVER_DESCRIPTION
    "home-service badge training center server (PostgreSQL)\n"
    "Installs what a center with many kiosks runs its one database on:\n"
    "PostgreSQL 15 and kioskctl, which creates the center's tables and the\n"
    "kiosks' logins (kioskctl kiosk add), and a daily timer that dumps the\n"
    "database with pg_dump, keeps the dumps for a number of days and runs\n"
    "the privacy purge (/etc/badge-kiosk/server.conf).")
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS
    "badge-kioskctl (>= ${KIOSK_PACKAGE_VERSION}), postgresql-15, postgresql-client-15")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    "${deb}/badge-center-server/postinst;${deb}/badge-center-server/prerm;${deb}/badge-center-server/postrm;${deb}/badge-center-server/conffiles")

include(CPack)
