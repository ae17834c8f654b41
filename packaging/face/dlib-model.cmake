# Face models that the build obtains or installs itself (included from devices/CMakeLists.txt).
#
# dlib's ResNet descriptor is not in the repository: every build runs packaging/face/build-dlib-model, which
# fetches npm @vladmandic/face-api@1.7.15 (once: the tarball and the converted model are cached in
# $KIOSK_CACHE_DIR or ~/.cache/badge-kiosk), checks the SHA-256 of the tarball, the weights and the result,
# converts the weights to ONNX and puts the model into <build>/models. It prints nothing when the model is
# already there. devices looks there last (after [face] model_dir, $KIOSK_MODEL_DIR and the installed data
# directory), so an uninstalled build finds it. Without network or npm the build goes on with a warning
# (the kiosk then uses another model or refers every match to staff); a checksum failure stops the build.
set(KIOSK_BUILD_MODEL_DIR "${CMAKE_BINARY_DIR}/models")
option(KIOSK_FETCH_DLIB_MODEL "Obtain dlib's face recognition ResNet from npm and convert it during the build" ON)
target_compile_definitions(devices PRIVATE KIOSK_BUILD_MODEL_DIR="${KIOSK_BUILD_MODEL_DIR}")

if(KIOSK_FETCH_DLIB_MODEL)
  add_custom_target(dlib_model ALL
    COMMAND /bin/sh -c "\"$0\" --quiet \"$1\"; rc=$?; if [ $rc -eq 3 ]; then echo 'warning: the dlib face model could not be fetched; the build goes on without it' >&2; exit 0; fi; exit $rc"
            "${CMAKE_SOURCE_DIR}/packaging/face/build-dlib-model" "${KIOSK_BUILD_MODEL_DIR}"
    COMMENT "dlib face model (packaging/face/build-dlib-model)"
    VERBATIM)
endif()

# Installed data: <prefix>/share/badge-kiosk/models (devices::face::installedModelDir()). The Haar cascade
# is not copied: the manifest points at Debian's opencv-data directories (system_dirs).
set(KIOSK_MODELS_INSTALL_DIR "${CMAKE_INSTALL_DATADIR}/badge-kiosk/models")
install(FILES "${CMAKE_SOURCE_DIR}/assets/models/manifest.toml" "${CMAKE_SOURCE_DIR}/assets/models/README.md"
        DESTINATION "${KIOSK_MODELS_INSTALL_DIR}" COMPONENT models)
install(FILES "${KIOSK_BUILD_MODEL_DIR}/face_recognition_dlib_resnet_facejs.onnx"
        DESTINATION "${KIOSK_MODELS_INSTALL_DIR}" COMPONENT models OPTIONAL)
install(FILES "${CMAKE_SOURCE_DIR}/assets/models/LICENSE.face_recognition_dlib_resnet_facejs.txt"
        DESTINATION "${KIOSK_MODELS_INSTALL_DIR}" COMPONENT models)
